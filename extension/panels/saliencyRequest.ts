// The run panel's "Explain": the `radlab explain` command line for a gallery row, and its --json document read back
// into what the page draws. The extension host never loads tfjs, so the map is computed by the CLI as a child
// process; this file holds the parts of that exchange that need no editor, so they are tested without one.
import { basename } from 'node:path';
import { isRecord } from '../../core/json/isRecord';
import { SALIENCY_METHOD_TITLES, SALIENCY_METHODS } from '../../core/explain/saliencyMethods';
import { GRADE_NAMES, type GradeName, type SaliencyView } from '../../webview/contract';
import type { CliResult } from '../runs/cliCommand';

/** `radlab explain` arguments (after the CLI script) that write the row's map to `jsonPath`. */
export function explainArguments(runDir: string, rowId: string, grade: GradeName | null, jsonPath: string): string[] {
  return ['explain', runDir, rowId, ...(grade === null ? [] : ['--grade', grade]), '--json', jsonPath];
}

/** "Grad-CAM for Severe (8×8, backbone step 6 of 9)", or "Attention rollout (same for every grade)". */
function saliencyCaption(view: Pick<SaliencyView, 'method' | 'grade' | 'gradeSpecific' | 'grid' | 'step'>): string {
  const title = SALIENCY_METHOD_TITLES[view.method];
  const where = view.step === null ? '' : `, backbone step ${view.step[0]} of ${view.step[1]}`;
  return view.gradeSpecific
    ? `${title} for ${view.grade} (${view.grid[0]}×${view.grid[1]}${where})`
    : `${title} (same for every grade)`;
}

function isGrid(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && value.every((n) => Number.isInteger(n) && n > 0);
}

/**
 * The page's view of `radlab explain --json`'s document (read from `file`), or an error naming the file and the
 * field that is wrong: a CLI of another version could write another shape.
 */
export function saliencyViewOf(text: string, file: string): SaliencyView {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not JSON (${(error as Error).message}): the explain command did not finish writing it`);
  }
  const wrong = (field: string, expected: string) =>
    new Error(`${file}: "${field}" should be ${expected}; is the radlab CLI the extension's own version?`);
  if (!isRecord(document)) throw wrong('(document)', 'an object');
  const { rowId, method, grade, gradeSpecific, grid, step, cropPng, heatmapPng } = document;
  if (typeof rowId !== 'string') throw wrong('rowId', 'a string');
  if (!(SALIENCY_METHODS as readonly unknown[]).includes(method)) throw wrong('method', SALIENCY_METHODS.join(' or '));
  if (!(GRADE_NAMES as readonly unknown[]).includes(grade)) throw wrong('grade', GRADE_NAMES.join(', '));
  if (typeof gradeSpecific !== 'boolean') throw wrong('gradeSpecific', 'true or false');
  if (!isGrid(grid)) throw wrong('grid', '[rows, columns] of positive integers');
  if (step !== null && !isGrid(step)) throw wrong('step', 'null or [step, steps] of positive integers');
  if (typeof cropPng !== 'string' || typeof heatmapPng !== 'string') throw wrong('cropPng/heatmapPng', 'base64 PNGs');
  const view = {
    rowId,
    method: method as SaliencyView['method'],
    grade: grade as GradeName,
    gradeSpecific,
    grid,
    step,
  };
  return {
    ...view,
    caption: saliencyCaption(view),
    cropPng: `data:image/png;base64,${cropPng}`,
    heatmapPng: `data:image/png;base64,${heatmapPng}`,
  };
}

/** The panel's error when `radlab explain` failed: the run, the row, and the CLI's own last words. */
export function explainFailure(runDir: string, rowId: string, { exit, stderr }: Omit<CliResult, 'stdout'>): string {
  const reason =
    exit.startError !== undefined
      ? `the CLI could not start (${exit.startError.message}); check the radlab.nodePath setting`
      : stderr
          .filter((line) => line.trim() !== '')
          .slice(-3)
          .join(' ') || `exit code ${exit.code}`;
  return `Explain ${rowId} of run ${basename(runDir)} failed: ${reason}`;
}

// The inputs of "Generate Synthetic Dataset", checked before `radlab synth` runs. No `vscode` import.
import * as nodePath from 'node:path';

/** The generator accepts 1..100,000 studies (core/data/synthetic/dataset.ts). */
export const MAX_SYNTHETIC_STUDIES = 100_000;

/** Why `text` is not a number of studies, or undefined when it is. */
export function studiesProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return 'Enter a whole number of studies, e.g. 40.';
  const studies = Number(trimmed);
  if (studies < 1 || studies > MAX_SYNTHETIC_STUDIES)
    return `Enter between 1 and ${MAX_SYNTHETIC_STUDIES.toLocaleString('en-US')} studies.`;
  return undefined;
}

export function synthArguments(outFolder: string, studiesText: string): string[] {
  return ['synth', '--out', outFolder, '--studies', String(Number(studiesText.trim()))];
}

/**
 * The folder the dataset goes to, from what was typed: relative to the workspace folder, or absolute. A folder that
 * does not exist yet is fine: `radlab synth` creates it.
 */
export function synthFolderOf(
  text: string,
  workspaceFolder: string | undefined,
  path: nodePath.PlatformPath = nodePath,
): string | undefined {
  const trimmed = text.trim();
  if (trimmed.length === 0) return undefined;
  if (path.isAbsolute(trimmed)) return path.normalize(trimmed);
  return workspaceFolder === undefined ? undefined : path.join(workspaceFolder, trimmed);
}

/** Why `text` names no folder to write to, or undefined when it names one. */
export function synthFolderProblem(text: string, workspaceFolder: string | undefined): string | undefined {
  if (text.trim().length === 0) return 'Enter a folder, e.g. data/synthetic-lsdc.';
  if (synthFolderOf(text, workspaceFolder) === undefined) return 'No folder is open: enter an absolute path.';
  return undefined;
}

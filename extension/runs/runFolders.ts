// Reads runs back from disk (a run is a folder: <output>/<experiment name>/<run id>-<backbone>/), so the Runs
// view and re-attaching live runs work after a window reload, a crash, or for runs started from a terminal.
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { resolveFromFile } from '../../core/experiment/checkFiles';
import { experimentSchema } from '../../core/experiment/schema';
import { EVENTS_FILE } from '../../core/train/events';

export const RUN_JSON = 'run.json';
export const METRICS_JSON = path.join('results', 'metrics.json');

/** run.json's status while the trainer works, plus 'interrupted': 'running' on disk but no process is left. */
export type RunState = 'running' | 'completed' | 'failed' | 'cancelled' | 'interrupted';

export interface RunRecord {
  dir: string;
  /** The folder that holds this experiment's runs: <output>/<experiment name>. */
  experimentDir: string;
  experiment: string;
  runId: string;
  backbone: string;
  state: RunState;
  pid?: number;
  startedAt?: string;
  endedAt?: string;
  engine?: string;
  device?: string;
  /** Test-set macro-F1 from results/metrics.json, the headline number of a finished run. */
  testMacroF1?: number;
  /** Why the run failed, from run.json. */
  error?: string;
  /** Set when run.json could not be read; the folder is still listed so the user sees it. */
  problem?: string;
  eventsFile: string;
}

export interface ExperimentRuns {
  experiment: string;
  experimentDir: string;
  /** Newest first (run ids are UTC timestamps, so they sort by time). */
  runs: RunRecord[];
}

const STATUSES = new Set(['running', 'completed', 'failed', 'cancelled']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function readJson(file: string): unknown {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The test macro-F1 of a finished run, or undefined when metrics.json is absent or has none. */
function readTestMacroF1(dir: string): number | undefined {
  try {
    const metrics = readJson(path.join(dir, METRICS_JSON));
    const test = isRecord(metrics) ? metrics.test : undefined;
    return isRecord(test) && typeof test.macroF1 === 'number' ? test.macroF1 : undefined;
  } catch {
    return undefined;
  }
}

/** Splits '<run id>-<backbone>' (run ids look like 20261126-184501, backbones may hold '_' and digits). */
export function splitRunFolderName(name: string): { runId: string; backbone: string } | undefined {
  const match = /^(\d{8}-\d{6})-(.+)$/.exec(name);
  return match ? { runId: match[1]!, backbone: match[2]! } : undefined;
}

/**
 * One run folder's record. `isAlive` decides whether a run that run.json calls 'running' still has its process
 * (a run whose trainer died without writing its end is 'interrupted').
 */
export function readRunFolder(dir: string, isAlive: (pid: number) => boolean): RunRecord {
  const fromName = splitRunFolderName(path.basename(dir));
  const experimentDir = path.dirname(dir);
  const base: RunRecord = {
    dir,
    experimentDir,
    experiment: path.basename(experimentDir),
    runId: fromName?.runId ?? path.basename(dir),
    backbone: fromName?.backbone ?? '?',
    state: 'interrupted',
    eventsFile: path.join(dir, EVENTS_FILE),
  };
  let json: unknown;
  try {
    json = readJson(path.join(dir, RUN_JSON));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `could not be read (${(error as Error).message})`;
    return { ...base, problem: `${path.join(dir, RUN_JSON)} ${reason}` };
  }
  if (!isRecord(json) || typeof json.status !== 'string' || !STATUSES.has(json.status)) {
    const status = isRecord(json) ? JSON.stringify(json.status) : 'missing';
    return { ...base, problem: `${path.join(dir, RUN_JSON)}: status is ${status}, expected one of ${[...STATUSES].join(', ')}` };
  }
  const pid = typeof json.pid === 'number' && Number.isInteger(json.pid) && json.pid > 0 ? json.pid : undefined;
  let state = json.status as RunState;
  if (state === 'running' && (pid === undefined || !isAlive(pid))) state = 'interrupted';
  return {
    ...base,
    experiment: optionalString(json.experiment) ?? base.experiment,
    runId: optionalString(json.runId) ?? base.runId,
    backbone: optionalString(json.backbone) ?? base.backbone,
    state,
    pid,
    startedAt: optionalString(json.startedAt),
    endedAt: optionalString(json.endedAt),
    engine: optionalString(json.engine),
    device: optionalString(json.device),
    error: optionalString(json.error),
    testMacroF1: state === 'completed' ? readTestMacroF1(dir) : undefined,
  };
}

// Folders that never hold runs but can be huge (dependencies, DICOM images, version control).
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'train_images', 'trained_models', 'plots', 'results']);

/** Every folder at most `maxDepth` levels below `root` (root itself is depth 0) that holds a run.json. */
export function findRunFolders(root: string, maxDepth = 3): string[] {
  const found: string[] = [];
  const visit = (folder: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((entry) => entry.isFile() && entry.name === RUN_JSON)) {
      found.push(folder);
      return;
    }
    if (depth >= maxDepth) return;
    for (const entry of entries) {
      if (entry.isDirectory() && !SKIPPED_FOLDERS.has(entry.name) && !entry.name.startsWith('.')) {
        visit(path.join(folder, entry.name), depth + 1);
      }
    }
  };
  visit(root, 0);
  return found.sort();
}

/**
 * The folder an experiment file writes its run folders to (<output>/<name>), read from the file without full
 * validation: an experiment that no longer validates still has runs worth showing. Undefined when the file
 * names no experiment.
 */
export function experimentRunsFolder(experimentFile: string, text: string): string | undefined {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    return undefined;
  }
  if (!isRecord(document) || typeof document.name !== 'string' || document.name === '') return undefined;
  const defaultOutput = experimentSchema.fields.output!.default as string;
  const output = typeof document.output === 'string' ? document.output : defaultOutput;
  return path.join(resolveFromFile(experimentFile, output), document.name);
}

/** Reads every run under `experimentDirs` (each an <output>/<name> folder) and groups them by experiment folder. */
export function scanRuns(experimentDirs: readonly string[], isAlive: (pid: number) => boolean): ExperimentRuns[] {
  const groups = new Map<string, ExperimentRuns>();
  for (const experimentDir of new Set(experimentDirs.map((d) => path.resolve(d)))) {
    for (const dir of findRunFolders(experimentDir, 1)) {
      const record = readRunFolder(dir, isAlive);
      const group = groups.get(record.experimentDir) ?? { experiment: record.experiment, experimentDir: record.experimentDir, runs: [] };
      group.runs.push(record);
      groups.set(record.experimentDir, group);
    }
  }
  for (const group of groups.values()) group.runs.sort((a, b) => b.runId.localeCompare(a.runId) || a.backbone.localeCompare(b.backbone));
  return [...groups.values()].sort((a, b) => a.experiment.localeCompare(b.experiment));
}

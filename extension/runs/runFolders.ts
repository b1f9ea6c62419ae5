// Reads runs back from disk (a run is a folder: <output>/<experiment name>/<run id>-<backbone>/), so the Runs
// view and re-attaching live runs work after a window reload, a crash, or for runs started from a terminal.
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, YAMLError } from 'yaml';
import { resolveFromFile } from '../../core/experiment/checkFiles';
import { isRecord } from '../../core/json/isRecord';
import { experimentSchema } from '../../core/experiment/schema';
import { recordedTrainer, type RunState as RecordedState, type SlurmTask } from '../../core/run/runRecord';
import type { ProcessPresence, TrainerProcess } from '../../core/run/trainerProcess';
import { EVENTS_FILE } from '../../core/train/events';
import { deviceName, engineName, readMetricsJson, readRunJson, RUN_JSON } from './runFiles';

/** run.json's status, plus 'interrupted': 'running' on disk but its trainer process is gone. */
export type RunState = RecordedState | 'interrupted';

/** One run folder as the Runs view lists it. */
export interface RunRecord {
  dir: string;
  /** The folder that holds this experiment's runs: <output>/<experiment name>. */
  experimentDir: string;
  experiment: string;
  runId: string;
  backbone: string;
  /** The sweep member the folder name gives: the backbone, then the condition and fold when the sweep has several. */
  member: string;
  state: RunState;
  /** The trainer of a running run, checked to be alive on this machine: the process to follow and to stop. */
  trainer?: TrainerProcess;
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
  /** Where the run's Slurm task is, for a run submitted with `radlab submit`. */
  slurm?: SlurmTask;
  eventsFile: string;
}

export interface ExperimentRuns {
  experiment: string;
  experimentDir: string;
  /** Newest first (run ids are UTC timestamps, so they sort by time). */
  runs: RunRecord[];
}

/**
 * Splits '<run id>-<member>' (run ids look like 20261126-184501; the member is the backbone, which may hold '_'
 * and digits, then -<condition> and -fold<i> when the sweep has several: core/run/runFolder.ts).
 */
export function splitRunFolderName(name: string): { runId: string; member: string } | undefined {
  const match = /^(\d{8}-\d{6})-(.+)$/.exec(name);
  return match ? { runId: match[1]!, member: match[2]! } : undefined;
}

/** Where the trainer process run.json names is now (core/run/trainerProcess.ts's processPresence). */
export type PresenceCheck = (trainer: TrainerProcess) => ProcessPresence;

/**
 * One run folder's record. `presenceOf` decides whether a run that run.json calls 'running' still has its
 * process: one whose trainer died without writing its end, or whose run.json names no checkable process, is
 * 'interrupted'. A trainer on another host (a shared file system) cannot be checked from here, so run.json's
 * word stands, but the run has no process here to follow or stop.
 */
export function readRunFolder(dir: string, presenceOf: PresenceCheck): RunRecord {
  const fromName = splitRunFolderName(path.basename(dir));
  const experimentDir = path.dirname(dir);
  const base: RunRecord = {
    dir,
    experimentDir,
    experiment: path.basename(experimentDir),
    runId: fromName?.runId ?? path.basename(dir),
    backbone: fromName?.member ?? '?',
    member: fromName?.member ?? path.basename(dir),
    state: 'interrupted',
    eventsFile: path.join(dir, EVENTS_FILE),
  };
  const read = readRunJson(dir);
  if ('absent' in read) return { ...base, problem: `${path.join(dir, RUN_JSON)} does not exist` };
  if ('problem' in read) return { ...base, problem: read.problem };
  const json = read.value;
  let state: RunState = json.status;
  let trainer: TrainerProcess | undefined;
  // A Slurm run's trainer is a process on a compute node, which this machine cannot watch: its state is run.json's.
  if (state === 'running' && json.slurm === undefined) {
    const recorded = recordedTrainer(json);
    const presence = recorded === undefined ? 'gone' : presenceOf(recorded);
    if (presence === 'gone') state = 'interrupted';
    if (presence === 'alive') trainer = recorded;
  }
  const metrics = state === 'completed' ? readMetricsJson(dir) : undefined;
  return {
    ...base,
    experiment: json.experiment,
    runId: json.runId,
    backbone: json.backbone,
    state,
    trainer,
    startedAt: json.startedAt,
    endedAt: json.endedAt,
    engine: engineName(json),
    device: deviceName(json),
    error: json.error,
    ...(json.slurm !== undefined ? { slurm: json.slurm } : {}),
    testMacroF1: metrics !== undefined && 'value' in metrics ? metrics.value.test.macro.f1 : undefined,
  };
}

const UNREADABLE_FOLDER = new Set(['ENOENT', 'ENOTDIR', 'EACCES', 'EPERM']);

// Folders that never hold runs but can be huge (dependencies, DICOM images, version control).
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', 'train_images', 'trained_models', 'plots', 'results']);

/** Every folder at most `maxDepth` levels below `root` (root itself is depth 0) that holds a run.json. */
export function findRunFolders(root: string, maxDepth = 3): string[] {
  const found: string[] = [];
  const visit = (folder: string, depth: number): void => {
    let entries;
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (error) {
      // Gone since it was listed, not a folder, or not ours to read: it holds no runs we can show.
      if (UNREADABLE_FOLDER.has((error as NodeJS.ErrnoException).code ?? '')) return;
      throw error;
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

/** A YAML text's top-level mapping, without validation; undefined when it does not parse or is not a mapping. */
export function lenientYamlMapping(text: string): Record<string, unknown> | undefined {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    if (error instanceof YAMLError) return undefined;
    throw error;
  }
  return isRecord(document) ? document : undefined;
}

/**
 * The folder an experiment file writes its run folders to (<output>/<name>), read from the file without full
 * validation: an experiment that no longer validates still has runs worth showing. Undefined when the file
 * names no experiment.
 */
export function experimentRunsFolder(experimentFile: string, text: string): string | undefined {
  const document = lenientYamlMapping(text);
  if (document === undefined || typeof document.name !== 'string' || document.name === '') return undefined;
  const defaultOutput = experimentSchema.fields.output!.default as string;
  const output = typeof document.output === 'string' ? document.output : defaultOutput;
  return path.join(resolveFromFile(experimentFile, output), document.name);
}

/** Reads every run under `experimentDirs` (each an <output>/<name> folder) and groups them by experiment folder. */
export function scanRuns(experimentDirs: readonly string[], presenceOf: PresenceCheck): ExperimentRuns[] {
  const groups = new Map<string, ExperimentRuns>();
  for (const experimentDir of new Set(experimentDirs.map((d) => path.resolve(d)))) {
    for (const dir of findRunFolders(experimentDir, 1)) {
      const record = readRunFolder(dir, presenceOf);
      const group = groups.get(record.experimentDir) ?? { experiment: record.experiment, experimentDir: record.experimentDir, runs: [] };
      group.runs.push(record);
      groups.set(record.experimentDir, group);
    }
  }
  for (const group of groups.values()) group.runs.sort((a, b) => b.runId.localeCompare(a.runId) || a.backbone.localeCompare(b.backbone));
  return [...groups.values()].sort((a, b) => a.experiment.localeCompare(b.experiment));
}

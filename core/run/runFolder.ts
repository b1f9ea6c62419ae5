// A run is a folder: everything one sweep member's run produces lives under
// <output>/<experiment name>/<run id>-<backbone>[-<condition>][-fold<i>]/, so any panel can be rebuilt from disk
// alone.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ResolvedRun } from '../experiment/resolvedRun';
import { checkOutputSpace, checkOutputWritable } from './outputSpace';

export interface RunPaths {
  runId: string;
  dir: string;
  results: string;
  trainedModels: string;
  plots: string;
  events: string;
  runJson: string;
  resolvedExperiment: string;
  /** Written at every epoch end: the state a resumed run continues from. */
  lastCheckpoint: string;
  /** The checkpoint of the best epoch by select_best, used for the test set. */
  bestCheckpoint: string;
}

/** The shape of a run id, as runIdAt writes it. */
export const RUN_ID = /^\d{8}-\d{6}$/;

/** Sortable and readable: 20261126-184501. */
export function runIdAt(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`;
}

export function runPaths(dir: string, runId: string): RunPaths {
  const trainedModels = join(dir, 'trained_models');
  return {
    runId,
    dir,
    results: join(dir, 'results'),
    trainedModels,
    plots: join(dir, 'plots'),
    events: join(dir, 'events.jsonl'),
    runJson: join(dir, 'run.json'),
    resolvedExperiment: join(dir, 'experiment.resolved.yaml'),
    lastCheckpoint: join(trainedModels, 'last'),
    bestCheckpoint: join(trainedModels, 'best'),
  };
}

export function createRunFolder(run: ResolvedRun, runId: string): RunPaths {
  const paths = runPaths(join(run.output, `${runId}-${run.memberName}`), runId);
  // Refused here, before any folder is made or any data prepared: an output under a file, or a full disk.
  checkOutputWritable(run, paths.dir);
  checkOutputSpace(run, paths.dir);
  for (const folder of [paths.results, paths.trainedModels, paths.plots]) mkdirSync(folder, { recursive: true });
  writeFileSync(
    paths.resolvedExperiment,
    `# The experiment exactly as this run executed it: every default filled in, paths absolute.\n${stringify(run)}`,
  );
  return paths;
}

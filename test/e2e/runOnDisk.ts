// What a training run left on disk, read by the scenarios as the truth the editor's views are checked against:
// the run folders under <workspace>/runs/<experiment>/, their run.json and results/metrics.json.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

/** The fields of run.json the scenarios look at (the trainer writes more). */
export interface RunJson {
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  runId: string;
  experiment: string;
  backbone: string;
  pid?: number;
}

/** The fields of results/metrics.json the run panel is checked against. */
export interface MetricsJson {
  test: {
    samples: number;
    accuracy: number;
    perClass: { precision: number; recall: number; f1: number; support: number }[];
    macro: { precision: number; recall: number; f1: number };
    weighted: { precision: number; recall: number; f1: number };
    confusion: { counts: number[][]; normalised: number[][] };
  };
  history: { epoch: number }[];
}

/** Run folders of one experiment (<workspace>/runs/<experiment>/<run id>-<backbone>), oldest first. */
export function runFolders(workspace: string, experiment: string): string[] {
  const experimentDir = path.join(workspace, 'runs', experiment);
  if (!existsSync(experimentDir)) return [];
  return readdirSync(experimentDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(path.join(experimentDir, entry.name, 'run.json')))
    .map((entry) => path.join(experimentDir, entry.name))
    .sort();
}

/** run.json of a run folder, or undefined while it is missing or half written. */
export function readRunJson(runDir: string): RunJson | undefined {
  try {
    return JSON.parse(readFileSync(path.join(runDir, 'run.json'), 'utf8')) as RunJson;
  } catch {
    return undefined;
  }
}

export function readMetrics(runDir: string): MetricsJson {
  return JSON.parse(readFileSync(path.join(runDir, 'results', 'metrics.json'), 'utf8')) as MetricsJson;
}

/** The event types of events.jsonl in order, e.g. to see whether a stopped run ended with its own run-end. */
export function eventLog(runDir: string): { type: string; status?: string; epoch?: number }[] {
  const file = path.join(runDir, 'events.jsonl');
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { type: string; status?: string; epoch?: number });
}

/** Whether a process with this id is still there (signal 0 only checks). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Ends the trainers of runs under <workspace>/runs that run.json still calls running, with their process groups (a
 * trainer leads its own), so a scenario that failed mid-run leaves no training behind.
 */
export function stopLeftoverTrainers(workspace: string): void {
  const runsRoot = path.join(workspace, 'runs');
  if (!existsSync(runsRoot)) return;
  for (const experiment of readdirSync(runsRoot)) {
    for (const runDir of runFolders(workspace, experiment)) {
      const run = readRunJson(runDir);
      if (run?.status !== 'running' || run.pid === undefined || !processExists(run.pid)) continue;
      for (const target of [-run.pid, run.pid]) {
        try {
          process.kill(target, 'SIGKILL');
        } catch {
          // Not a group leader, or already gone: the other form covers it.
        }
      }
    }
  }
}

/**
 * Runs an experiment of the workspace with the `radlab` CLI from the build, as a terminal user would, and returns
 * its run folder once the run has completed.
 */
export async function runWithCli(
  cli: string,
  workspace: string,
  experiment: { file: string; name: string },
  timeoutMs: number,
): Promise<string> {
  await promisify(execFile)(process.execPath, [cli, 'run', experiment.file], { cwd: workspace, timeout: timeoutMs });
  const [runDir] = runFolders(workspace, experiment.name);
  assert.equal(runDir === undefined ? undefined : readRunJson(runDir)?.status, 'completed');
  return runDir!;
}

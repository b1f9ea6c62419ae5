// What a training run left on disk, read by the scenarios as the truth the editor's views are checked against:
// the run folders under <workspace>/runs/<experiment>/, their run.json and results/metrics.json.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

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
    accuracy: number;
    perClass: { precision: number; recall: number; f1: number; support: number }[];
    macro: { precision: number; recall: number; f1: number };
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

// run.json: the run's status and provenance (engine and why, device, versions, timings, data counts), rewritten
// whenever any of it changes so a reader always finds the latest state, even after a crash.
import { renameSync, writeFileSync } from 'node:fs';
import { versions } from 'node:process';

export type RunState = 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunRecord {
  status: RunState;
  runId: string;
  experiment: string;
  experimentFile: string;
  backbone: string;
  /** The trainer's process while it runs, so an editor reopened later can re-attach or tell it died. */
  pid: number;
  startedAt: string;
  endedAt?: string;
  error?: string;
  engine?: unknown;
  device?: unknown;
  versions: Record<string, string>;
  timings: { datasetSeconds?: number; trainSeconds?: number; testSeconds?: number; totalSeconds?: number };
  counts?: Record<string, unknown>;
  bestEpoch?: number;
  /** Set when this run continued an interrupted one. */
  resumedFrom?: { epoch: number; at: string }[];
}

export function softwareVersions(radlabVersion: string, tfjsVersion: string): Record<string, string> {
  return { radlab: radlabVersion, node: versions.node, v8: versions.v8, 'tfjs-core': tfjsVersion };
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export function writeRunRecord(path: string, record: RunRecord): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, path);
}

// run.json: the run's status and provenance (engine and why, device, versions, timings, data counts), rewritten
// whenever any of it changes so a reader always finds the latest state, even after a crash.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { versions } from 'node:process';
import type { TrainerProcess } from './trainerProcess';

/** `queued`: submitted to a scheduler (Slurm) and waiting for it to start the trainer. */
export type RunState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

export interface RunRecord {
  status: RunState;
  runId: string;
  experiment: string;
  experimentFile: string;
  backbone: string;
  /**
   * The trainer's process while it runs, so an editor reopened later can re-attach or tell it died. Absent while
   * queued; for a Slurm run it is a process on the compute node (see `slurm`), not on the editor's machine.
   * A pid is reused once its process ends, so readers check `host` and `processStartTime` too before treating
   * a process with this pid as the trainer (core/run/trainerProcess.ts).
   */
  pid?: number;
  /** The machine the trainer runs on (os.hostname()). */
  host?: string;
  /** When the trainer process started, as processStartTime() gives it on that machine. */
  processStartTime?: string;
  /** When the trainer started; for a queued run, when it was submitted. */
  startedAt: string;
  /** Set when the run was submitted to Slurm: where its task, job and output are. */
  slurm?: SlurmTask;
  endedAt?: string;
  error?: string;
  /** The failure's stack trace, kept when RADLAB_DEBUG is set: for whoever fixes the bug (users read `error`). */
  errorStack?: string;
  engine?: unknown;
  device?: unknown;
  versions: Record<string, string>;
  timings: { datasetSeconds?: number; trainSeconds?: number; testSeconds?: number; totalSeconds?: number };
  counts?: Record<string, unknown>;
  bestEpoch?: number;
  /** Problems that did not stop the run (e.g. a grade absent from the training split). */
  warnings?: string[];
  /** Set when this run continued an interrupted one. */
  resumedFrom?: { epoch: number; at: string }[];
}

export interface SlurmTask {
  /** The submission record (job.json) of the whole sweep: job ids, batch script, members. */
  submission: string;
  /** This run's index in the job array (its sweep index). */
  arrayIndex: number;
  /** Slurm's output file of this task (stdout and stderr of everything the task ran). */
  outputFile: string;
  submittedAt: string;
  /** <array job id>_<index>, filled in by the task when Slurm starts it. */
  jobId?: string;
  /** The compute node the task ran on. */
  node?: string;
}

/** run.json's fields for the trainer process. */
export function trainerFields(trainer: TrainerProcess): Pick<RunRecord, 'pid' | 'host' | 'processStartTime'> {
  return { pid: trainer.pid, host: trainer.host, processStartTime: trainer.startTime };
}

/**
 * The trainer process run.json names, or undefined when it names none that can be checked: no pid, or a record
 * without host and start time, whose pid alone could be any process by now.
 */
export function recordedTrainer(record: RunRecord): TrainerProcess | undefined {
  const { pid, host, processStartTime } = record;
  if (!Number.isInteger(pid) || pid! <= 0 || typeof host !== 'string' || typeof processStartTime !== 'string')
    return undefined;
  return { pid: pid!, host, startTime: processStartTime };
}

export function softwareVersions(radlabVersion: string, tfjsVersion: string): Record<string, string> {
  return { radlab: radlabVersion, node: versions.node, v8: versions.v8, 'tfjs-core': tfjsVersion };
}

export function readRunRecord(path: string): RunRecord {
  return JSON.parse(readFileSync(path, 'utf8')) as RunRecord;
}

/** The run.json at path, or undefined where there is none yet. */
export function readRunRecordIfAny(path: string): RunRecord | undefined {
  return existsSync(path) ? readRunRecord(path) : undefined;
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export function writeRunRecord(path: string, record: RunRecord): void {
  const temporary = `${path}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(record, null, 2)}\n`);
  renameSync(temporary, path);
}

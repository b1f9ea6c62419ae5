// The state of a Slurm job and of each task of a job array: from squeue while slurmctld still holds the job
// (pending, running, and finished ones for MinJobAge seconds), else from sacct (the accounting database).
import { runSlurmTool, slurmMessage } from './slurmCommands';

export interface TaskState {
  /** 123_4 for array task 4 of job 123; 125 for a plain job. */
  jobId: string;
  arrayIndex?: number;
  /** Slurm's state name: PENDING, RUNNING, COMPLETED, CANCELLED, FAILED, TIMEOUT, OUT_OF_MEMORY, ... */
  state: string;
  /** Why a pending task waits (Resources, Priority, BeginTime, ...) or how a task ended. */
  reason: string;
  exitCode?: string;
}

export type JobStates = { tasks: TaskState[] } | { unknown: string };

/** States after which Slurm runs nothing more for the task (and has ended its processes). */
const FINISHED = new Set([
  'COMPLETED',
  'CANCELLED',
  'FAILED',
  'TIMEOUT',
  'OUT_OF_MEMORY',
  'NODE_FAIL',
  'PREEMPTED',
  'BOOT_FAIL',
  'DEADLINE',
  'REVOKED',
]);

export function isFinished(state: string): boolean {
  return FINISHED.has(state);
}

function arrayIndexOf(jobId: string): number | undefined {
  const match = /_(\d+)$/.exec(jobId);
  return match ? Number(match[1]) : undefined;
}

function fromSqueue(jobId: string): TaskState[] | undefined {
  const result = runSlurmTool('squeue', [
    '--noheader',
    '--array',
    '--states=all',
    `--jobs=${jobId}`,
    '--format=%i|%T|%r',
  ]);
  if (result.code !== 0) return undefined;
  const tasks = result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): TaskState => {
      const [id = '', state = '', reason = ''] = line.trim().split('|');
      const index = arrayIndexOf(id);
      return { jobId: id, ...(index !== undefined ? { arrayIndex: index } : {}), state, reason };
    });
  return tasks.length > 0 ? tasks : undefined;
}

function fromSacct(jobId: string): TaskState[] | string {
  const result = runSlurmTool('sacct', [
    '--noheader',
    '--parsable2',
    '--allocations',
    '--array',
    `--jobs=${jobId}`,
    '--format=JobID,State,ExitCode,Reason',
  ]);
  if (result.code !== 0) return slurmMessage(result);
  const tasks = result.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line): TaskState => {
      const [id = '', state = '', exitCode = '', reason = ''] = line.trim().split('|');
      const index = arrayIndexOf(id);
      // sacct writes "CANCELLED by 1000": the state is the first word.
      return {
        jobId: id,
        ...(index !== undefined ? { arrayIndex: index } : {}),
        state: state.split(' ')[0]!,
        reason,
        exitCode,
      };
    });
  return tasks.length > 0 ? tasks : `sacct knows no job ${jobId}`;
}

export function jobStates(jobId: string): JobStates {
  const queued = fromSqueue(jobId);
  if (queued) return { tasks: queued };
  const accounted = fromSacct(jobId);
  if (typeof accounted !== 'string') return { tasks: accounted };
  return { unknown: `Slurm no longer knows job ${jobId}: squeue does not list it and sacct says: ${accounted}` };
}

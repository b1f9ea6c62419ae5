// A Slurm task can end without its trainer recording the end: it failed before radlab started (a setup line, a
// missing module), was cancelled while pending, or was killed (time limit, memory, node failure). Then run.json
// still says queued or running. Once Slurm reports the task finished, its run.json is brought to that end, with
// the Slurm state and the tail of Slurm's output file, so the Runs view and the summary tell the truth.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRunRecord, writeRunRecord, type RunRecord } from '../run/runRecord';
import { isFinished, type TaskState } from './jobStates';
import type { SubmittedMember } from './submission';

const TAIL_LINES = 15;

export function outputTail(file: string): string {
  if (!existsSync(file)) return `(Slurm's output file ${file} does not exist: the task never started on a node)`;
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  return lines.slice(-TAIL_LINES).join('\n');
}

/** Updates the member's run.json when Slurm says its task ended and run.json has not; returns the new record. */
export function reconcileMember(member: SubmittedMember, task: TaskState | undefined): RunRecord | undefined {
  const file = join(member.runDir, 'run.json');
  if (task === undefined || !isFinished(task.state) || !existsSync(file)) return undefined;
  const record = readRunRecord(file);
  if (record.status !== 'queued' && record.status !== 'running') return undefined;
  const when =
    record.status === 'queued'
      ? 'before the run started'
      : 'while the run was going (the trainer could not record its end)';
  const exit = task.exitCode ? `, exit code ${task.exitCode}` : '';
  const reason = task.reason && task.reason !== 'None' ? ` (Slurm's reason: ${task.reason})` : '';
  const updated: RunRecord = {
    ...record,
    status: task.state === 'CANCELLED' ? 'cancelled' : 'failed',
    endedAt: new Date().toISOString(),
    error:
      `Slurm task ${task.jobId} ended ${task.state}${exit}${reason} ${when}. ` +
      `Slurm's output file ${member.outputFile} ends with:\n${outputTail(member.outputFile)}`,
  };
  writeRunRecord(file, updated);
  return updated;
}

// Where each member of a submitted sweep stands: Slurm's state for its task, and run.json's status once any
// task that ended unrecorded has been reconciled (reconcile.ts).
import { join } from 'node:path';
import { readRunRecordIfAny } from '../run/runRecord';
import { jobStates, type TaskState } from './jobStates';
import { reconcileMember } from './reconcile';
import type { SlurmSubmission, SubmittedMember } from './submission';

export interface MemberStatus extends SubmittedMember {
  /** Slurm's view of the task; absent when Slurm no longer knows the job. */
  task?: TaskState;
  /** run.json's status. */
  runStatus: string;
  error?: string;
}

export interface SweepStatus {
  submission: SlurmSubmission;
  members: MemberStatus[];
  summaryJob?: TaskState;
  /** Why Slurm's states are missing, when they are. */
  slurmProblem?: string;
}

export function sweepStatus(submission: SlurmSubmission, only?: number): SweepStatus {
  const states = jobStates(submission.arrayJobId);
  const tasks = 'tasks' in states ? states.tasks : [];
  const members = submission.members
    .filter((member) => only === undefined || member.index === only)
    .map((member): MemberStatus => {
      const task = tasks.find((t) => t.arrayIndex === member.index);
      const record = reconcileMember(member, task) ?? readRunRecordIfAny(join(member.runDir, 'run.json'));
      return {
        ...member,
        ...(task ? { task } : {}),
        runStatus: record?.status ?? 'missing',
        ...(record?.error !== undefined ? { error: record.error } : {}),
      };
    });
  const summary = submission.summaryJobId !== undefined ? jobStates(submission.summaryJobId) : undefined;
  const summaryJob = summary && 'tasks' in summary ? summary.tasks[0] : undefined;
  return {
    submission,
    members,
    ...(summaryJob ? { summaryJob } : {}),
    ...('unknown' in states ? { slurmProblem: states.unknown } : {}),
  };
}

export function formatSweepStatus(status: SweepStatus): string {
  const { submission } = status;
  const lines = [
    `${submission.experiment} run ${submission.runId}: Slurm job ${submission.arrayJobId} (submitted ${submission.submittedAt})`,
  ];
  for (const member of status.members) {
    const task = member.task;
    const slurm = task
      ? `${task.state}${task.reason && task.reason !== 'None' ? ` (${task.reason})` : ''}`
      : 'unknown to Slurm';
    lines.push(
      `  [${member.index}] ${member.backbone.padEnd(20)} Slurm ${task?.jobId ?? `${submission.arrayJobId}_${member.index}`}: ${slurm}; run: ${member.runStatus}`,
    );
    lines.push(`      ${member.runDir}`);
    if (member.error !== undefined && member.runStatus !== 'completed') {
      lines.push(...member.error.split('\n').map((line) => `      ${line}`));
    }
  }
  if (submission.summaryJobId !== undefined) {
    const job = status.summaryJob;
    lines.push(
      `  summary job ${submission.summaryJobId}: ${job ? `${job.state}${job.reason && job.reason !== 'None' ? ` (${job.reason})` : ''}` : 'unknown to Slurm'}`,
    );
  }
  if (status.slurmProblem) lines.push(`  ${status.slurmProblem}`);
  return `${lines.join('\n')}\n`;
}

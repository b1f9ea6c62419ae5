// `radlab cancel <experiment folder | run folder | Slurm job id> [--run-id ID]`: scancel for a submitted sweep
// (its job array and summary job), one member (its array task: what the editor's Stop Run does on a Slurm run)
// or any job id. A running trainer gets SIGTERM from Slurm, saves its checkpoint and ends `cancelled`; a task
// cancelled while pending has its run.json marked cancelled here.
import { stderr, stdout } from 'node:process';
import { setTimeout as sleep } from 'node:timers/promises';
import { isFinished } from '../slurm/jobStates';
import { runSlurmTool, slurmMessage } from '../slurm/slurmCommands';
import { findSubmission } from '../slurm/submission';
import { formatSweepStatus, sweepStatus } from '../slurm/sweepStatus';
import { parseCommandArgs } from './commandArgs';

const USAGE =
  'Usage: radlab cancel <experiment folder (<output>/<name>) | run folder | Slurm job id> [--run-id <run id>]';
/** How long to wait for Slurm to end the cancelled tasks before reporting (Slurm's KillWait is 30 s by default). */
const SETTLE_MS = 40_000;

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('cancel', USAGE, args, { 'run-id': { type: 'string' } });
  if (parsed === undefined) return 2;
  const [target, ...extra] = parsed.positionals;
  if (target === undefined || extra.length > 0) {
    stderr.write(`radlab cancel: give one experiment folder, run folder or job id.\n${USAGE}\n`);
    return 2;
  }
  try {
    if (/^\d+(_\d+)?$/.test(target)) return scancel([target]) ? 0 : 1;
    const { submission, member } = findSubmission(target, parsed.values['run-id']);
    const jobs =
      member !== undefined
        ? [`${submission.arrayJobId}_${member}`]
        : [submission.arrayJobId, ...(submission.summaryJobId !== undefined ? [submission.summaryJobId] : [])];
    if (!scancel(jobs)) return 1;
    const deadline = Date.now() + SETTLE_MS;
    let status = sweepStatus(submission, member);
    while (status.members.some((m) => m.task !== undefined && !isFinished(m.task.state)) && Date.now() < deadline) {
      await sleep(1000);
      status = sweepStatus(submission, member);
    }
    stdout.write(formatSweepStatus(status));
    return 0;
  } catch (error) {
    stderr.write(`radlab cancel: ${(error as Error).message}\n`);
    return 1;
  }
}

function scancel(jobs: string[]): boolean {
  const result = runSlurmTool('scancel', jobs);
  if (result.code !== 0) {
    stderr.write(`radlab cancel: Slurm did not cancel ${jobs.join(' ')}: ${slurmMessage(result)}\n`);
    return false;
  }
  stdout.write(`Asked Slurm to cancel ${jobs.join(' ')}\n`);
  return true;
}

// `radlab status <experiment folder | run folder | Slurm job id> [--run-id ID] [--json]`: Slurm's state of each
// task of a submitted sweep beside the run's own status; a task that ended without its run recording it is
// written into its run.json (reconcile.ts), with the tail of Slurm's output file.
import { stderr, stdout } from 'node:process';
import { jobStates } from '../slurm/jobStates';
import { findSubmission } from '../slurm/submission';
import { formatSweepStatus, sweepStatus } from '../slurm/sweepStatus';
import { parseCommandArgs } from './commandArgs';

const USAGE =
  'Usage: radlab status <experiment folder (<output>/<name>) | run folder | Slurm job id> [--run-id <run id>] [--json]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('status', USAGE, args, {
    'run-id': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (parsed === undefined) return 2;
  const [target, ...extra] = parsed.positionals;
  if (target === undefined || extra.length > 0) {
    stderr.write(`radlab status: give one experiment folder, run folder or job id.\n${USAGE}\n`);
    return 2;
  }
  try {
    if (/^\d+(_\d+)?$/.test(target)) {
      const states = jobStates(target);
      if (parsed.values.json) stdout.write(`${JSON.stringify(states)}\n`);
      else if ('unknown' in states) stdout.write(`${states.unknown}\n`);
      else
        for (const t of states.tasks)
          stdout.write(`${t.jobId}: ${t.state}${t.reason && t.reason !== 'None' ? ` (${t.reason})` : ''}\n`);
      return 'unknown' in states ? 1 : 0;
    }
    const { submission, member } = findSubmission(target, parsed.values['run-id']);
    const status = sweepStatus(submission, member);
    stdout.write(parsed.values.json ? `${JSON.stringify(status)}\n` : formatSweepStatus(status));
    return 0;
  } catch (error) {
    stderr.write(`radlab status: ${(error as Error).message}\n`);
    return 1;
  }
}

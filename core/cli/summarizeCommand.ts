// `radlab summarize <experiment folder> [--run-id ID]`: writes model_performance_summary.csv for a sweep whose
// members ran in separate processes (the tasks of a Slurm job array; the summary job runs this), reading every
// member back from its run folder. Members of a Slurm submission that ended unrecorded are reconciled first.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { stderr, stdout } from 'node:process';
import { submissionInExperiment } from '../slurm/submission';
import { sweepStatus } from '../slurm/sweepStatus';
import { RUN_ID } from '../run/runFolder';
import { writeCompetitionScores } from '../run/competitionScores';
import { runIdsIn, sweepMembersFromFolders } from '../run/sweepFromFolders';
import { writeSweepSummary } from '../run/sweepSummary';
import { parseCommandArgs } from './commandArgs';

const USAGE = 'Usage: radlab summarize <experiment folder (<output>/<name>)> [--run-id <run id>]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('summarize', USAGE, args, { 'run-id': { type: 'string' } });
  if (parsed === undefined) return 2;
  const [target, ...extra] = parsed.positionals;
  if (target === undefined || extra.length > 0) {
    stderr.write(`radlab summarize: give one experiment folder.\n${USAGE}\n`);
    return 2;
  }
  const folder = resolve(target);
  const runId = parsed.values['run-id'] ?? runIdsIn(folder).at(-1);
  if (!existsSync(folder) || runId === undefined) {
    stderr.write(`radlab summarize: ${folder} holds no run folders (<run id>-<backbone>/run.json).\n`);
    return 1;
  }
  if (!RUN_ID.test(runId)) {
    stderr.write(`radlab summarize: --run-id must look like 20261126-184501, not '${runId}'.\n`);
    return 2;
  }
  const submission = submissionInExperiment(folder, runId);
  if (submission !== undefined) {
    try {
      sweepStatus(submission);
    } catch (error) {
      stderr.write(
        `radlab summarize: could not ask Slurm about job ${submission.arrayJobId} (${(error as Error).message}); summarizing the run folders as they are.\n`,
      );
    }
  }
  const members = sweepMembersFromFolders(folder, runId);
  if (members.length === 0) {
    stderr.write(`radlab summarize: ${folder} has no run folders for run ${runId}.\n`);
    return 1;
  }
  const path = writeSweepSummary(folder, members);
  stdout.write(
    `Sweep summary of run ${runId} (${members.map((m) => `${m.backbone}: ${m.status}`).join(', ')}): ${path}\n`,
  );
  const competition = writeCompetitionScores(folder, members);
  if (competition) stdout.write(`Competition score (all five conditions): ${competition}\n`);
  return 0;
}

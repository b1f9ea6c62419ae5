// `radlab submit`: one experiment's sweep as one Slurm job array (task i trains sweep member i into the sweep's
// shared run id), then a small job that depends on the array and writes the sweep summary once every task ended.
// Run folders are made, with run.json `queued`, before sbatch is called, so a task that starts at once finds
// them; a submission Slurm rejects leaves nothing behind.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ensureSyntheticDataset } from '../data/synthetic/dataset';
import type { ExperimentDiagnostic } from '../experiment/positions';
import { resolveExperiment } from '../experiment/resolve';
import type { ResolvedRun, SlurmOptions } from '../experiment/resolvedRun';
import { createRunFolder, runIdAt } from '../run/runFolder';
import { writeRunRecord } from '../run/runRecord';
import { ARRAY_TASK_ID, batchScriptText, type BatchScript } from './batchScript';
import { runSlurmTool, slurmMessage } from './slurmCommands';
import { submissionFolder, SUBMISSION_FILE, type SlurmSubmission } from './submission';

/** The summary job only reads a few JSON files. */
const SUMMARY_RESOURCES = { cpus: 1, gpus: 0, memory: '1G', time: '00:10:00' };

export type SubmitOutcome =
  | { kind: 'invalid'; diagnostics: ExperimentDiagnostic[] }
  | { kind: 'rejected'; message: string; script: string }
  | { kind: 'submitted'; submission: SlurmSubmission; summaryProblem?: string };

/**
 * `radlabCommand`: how a compute node starts this same radlab (Node executable, its flags, the CLI script);
 * the install must be reachable at the same path there, as on a cluster's shared file system.
 */
export async function submitExperiment(
  file: string,
  overrides: Partial<SlurmOptions>,
  radlabCommand: string[],
  note: (line: string) => void,
): Promise<SubmitOutcome> {
  const resolved = resolveExperiment(readFileSync(file, 'utf8'), file);
  if (!resolved.ok) return { kind: 'invalid', diagnostics: resolved.diagnostics };
  // Fail before anything is written when Slurm's commands are not here.
  runSlurmTool('sbatch', ['--version']);
  const runs = resolved.runs;
  const first = runs[0]!;
  const options: SlurmOptions = { ...first.executor.slurm, ...overrides };
  // Tasks starting together must not all generate the same synthetic dataset: it is made once, here.
  if (first.data.synthetic) {
    note(`Generating the synthetic dataset at ${first.data.root} before submitting`);
    await ensureSyntheticDataset(first.data.root, first.data.synthetic);
  }

  const runId = runIdAt(new Date());
  const experimentFolder = first.output;
  const folder = submissionFolder(experimentFolder, runId);
  mkdirSync(folder, { recursive: true });
  const submittedAt = new Date().toISOString();
  const submissionFile = join(folder, SUBMISSION_FILE);
  const members = runs.map((run) => queueMember(run, runId, folder, submissionFile, submittedAt));

  const arrayScript: BatchScript = {
    jobName: `radlab-${first.name}`,
    array: `0-${runs.length - 1}`,
    output: join(folder, 'task-%a.out'),
    workdir: dirname(file),
    options,
    command: [...radlabCommand, 'run', file, '--member', ARRAY_TASK_ID, '--run-id', runId],
  };
  const script = join(folder, 'job.sh');
  writeFileSync(
    script,
    batchScriptText(
      arrayScript,
      `Written by radlab submit for ${file}, run ${runId}: array task i trains backbone i of the sweep\n(${runs.map((r) => r.model.backbone).join(', ')}).`,
    ),
  );
  const submitted = runSlurmTool('sbatch', ['--parsable', script]);
  if (submitted.code !== 0) {
    for (const member of members) rmSync(member.runDir, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
    return { kind: 'rejected', message: slurmMessage(submitted), script: batchScriptText(arrayScript, '') };
  }
  const arrayJobId = submitted.stdout.trim().split(';')[0]!;
  const submission: SlurmSubmission = {
    runId,
    experiment: first.name,
    experimentFile: file,
    experimentFolder,
    submittedAt,
    arrayJobId,
    script,
    members,
  };

  const summaryOutputFile = join(folder, 'summary.out');
  const summaryScript = join(folder, 'summary.sh');
  writeFileSync(
    summaryScript,
    batchScriptText(
      {
        jobName: `radlab-${first.name}-summary`,
        output: summaryOutputFile,
        workdir: dirname(file),
        options: { ...options, ...SUMMARY_RESOURCES },
        command: [...radlabCommand, 'summarize', experimentFolder, '--run-id', runId],
      },
      `Written by radlab submit: writes the sweep summary of run ${runId} once job ${arrayJobId} has ended.`,
    ),
  );
  // afterany: the summary is wanted whether members completed, failed or were cancelled.
  const summary = runSlurmTool('sbatch', [
    '--parsable',
    `--dependency=afterany:${arrayJobId}`,
    '--kill-on-invalid-dep=yes',
    summaryScript,
  ]);
  let summaryProblem: string | undefined;
  if (summary.code === 0) {
    submission.summaryJobId = summary.stdout.trim().split(';')[0]!;
    submission.summaryOutputFile = summaryOutputFile;
  } else {
    summaryProblem = `the summary job was refused (${slurmMessage(summary)}); run radlab summarize ${experimentFolder} --run-id ${runId} once the tasks have ended`;
  }
  writeFileSync(submissionFile, `${JSON.stringify(submission, null, 2)}\n`);
  return { kind: 'submitted', submission, ...(summaryProblem ? { summaryProblem } : {}) };
}

function queueMember(run: ResolvedRun, runId: string, folder: string, submission: string, submittedAt: string) {
  const paths = createRunFolder(run, runId);
  const outputFile = join(folder, `task-${run.sweepIndex}.out`);
  writeRunRecord(paths.runJson, {
    status: 'queued',
    runId,
    experiment: run.name,
    experimentFile: run.experimentFile,
    backbone: run.model.backbone,
    startedAt: submittedAt,
    versions: {},
    timings: {},
    slurm: { submission, arrayIndex: run.sweepIndex, outputFile, submittedAt },
  });
  return { index: run.sweepIndex, backbone: run.model.backbone, runDir: paths.dir, outputFile };
}

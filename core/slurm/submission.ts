// The record of one submission (job.json), kept with its batch scripts and Slurm output files in
// <output>/<name>/.slurm/<run id>/: which Slurm jobs run which sweep members into which run folders. status,
// cancel and summarize start from it; the Runs view ignores the folder (its name starts with a dot).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readRunRecord } from '../run/runRecord';

export const SUBMISSIONS_FOLDER = '.slurm';
export const SUBMISSION_FILE = 'job.json';

export interface SubmittedMember {
  index: number;
  backbone: string;
  runDir: string;
  outputFile: string;
}

export interface SlurmSubmission {
  runId: string;
  experiment: string;
  experimentFile: string;
  experimentFolder: string;
  submittedAt: string;
  /** The job array: task i runs sweep member i. */
  arrayJobId: string;
  /** The job that writes the sweep summary once every task has ended. */
  summaryJobId?: string;
  summaryOutputFile?: string;
  script: string;
  members: SubmittedMember[];
}

export function submissionFolder(experimentFolder: string, runId: string): string {
  return join(experimentFolder, SUBMISSIONS_FOLDER, runId);
}

export function readSubmission(file: string): SlurmSubmission {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SlurmSubmission;
  } catch (error) {
    throw new Error(`${file} is not a readable RadLab Slurm submission record: ${(error as Error).message}`);
  }
}

/** The submission of `runId` in an experiment folder, or its newest one. */
export function submissionInExperiment(experimentFolder: string, runId?: string): SlurmSubmission | undefined {
  const folder = join(experimentFolder, SUBMISSIONS_FOLDER);
  if (!existsSync(folder)) return undefined;
  const ids = readdirSync(folder)
    .filter((id) => existsSync(join(folder, id, SUBMISSION_FILE)))
    .sort();
  const id = runId ?? ids.at(-1);
  return id !== undefined && ids.includes(id) ? readSubmission(join(folder, id, SUBMISSION_FILE)) : undefined;
}

/**
 * What a user names on the command line: an experiment folder (<output>/<name>, its newest submission), a run
 * folder (its submission, narrowed to that member), or a submission folder or its job.json.
 */
export function findSubmission(target: string, runId?: string): { submission: SlurmSubmission; member?: number } {
  const path = resolve(target);
  if (!existsSync(path)) throw new Error(`${target} does not exist.`);
  if (statSync(path).isFile()) return { submission: readSubmission(path) };
  if (existsSync(join(path, SUBMISSION_FILE))) return { submission: readSubmission(join(path, SUBMISSION_FILE)) };
  const runJson = join(path, 'run.json');
  if (existsSync(runJson)) {
    const record = readRunRecord(runJson);
    if (record.slurm === undefined)
      throw new Error(`${path} is a run that was not submitted to Slurm (its run.json has no slurm section).`);
    return { submission: readSubmission(record.slurm.submission), member: record.slurm.arrayIndex };
  }
  const submission = submissionInExperiment(path, runId);
  if (submission === undefined) {
    throw new Error(
      `${target} holds no Slurm submission${runId ? ` for run ${runId}` : ''}: expected ${join(path, SUBMISSIONS_FOLDER)}/<run id>/${SUBMISSION_FILE}, ` +
        'written by radlab submit. Give the experiment folder (<output>/<name>), a run folder or a Slurm job id.',
    );
  }
  return { submission };
}

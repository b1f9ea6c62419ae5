// The editor's Slurm decisions, kept free of `vscode` so they are unit-tested: where Run Experiment executes
// (this machine or Slurm), what `radlab submit`'s output means for the user, and what Stop Run does on a run.
import { fieldAt } from '../../core/experiment/fieldAt';
import { parseExperiment } from '../../core/experiment/parse';
import type { RunRecord as RunJson } from '../../core/run/runRecord';
import type { SlurmSubmission } from '../../core/slurm/submission';
import type { CliResult } from './cliCommand';
import type { RunRecord } from './runFolders';
import type { RunRequest } from './runManager';
import { cancelArgs } from './slurmRuns';

export type Executor = 'local' | 'slurm';

/**
 * The `radlab.executor` setting wins when it names an executor; `experiment` (the default) defers to the
 * file's executor.name, whose schema default is local. The file has passed validation before this is asked.
 */
export function executorFor(setting: string | undefined, experimentText: string): Executor {
  if (setting === 'local' || setting === 'slurm') return setting;
  return fieldAt(parseExperiment(experimentText), ['executor', 'name']).value === 'slurm' ? 'slurm' : 'local';
}

export type SubmitReport =
  | { kind: 'submitted'; submission: SlurmSubmission; message: string; warnings: string[] }
  | { kind: 'failed'; message: string };

const SUBMIT_PREFIX = 'radlab submit: ';

function isSubmission(value: unknown): value is SlurmSubmission {
  const v = value as SlurmSubmission | null;
  return typeof v === 'object' && v !== null && typeof v.arrayJobId === 'string' && typeof v.experiment === 'string' && Array.isArray(v.members);
}

/** The submission record `radlab submit --json` prints as its one JSON line. */
function submissionIn(stdout: readonly string[]): SlurmSubmission | undefined {
  for (const line of stdout) {
    if (!line.trimStart().startsWith('{')) continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isSubmission(value)) return value;
    } catch {
      // Not the record: the CLI's other output is plain text.
    }
  }
  return undefined;
}

/**
 * What the user is told after `radlab submit --json` ended. The CLI states every refusal on stderr after its
 * "radlab submit: " prefix (sbatch missing, Slurm's own rejection, an invalid file), so those lines are the message.
 */
export function submitReport(result: CliResult): SubmitReport {
  const { exit, stdout, stderr } = result;
  if (exit.startError !== undefined) {
    return { kind: 'failed', message: `the radlab CLI could not start (${exit.startError.message}); check the radlab.nodePath setting.` };
  }
  const stated = stderr.filter((line) => line.startsWith(SUBMIT_PREFIX)).map((line) => line.slice(SUBMIT_PREFIX.length).trim());
  if (exit.code === 0) {
    const submission = submissionIn(stdout);
    if (submission === undefined) return { kind: 'failed', message: 'radlab submit ended without printing its submission record; see the RadLab Runs output.' };
    const backbones = submission.members.map((m) => m.backbone).join(', ');
    const runs = `${submission.members.length} run${submission.members.length === 1 ? '' : 's'}`;
    return {
      kind: 'submitted',
      submission,
      message: `RadLab: ${submission.experiment} was submitted to Slurm as job ${submission.arrayJobId} (${runs}: ${backbones}).`,
      warnings: stated,
    };
  }
  const how = exit.signal !== null ? `it was killed by ${exit.signal}` : `exit code ${exit.code}`;
  let message = stated.length > 0 ? stated.join(' ') : stderr.length > 0 ? stderr.slice(-3).join(' ') : `radlab submit failed (${how}) without a message.`;
  if (/\bsbatch was not found on PATH\b/.test(message)) message += ' To train on this machine instead, set radlab.executor to "local".';
  return { kind: 'failed', message };
}

/** The first "radlab <command>: " line of a failed status or cancel, else the last stderr lines. */
export function cliFailure(command: 'status' | 'cancel', result: CliResult): string {
  if (result.exit.startError !== undefined) return `the radlab CLI could not start (${result.exit.startError.message}); check the radlab.nodePath setting.`;
  const prefix = `radlab ${command}: `;
  const stated = result.stderr.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length).trim());
  if (stated.length > 0) return stated.join(' ');
  return result.stderr.length > 0 ? result.stderr.slice(-3).join(' ') : `radlab ${command} ended with exit code ${result.exit.code}`;
}

/** A Slurm run whose state only `radlab status` can move on (Slurm may start, end or lose its task). */
export function needsStatusPolling(run: Pick<RunRecord, 'slurm' | 'state' | 'problem'>): boolean {
  return run.problem === undefined && run.slurm !== undefined && (run.state === 'queued' || run.state === 'running');
}

export type StopPlan =
  | { kind: 'cancel-slurm'; runDir: string; args: string[] }
  | { kind: 'stop-local' }
  | { kind: 'pick-slurm' }
  | { kind: 'nothing'; message: string };

export interface StopContext {
  /** The run folder Stop was invoked on; undefined from the command palette. */
  clickedDir?: string;
  /** The clicked run's run.json as read now (undefined when it cannot be read). */
  clickedRecord?: Pick<RunJson, 'status' | 'slurm'>;
  /** Whether the run manager follows the clicked folder (a resumed or re-attached local run). */
  followsClicked: boolean;
  /** What the run manager is doing, if anything. */
  localActive?: RunRequest['kind'];
  /** How many Slurm runs are queued or running, for Stop from the palette. */
  slurmRunsGoing: number;
}

/**
 * Stop on a Slurm run cancels its array task (`radlab cancel <run dir>`; the trainer saves its checkpoint and
 * ends `cancelled`); on a local run the run manager stops its process. From the palette the local run comes
 * first, since it is the one this window started; otherwise the user picks among the Slurm runs.
 */
export function stopPlan(context: StopContext): StopPlan {
  const { clickedDir, clickedRecord } = context;
  if (clickedDir !== undefined) {
    // Checked first: a Slurm run resumed in this window runs here, though its run.json keeps its Slurm record.
    if (context.followsClicked) return { kind: 'stop-local' };
    if (clickedRecord?.slurm !== undefined) {
      return clickedRecord.status === 'queued' || clickedRecord.status === 'running'
        ? { kind: 'cancel-slurm', runDir: clickedDir, args: cancelArgs(clickedDir) }
        : { kind: 'nothing', message: `RadLab: that Slurm run is not going any more (run.json says ${clickedRecord.status}).` };
    }
    // A run this window started learns its folder late, so a click on any local run stops the started one.
    if (context.localActive === 'run') return { kind: 'stop-local' };
    return { kind: 'nothing', message: 'RadLab: that run is not going any more.' };
  }
  if (context.localActive !== undefined) return { kind: 'stop-local' };
  if (context.slurmRunsGoing > 0) return { kind: 'pick-slurm' };
  return { kind: 'nothing', message: 'RadLab: no run is going.' };
}

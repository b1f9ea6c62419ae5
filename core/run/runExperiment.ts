// `radlab run`: validates and resolves the experiment, then runs each member of the sweep (backbone × condition ×
// fold) in turn (a failed member does not stop the others) and writes the sweep summary beside the run folders,
// with the competition score when every condition was graded.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { ExperimentDiagnostic } from '../experiment/positions';
import { resolveExperiment } from '../experiment/resolve';
import type { ResolvedRun } from '../experiment/resolvedRun';
import { releaseEngine } from '../engine/selectEngine';
import { EventWriter } from '../train/events';
import { Cancellation } from './cancellation';
import { checkOutputSpace } from './outputSpace';
import { createRunFolder, runIdAt, runPaths, type RunPaths } from './runFolder';
import { readRunRecord, readRunRecordIfAny } from './runRecord';
import { writeCompetitionScores } from './competitionScores';
import { writeSweepSummary, type SweepMember } from './sweepSummary';
import type { ProgressDisplay } from './terminalProgress';
import { trainRun } from './trainRun';

export interface RunOptions {
  display: ProgressDisplay;
  /** Also write events to stdout (for the editor reading the child process). */
  eventsOut?: { write(text: string): unknown };
  radlabVersion: string;
}

export type ExperimentOutcome =
  | { kind: 'invalid'; diagnostics: ExperimentDiagnostic[] }
  | { kind: 'ran'; members: SweepMember[]; summary?: string; competition?: string };

/** A sweep member and how to get its folder: made when the member starts, so a stopped sweep leaves no empty ones. */
interface Member {
  run: ResolvedRun;
  folder: () => RunPaths;
  resuming: boolean;
}

async function runMembers(runs: Member[], options: RunOptions) {
  const cancellation = new Cancellation();
  const members: SweepMember[] = [];
  try {
    for (const { run, folder, resuming } of runs) {
      if (cancellation.requested) break;
      const paths = folder();
      options.display.note(
        `Run ${paths.runId}-${run.memberName ?? run.model.backbone} (${run.sweepIndex + 1} of ${run.sweepSize}) → ${paths.dir}`,
      );
      const events = new EventWriter(paths.events, options.eventsOut);
      const member = await trainRun(run, {
        paths,
        events,
        cancellation,
        display: options.display,
        radlabVersion: options.radlabVersion,
        resuming,
      });
      members.push({ ...member, condition: run.data.condition, fold: run.data.split.fold ?? null });
      const name = run.memberName ?? run.model.backbone;
      options.display.note(
        member.status !== 'completed'
          ? `${name}: ${member.status}${member.error ? `: ${member.error}` : ''}; logs and checkpoint kept in ${paths.dir}`
          : member.testAccuracy === undefined
            ? `${name}: completed; results in ${paths.dir}` // a localizer: its test line came from its run
            : `${name}: test accuracy ${member.testAccuracy.toFixed(3)}, macro-F1 ${member.testMacroF1?.toFixed(3)}, weighted log loss ${member.testWeightedLogLoss?.toFixed(3)}; results in ${paths.dir}`,
      );
    }
  } finally {
    cancellation.dispose();
    releaseEngine();
    options.display.done();
  }
  return members;
}

/**
 * One member of a sweep, run into a run id chosen beforehand: how each task of a Slurm job array runs its
 * backbone into the sweep's shared folder. A member that a requeued task finds started is resumed; one that
 * already completed is left alone.
 */
export interface MemberSelection {
  member: number;
  runId: string;
}

export async function runExperimentFile(
  file: string,
  options: RunOptions,
  selection?: MemberSelection,
): Promise<ExperimentOutcome> {
  const resolved = resolveExperiment(readFileSync(file, 'utf8'), file);
  if (!resolved.ok) return { kind: 'invalid', diagnostics: resolved.diagnostics };
  if (selection === undefined) {
    const runId = runIdAt(new Date());
    const runs = resolved.runs.map((run) => ({ run, folder: () => createRunFolder(run, runId), resuming: false }));
    const members = await runMembers(runs, options);
    const output = resolved.runs[0]!.output;
    const summary = members.length > 1 ? writeSweepSummary(output, members) : undefined;
    const competition = writeCompetitionScores(output, members);
    return { kind: 'ran', members, ...(summary ? { summary } : {}), ...(competition ? { competition } : {}) };
  }
  const run = resolved.runs[selection.member];
  if (run === undefined) {
    throw new Error(
      `${file} has ${resolved.runs.length} sweep member(s) (0 to ${resolved.runs.length - 1}); there is no member ${selection.member}.`,
    );
  }
  const paths = createRunFolder(run, selection.runId);
  const earlier = readRunRecordIfAny(paths.runJson)?.status ?? 'queued';
  if (earlier === 'completed') {
    options.display.note(`${paths.dir} already completed; nothing to run.`);
    return { kind: 'ran', members: [] };
  }
  const members = await runMembers([{ run, folder: () => paths, resuming: earlier !== 'queued' }], options);
  return { kind: 'ran', members };
}

/** Continues an interrupted run from its folder: the resolved experiment there is what runs, unchanged. */
export async function resumeRun(runDir: string, options: RunOptions): Promise<ExperimentOutcome> {
  const recordFile = join(runDir, 'run.json');
  const resolvedFile = join(runDir, 'experiment.resolved.yaml');
  if (!existsSync(recordFile) || !existsSync(resolvedFile)) {
    throw new Error(`${runDir} is not a RadLab run folder (it needs run.json and experiment.resolved.yaml).`);
  }
  const record = readRunRecord(recordFile);
  if (record.status === 'completed') throw new Error(`${runDir} already completed; nothing to resume.`);
  const run = parse(readFileSync(resolvedFile, 'utf8')) as ResolvedRun;
  if (run.output !== dirname(runDir)) run.output = dirname(runDir);
  checkOutputSpace(run, runDir);
  const members = await runMembers([{ run, folder: () => runPaths(runDir, record.runId), resuming: true }], options);
  return { kind: 'ran', members };
}

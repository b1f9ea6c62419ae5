// The Markdown tooltip of a run in the Runs view: the sweep member (backbone, condition, fold) in bold, then one line per fact, every fact escaped
// as text (an error message or a path may hold Markdown characters) and every time in the user's own time zone.
// No `vscode` import, so it is unit-tested against a Markdown renderer.
import { markdownText } from '../../core/experiment/markdownText';
import type { RunRecord } from './runFolders';

export interface TimeFormat {
  /** BCP 47 locale; undefined takes the host's. */
  locale?: string;
  /** IANA time zone; undefined takes the host's. */
  timeZone?: string;
}

/** An ISO timestamp as a local date and time ("1 Dec 2026, 21:52:07"); anything unparsable is shown as written. */
export function localTime(iso: string, format: TimeFormat = {}): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(format.locale, { dateStyle: 'medium', timeStyle: 'medium', timeZone: format.timeZone });
}

export function runTooltipMarkdown(run: RunRecord, stateWords: string, format: TimeFormat = {}): string {
  const lines = [`run ${run.runId}: ${stateWords}`];
  if (run.testMacroF1 !== undefined) lines.push(`Test macro-F1: ${run.testMacroF1.toFixed(4)}`);
  if (run.engine !== undefined) lines.push(`Engine: ${run.engine}${run.device !== undefined ? ` on ${run.device}` : ''}`);
  if (run.startedAt !== undefined) lines.push(`Started: ${localTime(run.startedAt, format)}`);
  if (run.endedAt !== undefined) lines.push(`Ended: ${localTime(run.endedAt, format)}`);
  if (run.slurm !== undefined) {
    const task =
      run.slurm.jobId !== undefined
        ? `job ${run.slurm.jobId}${run.slurm.node !== undefined ? ` on ${run.slurm.node}` : ''}`
        : `array task ${run.slurm.arrayIndex}, not started yet`;
    lines.push(`Slurm: ${task}; output in ${run.slurm.outputFile}`);
  }
  if (run.error !== undefined) lines.push(`Error: ${run.error}`);
  if (run.problem !== undefined) lines.push(run.problem);
  lines.push(`Folder: ${run.dir}`);
  return [`**${markdownText(run.member)}**, ${markdownText(lines[0]!)}`, ...lines.slice(1).map(markdownText)].join(
    '\n\n',
  );
}

// How every kind of run (grader or localizer) ends: status and timings in run.json, the run-end event, and the
// sweep member the caller reports.
import type { EventWriter } from '../train/events';
import type { RunPaths } from './runFolder';
import { writeRunRecord, type RunRecord } from './runRecord';
import type { SweepMember } from './sweepSummary';

/** Seconds since a `performance.now()` reading. */
export function seconds(since: number): number {
  return (performance.now() - since) / 1000;
}

export interface EndingRun {
  record: RunRecord;
  paths: RunPaths;
  events: EventWriter;
  member: SweepMember;
  /** `performance.now()` when the run started. */
  started: number;
}

export function finishRun(
  run: EndingRun,
  status: 'completed' | 'failed' | 'cancelled',
  error?: string,
  metrics?: Record<string, unknown>,
): SweepMember {
  const { record, paths, events, member } = run;
  record.status = status;
  record.endedAt = new Date().toISOString();
  record.timings.totalSeconds = seconds(run.started);
  if (error !== undefined) record.error = error;
  writeRunRecord(paths.runJson, record);
  events.emit({
    type: 'run-end',
    status,
    ...(error !== undefined ? { error } : {}),
    ...(metrics ? { metrics } : {}),
  });
  member.status = status;
  member.durationSeconds = record.timings.totalSeconds;
  if (error !== undefined) member.error = error;
  return member;
}

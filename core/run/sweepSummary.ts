// model_performance_summary.csv: one row per backbone of a sweep, written beside the run folders once every
// member has finished (a failed member gets its row with status failed and empty scores).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

export interface SweepMember {
  backbone: string;
  runId: string;
  runDir: string;
  status: string;
  params?: number;
  bestEpoch?: number;
  bestValMacroF1?: number;
  testAccuracy?: number;
  testMacroF1?: number;
  testWeightedF1?: number;
  testWeightedLogLoss?: number;
  durationSeconds?: number;
  error?: string;
}

export const SUMMARY_FILE = 'model_performance_summary.csv';

const COLUMNS: [string, (m: SweepMember) => string | number | undefined][] = [
  ['backbone', (m) => m.backbone],
  ['run_id', (m) => m.runId],
  ['status', (m) => m.status],
  ['params', (m) => m.params],
  ['best_epoch', (m) => m.bestEpoch],
  ['best_val_macro_f1', (m) => m.bestValMacroF1],
  ['test_accuracy', (m) => m.testAccuracy],
  ['test_macro_f1', (m) => m.testMacroF1],
  ['test_weighted_f1', (m) => m.testWeightedF1],
  ['test_weighted_log_loss', (m) => m.testWeightedLogLoss],
  ['duration_s', (m) => (m.durationSeconds === undefined ? undefined : Math.round(m.durationSeconds))],
  ['run_dir', (m) => m.runDir],
  ['error', (m) => m.error],
];

function cell(value: string | number | undefined): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? String(Number(value.toFixed(6))) : value;
}

export function sweepSummaryCsv(members: readonly SweepMember[]): string {
  const rows = members.map((member) => COLUMNS.map(([, read]) => cell(read(member))));
  return stringify([COLUMNS.map(([name]) => name), ...rows]);
}

export function writeSweepSummary(experimentFolder: string, members: readonly SweepMember[]): string {
  const path = join(experimentFolder, SUMMARY_FILE);
  writeFileSync(path, sweepSummaryCsv(members));
  return path;
}

// model_performance_summary.csv: one row per member of a sweep, written beside the run folders once every
// member has finished (a failed member gets its row with status failed and empty scores). The condition and fold
// columns appear when the sweep varies them; under cross-validation each backbone and condition also gets a
// `mean` and a `std` row over its completed folds.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';

export interface SweepMember {
  backbone: string;
  /** The condition the member graded, and its test fold under cross-validation (null without). */
  condition?: string;
  fold?: number | null;
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

type Cell = string | number | undefined;

/** The scores averaged across folds. */
const SCORES = ['bestValMacroF1', 'testAccuracy', 'testMacroF1', 'testWeightedF1', 'testWeightedLogLoss'] as const;

const COLUMNS: [string, (m: SweepMember) => Cell][] = [
  ['backbone', (m) => m.backbone],
  ['condition', (m) => m.condition],
  ['fold', (m) => m.fold ?? undefined],
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

export function cell(value: Cell): string {
  if (value === undefined) return '';
  return typeof value === 'number' ? String(Number(value.toFixed(6))) : value;
}

/** Mean and sample standard deviation (n − 1); the deviation is undefined for fewer than two values. */
export function meanAndStd(values: readonly number[]): { mean: number; std: number | undefined } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, std: undefined };
  const variance = values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

/** Members grouped by a key, groups in the order they first appear. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string): T[][] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group === undefined) groups.set(k, [item]);
    else group.push(item);
  }
  return [...groups.values()];
}

/** The `mean` and `std` rows of one backbone and condition over its completed folds; none when none completed. */
function foldStatistics(members: readonly SweepMember[]): [string, SweepMember][] {
  const completed = members.filter((m) => m.status === 'completed');
  if (completed.length === 0) return [];
  const first = members[0]!;
  const row = (statistic: 'mean' | 'std'): SweepMember => ({
    backbone: first.backbone,
    condition: first.condition,
    runId: first.runId,
    runDir: '',
    status: `${statistic} of ${completed.length} completed folds`,
  });
  const mean = row('mean');
  const std = row('std');
  for (const score of SCORES) {
    const values = completed.map((m) => m[score]).filter((v): v is number => v !== undefined);
    if (values.length === 0) continue;
    const stats = meanAndStd(values);
    mean[score] = stats.mean;
    std[score] = stats.std;
  }
  return [
    ['mean', mean],
    ['std', std],
  ];
}

export function sweepSummaryCsv(members: readonly SweepMember[]): string {
  const conditions = new Set(members.map((m) => m.condition)).size > 1;
  const folds = members.some((m) => m.fold !== undefined && m.fold !== null);
  const columns = COLUMNS.filter(([name]) => (name !== 'condition' || conditions) && (name !== 'fold' || folds));
  const rows = members.map((member) => columns.map(([, read]) => cell(read(member))));
  if (folds) {
    for (const group of groupBy(members, (m) => `${m.backbone}\u0000${m.condition}`)) {
      for (const [statistic, row] of foldStatistics(group)) {
        rows.push(columns.map(([name, read]) => (name === 'fold' ? statistic : cell(read(row)))));
      }
    }
  }
  return stringify([columns.map(([name]) => name), ...rows]);
}

export function writeSweepSummary(experimentFolder: string, members: readonly SweepMember[]): string {
  const path = join(experimentFolder, SUMMARY_FILE);
  writeFileSync(path, sweepSummaryCsv(members));
  return path;
}

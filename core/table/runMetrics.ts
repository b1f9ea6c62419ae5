// A run's numbers as table columns and curves, named as users type them in a filter (`val.macro_f1`,
// `test.rsna_score`): the curves from metrics.json's history or the trainer's epoch-end events, the validation
// scores of the best epoch (the checkpoint that was tested), and the test scores of metrics.json, with the
// competition score and its terms, calibration and temperature scaling where the run wrote them.
import type { RunMetricsFile } from '../run/metricsFile';
import type { RunHistory } from './tableRun';

/** One epoch's scores, as metrics.json's history and the epoch-end events both carry them. */
export interface EpochRecord {
  epoch: number;
  lr: number | null;
  train: { loss: number; accuracy: number; macroF1: number };
  val: { loss: number; accuracy: number; macroF1: number; weightedLogLoss?: number };
}

/** The curves of a run, epochs ascending; a series that some epoch lacks (old logs) is left out. */
export function historyOf(epochs: readonly EpochRecord[]): RunHistory {
  const ordered = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const read: Record<string, (e: EpochRecord) => number | null | undefined> = {
    'train.loss': (e) => e.train.loss,
    'train.accuracy': (e) => e.train.accuracy,
    'train.macro_f1': (e) => e.train.macroF1,
    'val.loss': (e) => e.val.loss,
    'val.accuracy': (e) => e.val.accuracy,
    'val.macro_f1': (e) => e.val.macroF1,
    'val.weighted_log_loss': (e) => e.val.weightedLogLoss,
    lr: (e) => e.lr,
  };
  const series: Record<string, number[]> = {};
  for (const [name, value] of Object.entries(read)) {
    const values = ordered.map(value);
    if (ordered.length > 0 && values.every((v): v is number => typeof v === 'number')) series[name] = values;
  }
  return { epochs: ordered.map((e) => e.epoch), series };
}

/** The validation scores of the best epoch (`val.*`) and the epoch itself; none before a best epoch exists. */
export function bestEpochMetrics(history: RunHistory, bestEpoch: number | null): Record<string, number> {
  const at = bestEpoch === null ? -1 : history.epochs.indexOf(bestEpoch);
  if (at < 0) return {};
  const metrics: Record<string, number> = { best_epoch: bestEpoch! };
  for (const [name, values] of Object.entries(history.series)) {
    if (name.startsWith('val.')) metrics[name] = values[at]!;
  }
  return metrics;
}

/** Test scores of metrics.json (`test.*`), skipping what this run's version of radlab did not write. */
export function testMetrics(file: RunMetricsFile): Record<string, number> {
  const { test, temperatureScaling } = file;
  const candidates: [string, number | null | undefined][] = [
    ['test.accuracy', test.accuracy],
    ['test.macro_f1', test.macro.f1],
    ['test.weighted_f1', test.weighted.f1],
    ['test.macro_precision', test.macro.precision],
    ['test.macro_recall', test.macro.recall],
    ['test.rsna_score', test.rsna.score],
    ['test.rsna_condition_loss', test.rsna.conditionLoss],
    ['test.rsna_any_severe_loss', test.rsna.anySevereLoss],
    ['test.top_label_ece', test.calibration?.topLabel.ece],
    ['test.classwise_ece', test.calibration?.classwiseEce],
    ['test.temperature', temperatureScaling?.temperature],
    ['test.calibrated_rsna_score', temperatureScaling?.test.after.score],
    ['test.calibrated_top_label_ece', temperatureScaling?.test.after.topLabelEce],
  ];
  return Object.fromEntries(candidates.filter((c): c is [string, number] => Number.isFinite(c[1])));
}

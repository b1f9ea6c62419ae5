// The test split's results in the run folder: metrics.json, the CSVs and the plots, each announced as an event.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SampleCache } from '../data/sampleCache';
import type { ResolvedRun } from '../experiment/resolvedRun';
import { calibrationReport } from '../metrics/calibration';
import { classificationReport } from '../metrics/classification';
import { weightedLogLossByLevel } from '../metrics/levelLogLoss';
import { writeRunPlots } from '../metrics/plots';
import { oneVsRestPrecisionRecall } from '../metrics/precisionRecall';
import { writeResultCsvs } from '../metrics/predictionsCsv';
import { oneVsRestRoc } from '../metrics/roc';
import { temperatureScalingReport } from '../metrics/temperatureScaling';
import { rsnaConditionScore, type GradedSample } from '../metrics/rsnaLogLoss';
import type { EventWriter } from '../train/events';
import type { Predictions } from '../train/predict';
import type { TrainingProgress } from '../train/trainingCheckpoint';
import { METRICS_FILE, type RunMetricsFile } from './metricsFile';
import type { RunPaths } from './runFolder';

export const BEST_MODEL_FILE = 'model.safetensors';

export function gradedSamples(cache: SampleCache, predictions: Predictions): GradedSample[] {
  return predictions.positions.map((position, i) => ({
    studyId: cache.samples[position]!.studyId,
    level: cache.samples[position]!.level,
    trueLabel: predictions.grades[i]!,
    probabilities: predictions.probabilities[i]!,
  }));
}

/** The test-set results: metrics.json, the CSVs and the plots. Returns the headline numbers. */
export function writeResults(
  run: ResolvedRun,
  cache: SampleCache,
  predictions: Predictions,
  progress: TrainingProgress,
  paths: RunPaths,
  events: EventWriter,
  /** The best checkpoint's validation predictions; given, a temperature is fitted on them (train.calibrate). */
  validation?: Predictions,
) {
  const levels = predictions.positions.map((p) => cache.samples[p]!.level);
  const report = classificationReport(predictions.grades, predictions.probabilities, levels);
  const roc = oneVsRestRoc(predictions.grades, predictions.probabilities);
  const precisionRecall = oneVsRestPrecisionRecall(predictions.grades, predictions.probabilities);
  const calibration = calibrationReport(predictions.grades, predictions.probabilities);
  const graded = gradedSamples(cache, predictions);
  const rsna = rsnaConditionScore(run.data.condition, graded);
  const rsnaByLevel = weightedLogLossByLevel(graded);
  const headline = {
    accuracy: report.accuracy,
    macroF1: report.macro.f1,
    weightedF1: report.weighted.f1,
    macroAuc: roc.macroAuc,
    weightedLogLoss: rsna.score,
  };
  const metrics: RunMetricsFile = {
    condition: run.data.condition,
    backbone: run.model.backbone,
    bestEpoch: progress.bestEpoch,
    selectedBy: run.train.select_best,
    test: { ...report, roc, rsna, calibration, precisionRecall, rsnaByLevel },
    ...(validation && {
      temperatureScaling: temperatureScalingReport(run.data.condition, gradedSamples(cache, validation), graded),
    }),
    history: progress.history,
  };
  const metricsPath = join(paths.results, METRICS_FILE);
  writeFileSync(metricsPath, `${JSON.stringify(metrics, null, 2)}\n`);
  events.emit({ type: 'artifact', kind: 'metrics', path: metricsPath });
  const csvs = writeResultCsvs(paths.results, run.data.condition, graded, report.confusion);
  for (const [kind, path] of Object.entries(csvs)) events.emit({ type: 'artifact', kind, path });
  const plots = writeRunPlots(paths.plots, {
    history: progress.history.map((h) => ({
      epoch: h.epoch,
      train: h.train,
      val: { loss: h.val.loss, accuracy: h.val.accuracy, macroF1: h.val.macroF1 },
    })),
    confusion: report.confusion,
    roc,
    precisionRecall,
    calibration,
  });
  for (const [kind, path] of Object.entries(plots)) events.emit({ type: 'artifact', kind: `plot-${kind}`, path });
  events.emit({ type: 'artifact', kind: 'model', path: join(paths.trainedModels, BEST_MODEL_FILE) });
  return headline;
}

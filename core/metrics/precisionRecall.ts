// One-vs-rest precision-recall curves and average precision (AP) for the three grades, beside ROC (roc.ts).
//
// For grade k the score of a sample is its predicted probability of k and it is positive when its true grade is k.
// Walking the distinct scores from highest to lowest (tied samples enter together), threshold t counts samples
// with score >= t as predicted positive: precision = TP / (TP + FP), recall = TP / positives. The curve starts
// at (recall 0, precision 1), scikit-learn's end point, and then follows the thresholds in decreasing order.
// AP = Σ_n (R_n − R_{n−1}) · P_n, the step-wise (not interpolated) area that scikit-learn's
// average_precision_score computes. A grade with no positive sample has no curve worth drawing: AP is null and it
// is left out of the macro mean. A precision-recall curve's chance level is the grade's prevalence, reported too.

import type { ProbabilityRow } from './classification';
import { meanOfKnown, perGradeCurves, thresholdSweep } from './thresholdSweep';

export interface PrecisionRecallCurve {
  classIndex: number;
  className: string;
  precision: number[];
  recall: number[];
  /** thresholds[i] is the score threshold of point i + 1 (point 0 is the curve's start). */
  thresholds: number[];
  positives: number;
  /** Fraction of samples that are positive (the precision of a random ranking); null without samples. */
  prevalence: number | null;
  /** Average precision; null when the grade has no positive sample. */
  averagePrecision: number | null;
}

export interface PrecisionRecallReport {
  curves: PrecisionRecallCurve[];
  /** Mean AP over the grades that have one; null when none has. */
  macroAveragePrecision: number | null;
}

/** The precision-recall curve and average precision of binary `scores` against `isPositive`. */
export function precisionRecallCurve(
  scores: ArrayLike<number>,
  isPositive: ArrayLike<boolean>,
): Omit<PrecisionRecallCurve, 'classIndex' | 'className'> {
  const { positives, points } = thresholdSweep(scores, isPositive, 'precision-recall');
  const precision = [1, ...points.map((point) => point.truePositives / (point.truePositives + point.falsePositives))];
  const recall = [0, ...points.map((point) => (positives === 0 ? 0 : point.truePositives / positives))];
  let averagePrecision = 0;
  for (let i = 1; i < recall.length; i++) averagePrecision += (recall[i]! - recall[i - 1]!) * precision[i]!;
  const thresholds = points.map((point) => point.threshold);
  return {
    precision,
    recall,
    thresholds,
    positives,
    prevalence: scores.length === 0 ? null : positives / scores.length,
    averagePrecision: positives === 0 ? null : averagePrecision,
  };
}

/** One-vs-rest precision-recall curves of each grade and their macro-mean average precision. */
export function oneVsRestPrecisionRecall(
  trueLabels: ArrayLike<number>,
  probabilities: ArrayLike<ProbabilityRow>,
): PrecisionRecallReport {
  const curves = perGradeCurves(trueLabels, probabilities, precisionRecallCurve);
  return { curves, macroAveragePrecision: meanOfKnown(curves.map((curve) => curve.averagePrecision)) };
}

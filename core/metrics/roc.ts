// One-vs-rest ROC curves and their areas for the three grades.
//
// For grade k the score of a sample is its predicted probability of k and it is positive when its true grade is k.
// Samples are sorted by score, highest first; samples with equal scores enter the curve together (one point per
// distinct score), so a tie between a positive and a negative is a diagonal segment, worth half, exactly as in
// the Mann-Whitney definition of AUC. The area is the trapezoid rule over those points, which makes it identical
// to scikit-learn's roc_auc_score(y == k, p[:, k]); the points match roc_curve(..., drop_intermediate=False).
// A grade with no positive or no negative sample has no ROC: its `auc` is null and it is left out of the macro
// mean (scikit-learn raises instead). Written by hand: a sort and a running sum, no JS library to lean on.

import type { ProbabilityRow } from './classification';
import { meanOfKnown, perGradeCurves, thresholdSweep } from './thresholdSweep';

export interface RocCurve {
  /** Grade index (0 Normal/Mild, 1 Moderate, 2 Severe) treated as the positive class. */
  classIndex: number;
  className: string;
  /** False positive rates, from 0 to 1. */
  fpr: number[];
  /** True positive rates at the same thresholds. */
  tpr: number[];
  /**
   * Score thresholds: point i counts samples with score >= thresholds[i] as positive. The first point (nothing
   * positive) uses max score + 1, a finite stand-in that survives JSON (scikit-learn 1.2's convention).
   */
  thresholds: number[];
  positives: number;
  negatives: number;
  /** Area under the curve; null when the grade has no positive or no negative sample. */
  auc: number | null;
}

export interface RocReport {
  curves: RocCurve[];
  /** Mean AUC over the grades that have one; null when none has. */
  macroAuc: number | null;
}

/** The ROC curve of binary `scores` against `isPositive`. */
export function rocCurve(
  scores: ArrayLike<number>,
  isPositive: ArrayLike<boolean>,
): Omit<RocCurve, 'classIndex' | 'className'> {
  const { positives, negatives, points } = thresholdSweep(scores, isPositive, 'roc');
  const rate = (count: number, total: number) => (total === 0 ? 0 : count / total);
  const fpr = [0, ...points.map((point) => rate(point.falsePositives, negatives))];
  const tpr = [0, ...points.map((point) => rate(point.truePositives, positives))];
  // Nothing is positive above the highest score: max score + 1 stands for that first threshold.
  const thresholds = [(points[0]?.threshold ?? 0) + 1, ...points.map((point) => point.threshold)];

  let auc: number | null = null;
  if (positives > 0 && negatives > 0) {
    auc = 0;
    for (let i = 1; i < fpr.length; i++) auc += ((fpr[i]! - fpr[i - 1]!) * (tpr[i]! + tpr[i - 1]!)) / 2;
  }
  return { fpr, tpr, thresholds, positives, negatives, auc };
}

/** One-vs-rest ROC curves of each grade and their macro-mean AUC. */
export function oneVsRestRoc(trueLabels: ArrayLike<number>, probabilities: ArrayLike<ProbabilityRow>): RocReport {
  const curves = perGradeCurves(trueLabels, probabilities, rocCurve);
  return { curves, macroAuc: meanOfKnown(curves.map((curve) => curve.auc)) };
}

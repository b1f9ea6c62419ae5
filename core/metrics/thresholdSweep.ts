// The walk that ROC and precision-recall curves share: samples sorted by score, highest first, and cut at each
// distinct score, so tied samples always enter a curve together (one point per distinct score).

import { GRADES } from '../data/lsdcVocabulary';
import { checkPredictions, type ProbabilityRow } from './classification';

export interface ThresholdPoint {
  /** Samples with score >= threshold count as predicted positive at this point. */
  threshold: number;
  /** Positive samples at or above the threshold. */
  truePositives: number;
  /** Negative samples at or above the threshold. */
  falsePositives: number;
}

export interface ThresholdSweep {
  positives: number;
  negatives: number;
  /** One point per distinct score, in decreasing threshold order. */
  points: ThresholdPoint[];
}

/** Cumulative true and false positives at each distinct score of binary `scores` against `isPositive`. */
export function thresholdSweep(
  scores: ArrayLike<number>,
  isPositive: ArrayLike<boolean>,
  what: string,
): ThresholdSweep {
  if (scores.length !== isPositive.length) {
    throw new Error(`${what}: ${scores.length} scores but ${isPositive.length} labels`);
  }
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let positives = 0;
  for (let i = 0; i < isPositive.length; i++) if (isPositive[i]) positives++;
  const points: ThresholdPoint[] = [];
  let truePositives = 0;
  let falsePositives = 0;
  for (let start = 0; start < order.length;) {
    const threshold = scores[order[start]!]!;
    let end = start;
    while (end < order.length && scores[order[end]!]! === threshold) {
      if (isPositive[order[end]!]) truePositives++;
      else falsePositives++;
      end++;
    }
    points.push({ threshold, truePositives, falsePositives });
    start = end;
  }
  return { positives, negatives: scores.length - positives, points };
}

/**
 * `curveOf` applied to each grade as a binary problem (its probability as the score, positive when the true grade
 * is that grade), after checking the predictions; each curve is tagged with its grade.
 */
export function perGradeCurves<C>(
  trueLabels: ArrayLike<number>,
  probabilities: ArrayLike<ProbabilityRow>,
  curveOf: (scores: number[], isPositive: boolean[]) => C,
): (C & { classIndex: number; className: string })[] {
  checkPredictions(trueLabels, probabilities);
  return GRADES.map((className, k) => ({
    classIndex: k,
    className,
    ...curveOf(
      Array.from({ length: probabilities.length }, (_, i) => probabilities[i]![k]!),
      Array.from({ length: trueLabels.length }, (_, i) => trueLabels[i] === k),
    ),
  }));
}

/** The mean of the values that are not null; null when all are. */
export function meanOfKnown(values: readonly (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : known.reduce((sum, value) => sum + value, 0) / known.length;
}

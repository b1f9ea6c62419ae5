// Classification metrics for the three RSNA grades (Normal/Mild, Moderate, Severe): accuracy, precision, recall,
// F1 and confusion matrices, overall and per lumbar level.
//
// Conventions (the same as scikit-learn's precision_recall_fscore_support with zero_division=0 and
// labels=[0, 1, 2]):
// - precision_k = TP_k / (TP_k + FP_k), recall_k = TP_k / (TP_k + FN_k), F1_k = 2·P·R / (P + R); a ratio whose
//   denominator is 0 (a grade never predicted, never present, or P = R = 0) is 0, not NaN, so that a grade the
//   model ignores pulls macro scores down instead of poisoning them.
// - macro = unweighted mean over all three grades, including a grade absent from both truth and predictions.
// - weighted = mean weighted by each grade's support (its count in the truth); 0 when there is no sample.
// Written by hand because these are a few sums over a 3×3 table and no maintained JS library computes them.

import { GRADES } from '../data/lsdcVocabulary';

export const CLASS_COUNT = GRADES.length;

/** One row of class probabilities (Normal/Mild, Moderate, Severe), e.g. a softmax output. */
export type ProbabilityRow = ArrayLike<number>;

export interface ClassScores {
  precision: number;
  recall: number;
  f1: number;
  /** Samples of this grade in the truth. */
  support: number;
}

export interface AveragedScores {
  precision: number;
  recall: number;
  f1: number;
}

export interface ConfusionMatrices {
  /** counts[t][p]: samples whose true grade is t and predicted grade is p. */
  counts: number[][];
  /** Each row of counts divided by its sum (the recall view); a row with no samples is all zeros. */
  normalised: number[][];
}

export interface ClassificationSummary {
  samples: number;
  accuracy: number;
  perClass: ClassScores[];
  macro: AveragedScores;
  weighted: AveragedScores;
  confusion: ConfusionMatrices;
}

export interface ClassificationReport extends ClassificationSummary {
  /** The same summary restricted to each level's samples, keyed by level name (only when levels are given). */
  perLevel?: Record<string, ClassificationSummary>;
}

/** Checks that labels are grade indices and probabilities are finite rows of CLASS_COUNT, naming the bad row. */
export function checkPredictions(trueLabels: ArrayLike<number>, probabilities: ArrayLike<ProbabilityRow>): void {
  if (trueLabels.length !== probabilities.length) {
    throw new Error(
      `metrics: ${trueLabels.length} true labels but ${probabilities.length} probability rows; pass one row per sample`,
    );
  }
  for (let i = 0; i < trueLabels.length; i++) {
    checkLabel(trueLabels[i]!, i);
    const row = probabilities[i]!;
    if (row.length !== CLASS_COUNT) {
      throw new Error(
        `metrics: probability row ${i} has ${row.length} values, expected ${CLASS_COUNT} (${GRADES.join(', ')})`,
      );
    }
    for (let k = 0; k < CLASS_COUNT; k++) {
      if (!Number.isFinite(row[k]!)) {
        throw new Error(`metrics: probability row ${i} holds a non-finite value (${row[k]}) for ${GRADES[k]}`);
      }
    }
  }
}

function checkLabel(label: number, index: number): void {
  if (!Number.isInteger(label) || label < 0 || label >= CLASS_COUNT) {
    throw new Error(
      `metrics: label ${index} is ${label}; expected a grade index 0..${CLASS_COUNT - 1} (${GRADES.join(', ')})`,
    );
  }
}

/** The most probable grade of each row; ties go to the lower index, as numpy's argmax does. */
export function argmaxRows(probabilities: ArrayLike<ProbabilityRow>): number[] {
  const predicted: number[] = [];
  for (let i = 0; i < probabilities.length; i++) {
    const row = probabilities[i]!;
    let best = 0;
    for (let k = 1; k < row.length; k++) {
      if (row[k]! > row[best]!) best = k;
    }
    predicted.push(best);
  }
  return predicted;
}

export function confusionCounts(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>): number[][] {
  if (trueLabels.length !== predictedLabels.length) {
    throw new Error(`metrics: ${trueLabels.length} true labels but ${predictedLabels.length} predicted labels`);
  }
  const counts = Array.from({ length: CLASS_COUNT }, () => new Array<number>(CLASS_COUNT).fill(0));
  for (let i = 0; i < trueLabels.length; i++) {
    checkLabel(trueLabels[i]!, i);
    checkLabel(predictedLabels[i]!, i);
    counts[trueLabels[i]!]![predictedLabels[i]!]! += 1;
  }
  return counts;
}

export function normaliseRows(counts: number[][]): number[][] {
  return counts.map((row) => {
    const total = row.reduce((sum, value) => sum + value, 0);
    return row.map((value) => (total === 0 ? 0 : value / total));
  });
}

function ratio(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** Per-grade precision, recall, F1 and support from a confusion matrix (zero-division → 0). */
export function scoresFromConfusion(counts: number[][]): ClassScores[] {
  return counts.map((row, k) => {
    const truePositives = row[k]!;
    const support = row.reduce((sum, value) => sum + value, 0);
    const predicted = counts.reduce((sum, other) => sum + other[k]!, 0);
    const precision = ratio(truePositives, predicted);
    const recall = ratio(truePositives, support);
    return { precision, recall, f1: ratio(2 * precision * recall, precision + recall), support };
  });
}

function average(perClass: ClassScores[], weightOf: (scores: ClassScores) => number): AveragedScores {
  const total = perClass.reduce((sum, scores) => sum + weightOf(scores), 0);
  const mean = (pick: (scores: ClassScores) => number) =>
    ratio(
      perClass.reduce((sum, scores) => sum + weightOf(scores) * pick(scores), 0),
      total,
    );
  return { precision: mean((s) => s.precision), recall: mean((s) => s.recall), f1: mean((s) => s.f1) };
}

export function summarise(trueLabels: ArrayLike<number>, predictedLabels: ArrayLike<number>): ClassificationSummary {
  const counts = confusionCounts(trueLabels, predictedLabels);
  const perClass = scoresFromConfusion(counts);
  const correct = counts.reduce((sum, row, k) => sum + row[k]!, 0);
  return {
    samples: trueLabels.length,
    accuracy: ratio(correct, trueLabels.length),
    perClass,
    macro: average(perClass, () => 1),
    weighted: average(perClass, (scores) => scores.support),
    confusion: { counts, normalised: normaliseRows(counts) },
  };
}

/**
 * Accuracy, per-grade/macro/weighted precision-recall-F1 and confusion matrices of argmax predictions; with
 * `levels` (one level name per sample, e.g. 'L4/L5') also the same summary per level, in first-seen order.
 */
export function classificationReport(
  trueLabels: ArrayLike<number>,
  probabilities: ArrayLike<ProbabilityRow>,
  levels?: ArrayLike<string>,
): ClassificationReport {
  checkPredictions(trueLabels, probabilities);
  const predicted = argmaxRows(probabilities);
  const report: ClassificationReport = summarise(trueLabels, predicted);
  if (levels !== undefined) {
    if (levels.length !== trueLabels.length) {
      throw new Error(
        `metrics: ${levels.length} level names but ${trueLabels.length} samples; pass one level per sample`,
      );
    }
    const byLevel = new Map<string, { truth: number[]; predicted: number[] }>();
    for (let i = 0; i < levels.length; i++) {
      const group = byLevel.get(levels[i]!) ?? { truth: [], predicted: [] };
      group.truth.push(trueLabels[i]!);
      group.predicted.push(predicted[i]!);
      byLevel.set(levels[i]!, group);
    }
    report.perLevel = {};
    for (const [level, group] of byLevel) report.perLevel[level] = summarise(group.truth, group.predicted);
  }
  return report;
}

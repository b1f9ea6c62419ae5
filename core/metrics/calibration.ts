// Calibration of the predicted grade probabilities: reliability diagrams and expected calibration error (ECE).
//
// Binning: CALIBRATION_BINS equal-width bins over [0, 1]; a probability p falls in bin min(floor(p·B), B − 1), so
// bin b holds [b/B, (b+1)/B) and the last bin also holds p = 1.
// Per grade k (one vs rest) a bin reports how many samples it holds, their mean predicted probability of k and the
// fraction of them whose true grade is k. Its ECE is the count-weighted mean gap:
//     ECE_k = Σ_b (n_b / N) · |observed_b − meanPredicted_b|.
// The top-label ECE (Guo et al. 2017) bins each sample's highest probability against whether that grade was right.
// Both are null without samples; an empty bin has null mean and frequency and adds nothing to the ECE.

import { GRADES } from '../data/lsdcVocabulary';
import { argmaxRows, CLASS_COUNT, checkPredictions, type ProbabilityRow } from './classification';

export const CALIBRATION_BINS = 10;

export interface ReliabilityBin {
  lower: number;
  upper: number;
  count: number;
  /** Mean predicted probability of the samples in the bin; null when the bin is empty. */
  meanPredicted: number | null;
  /** Fraction of the bin's samples that are positive; null when the bin is empty. */
  observedFrequency: number | null;
}

export interface Reliability {
  bins: ReliabilityBin[];
  /** Expected calibration error; null without samples. */
  ece: number | null;
}

export interface GradeReliability extends Reliability {
  classIndex: number;
  className: string;
}

export interface CalibrationReport {
  binCount: number;
  perGrade: GradeReliability[];
  /** Mean of the per-grade ECEs (classwise ECE); null without samples. */
  classwiseEce: number | null;
  /** ECE of the highest probability against correctness of the argmax grade. */
  topLabel: Reliability;
}

/** Reliability bins and ECE of binary predictions `scores` (probabilities) against outcomes `isPositive`. */
export function reliability(
  scores: ArrayLike<number>,
  isPositive: ArrayLike<boolean>,
  binCount = CALIBRATION_BINS,
): Reliability {
  if (scores.length !== isPositive.length) {
    throw new Error(`calibration: ${scores.length} probabilities but ${isPositive.length} outcomes`);
  }
  if (!Number.isInteger(binCount) || binCount < 1) {
    throw new Error(`calibration: bin count is ${binCount}; expected a positive integer`);
  }
  const sums = Array.from({ length: binCount }, () => ({ count: 0, predicted: 0, positives: 0 }));
  for (let i = 0; i < scores.length; i++) {
    const p = scores[i]!;
    if (!(p >= 0 && p <= 1)) throw new Error(`calibration: probability ${i} is ${p}; expected a value in [0, 1]`);
    const bin = sums[Math.min(Math.floor(p * binCount), binCount - 1)]!;
    bin.count++;
    bin.predicted += p;
    if (isPositive[i]) bin.positives++;
  }
  let gap = 0;
  const bins = sums.map((sum, b) => {
    const meanPredicted = sum.count === 0 ? null : sum.predicted / sum.count;
    const observedFrequency = sum.count === 0 ? null : sum.positives / sum.count;
    if (sum.count > 0) gap += sum.count * Math.abs(observedFrequency! - meanPredicted!);
    return { lower: b / binCount, upper: (b + 1) / binCount, count: sum.count, meanPredicted, observedFrequency };
  });
  return { bins, ece: scores.length === 0 ? null : gap / scores.length };
}

/** Per-grade reliability diagrams, their ECEs and the top-label ECE of three-grade predictions. */
export function calibrationReport(
  trueLabels: ArrayLike<number>,
  probabilities: ArrayLike<ProbabilityRow>,
  binCount = CALIBRATION_BINS,
): CalibrationReport {
  checkPredictions(trueLabels, probabilities);
  const rows = Array.from({ length: probabilities.length }, (_, i) => probabilities[i]!);
  const labels = Array.from(trueLabels);
  const perGrade: GradeReliability[] = [];
  for (let k = 0; k < CLASS_COUNT; k++) {
    const curve = reliability(
      rows.map((row) => row[k]!),
      labels.map((label) => label === k),
      binCount,
    );
    perGrade.push({ classIndex: k, className: GRADES[k]!, ...curve });
  }
  const predicted = argmaxRows(rows);
  const topLabel = reliability(
    rows.map((row, i) => row[predicted[i]!]!),
    labels.map((label, i) => label === predicted[i]),
    binCount,
  );
  const classwiseEce =
    labels.length === 0 ? null : perGrade.reduce((sum, grade) => sum + grade.ece!, 0) / perGrade.length;
  return { binCount, perGrade, classwiseEce, topLabel };
}

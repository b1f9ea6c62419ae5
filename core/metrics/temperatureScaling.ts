// Temperature scaling (Guo et al. 2017): one scalar T divides every logit, q = softmax(z / T), fitted on the
// validation split and applied to the test split. Because softmax ignores a constant added to a row, ln p is as
// good as the logits z, so the probabilities alone suffice: q_k ∝ p_k^(1/T).
//
// T minimises the validation weighted log loss (the competition's condition term, weights 1/2/4 by true grade).
// As a function of β = 1/T that loss is convex (a weighted sum of log-sum-exp of β·z minus a linear term), so in
// u = ln T it has a single minimum and a golden-section search finds it; T is searched over [1/20, 20].
// T > 1 softens over-confident predictions, T < 1 sharpens under-confident ones; the argmax never changes, so
// accuracy, F1 and the confusion matrix stay as they are.

import type { Condition } from '../data/lsdcVocabulary';
import { calibrationReport } from './calibration';
import { checkPredictions, type ProbabilityRow } from './classification';
import { rsnaConditionScore, weightedLogLoss, type GradedSample } from './rsnaLogLoss';

const LOG_T_RANGE = [Math.log(1 / 20), Math.log(20)] as const;
const LOG_T_TOLERANCE = 1e-7;
/** Stands in for ln 0 so that a probability that underflowed to 0 stays the smallest of its row. */
const LOG_FLOOR = Math.log(Number.MIN_VALUE);

/** Each row's probabilities re-tempered: softmax(ln p / T). */
export function applyTemperature(probabilities: ArrayLike<ProbabilityRow>, temperature: number): number[][] {
  if (!(temperature > 0) || !Number.isFinite(temperature)) {
    throw new Error(`temperature scaling: T is ${temperature}; expected a positive finite number`);
  }
  return Array.from({ length: probabilities.length }, (_, i) => {
    const logits = Array.from(probabilities[i]!, (p) => (p > 0 ? Math.log(p) : LOG_FLOOR) / temperature);
    const top = Math.max(...logits);
    const exps = logits.map((z) => Math.exp(z - top));
    const sum = exps.reduce((acc, e) => acc + e, 0);
    return exps.map((e) => e / sum);
  });
}

export interface TemperatureFit {
  temperature: number;
  /** Validation weighted log loss at T = 1 and at the fitted T. */
  lossBefore: number;
  lossAfter: number;
}

/** The temperature that minimises the weighted log loss of `probabilities` against `trueLabels`. */
export function fitTemperature(
  trueLabels: ArrayLike<number>,
  probabilities: ArrayLike<ProbabilityRow>,
): TemperatureFit {
  checkPredictions(trueLabels, probabilities);
  if (trueLabels.length === 0) {
    throw new Error('temperature scaling: the validation split is empty; give val a share of the studies');
  }
  const lossAt = (logT: number) => weightedLogLoss(trueLabels, applyTemperature(probabilities, Math.exp(logT)));
  const invPhi = (Math.sqrt(5) - 1) / 2;
  let [low, high] = LOG_T_RANGE;
  let left = high - invPhi * (high - low);
  let right = low + invPhi * (high - low);
  let leftLoss = lossAt(left);
  let rightLoss = lossAt(right);
  while (high - low > LOG_T_TOLERANCE) {
    if (leftLoss <= rightLoss) {
      high = right;
      right = left;
      rightLoss = leftLoss;
      left = high - invPhi * (high - low);
      leftLoss = lossAt(left);
    } else {
      low = left;
      left = right;
      leftLoss = rightLoss;
      right = low + invPhi * (high - low);
      rightLoss = lossAt(right);
    }
  }
  const logT = (low + high) / 2;
  return { temperature: Math.exp(logT), lossBefore: lossAt(0), lossAfter: lossAt(logT) };
}

export interface CalibratedScores {
  /** Top-label and classwise ECE (calibration.ts, default bins). */
  topLabelEce: number | null;
  classwiseEce: number | null;
  /** The condition's weighted log loss and competition score (rsnaLogLoss.ts). */
  weightedLogLoss: number;
  score: number;
}

export interface TemperatureScalingReport {
  temperature: number;
  validation: { weightedLogLossBefore: number; weightedLogLossAfter: number };
  test: { before: CalibratedScores; after: CalibratedScores };
}

function calibratedScores(condition: Condition, samples: readonly GradedSample[]): CalibratedScores {
  const labels = samples.map((sample) => sample.trueLabel);
  const calibration = calibrationReport(
    labels,
    samples.map((sample) => sample.probabilities),
  );
  const rsna = rsnaConditionScore(condition, samples);
  return {
    topLabelEce: calibration.topLabel.ece,
    classwiseEce: calibration.classwiseEce,
    weightedLogLoss: rsna.conditionLoss,
    score: rsna.score,
  };
}

/** Fits T on the validation samples and scores the test samples before and after applying it. */
export function temperatureScalingReport(
  condition: Condition,
  validation: readonly GradedSample[],
  test: readonly GradedSample[],
): TemperatureScalingReport {
  const fit = fitTemperature(
    validation.map((sample) => sample.trueLabel),
    validation.map((sample) => sample.probabilities),
  );
  const tempered = applyTemperature(
    test.map((sample) => sample.probabilities),
    fit.temperature,
  );
  return {
    temperature: fit.temperature,
    validation: { weightedLogLossBefore: fit.lossBefore, weightedLogLossAfter: fit.lossAfter },
    test: {
      before: calibratedScores(condition, test),
      after: calibratedScores(
        condition,
        test.map((sample, i) => ({ ...sample, probabilities: tempered[i]! })),
      ),
    },
  };
}

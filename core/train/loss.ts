// Class-weighted softmax cross-entropy with label smoothing, with exactly the semantics of
// torch.nn.CrossEntropyLoss(weight=w, label_smoothing=s, reduction='mean') for class-index targets:
//
//   ℓ_i      = −log softmax(x_i)                          (a row of C values)
//   loss     = [ (1 − s) · Σ_i w_{y_i} ℓ_{i,y_i}  +  (s / C) · Σ_i Σ_c w_c ℓ_{i,c} ]  /  Σ_i w_{y_i}
//
// i.e. the weighted mean divides by the summed weights of the targets, and the smoothing term is weighted per
// class and divided by that same sum (PyTorch's choice, kept so numbers agree). Without weights w ≡ 1 and the
// denominator is the batch size. Built from tfjs ops so it is differentiable on every backend; the target
// weights come from a one-hot product rather than a gather, whose gradient (UnsortedSegmentSum) wasm lacks.

import * as tf from '@tensorflow/tfjs-core';
import { GRADE_SAMPLE_WEIGHTS } from '../metrics/rsnaLogLoss';

export interface CrossEntropySettings {
  /** One weight per class; omitted means all 1. */
  classWeights?: readonly number[];
  /** Label smoothing s in [0, 1). */
  labelSmoothing?: number;
}

/**
 * Mean loss over the batch as a scalar tensor. `logits` is [n, C]; `targets` holds class indices (an int32
 * tensor or numbers). A batch whose targets all have weight 0 gives NaN, as in PyTorch.
 */
export function crossEntropyLoss(
  logits: tf.Tensor2D,
  targets: tf.Tensor1D | readonly number[],
  settings: CrossEntropySettings = {},
): tf.Scalar {
  const classes = logits.shape[1];
  const smoothing = settings.labelSmoothing ?? 0;
  if (!(smoothing >= 0 && smoothing < 1))
    throw new Error(`cross-entropy: label smoothing must be in [0, 1), got ${smoothing}`);
  const weights = settings.classWeights;
  if (weights && weights.length !== classes) {
    throw new Error(`cross-entropy: ${weights.length} class weights for ${classes} classes`);
  }
  return tf.tidy(() => {
    const targetTensor = Array.isArray(targets) ? tf.tensor1d(targets as number[], 'int32') : (targets as tf.Tensor1D);
    if (targetTensor.shape[0] !== logits.shape[0]) {
      throw new Error(`cross-entropy: ${targetTensor.shape[0]} targets for ${logits.shape[0]} rows of logits`);
    }
    const negativeLogProbabilities = tf.neg(tf.logSoftmax(logits));
    const oneHot = tf.oneHot(tf.cast(targetTensor, 'int32'), classes);
    const classWeights = tf.tensor2d([weights ? [...weights] : new Array<number>(classes).fill(1)]);
    const targetWeights = tf.sum(tf.mul(oneHot, classWeights), 1);
    const targetTerm = tf.sum(tf.mul(tf.sum(tf.mul(oneHot, negativeLogProbabilities), 1), targetWeights));
    let total = targetTerm;
    if (smoothing > 0) {
      const smoothTerm = tf.sum(tf.mul(negativeLogProbabilities, classWeights));
      total = tf.add(tf.mul(targetTerm, 1 - smoothing), tf.mul(smoothTerm, smoothing / classes));
    }
    return tf.div(total, tf.sum(targetWeights)) as tf.Scalar;
  });
}

export interface ClassWeights {
  weights: number[];
  /** Class indices with no training sample; their weight is 0. */
  missing: number[];
}

export type ClassWeightSetting = 'competition' | 'inverse_frequency' | 'none' | readonly number[];

/** The loss weights a setting gives, and the grades the training split lacks (every setting reports them). */
export interface ResolvedClassWeights {
  /** Undefined: every grade weighs 1. */
  weights: number[] | undefined;
  absentGrades: number[];
}

/**
 * `competition` uses the metric's own sample weights (1/2/4 for Normal/Mild, Moderate, Severe), so training
 * optimises what the score measures; `inverse_frequency` balances the split's grades; a list is used as given.
 */
export function resolveClassWeights(setting: ClassWeightSetting, trainGrades: ArrayLike<number>): ResolvedClassWeights {
  const balanced = inverseFrequencyWeights(trainGrades, GRADE_SAMPLE_WEIGHTS.length);
  const weights =
    setting === 'none'
      ? undefined
      : setting === 'competition'
        ? [...GRADE_SAMPLE_WEIGHTS]
        : setting === 'inverse_frequency'
          ? balanced.weights
          : [...setting];
  return { weights, absentGrades: balanced.missing };
}

/**
 * Inverse-frequency ("balanced") class weights: w_c = n_samples / (n_classes · count_c), as scikit-learn's
 * compute_class_weight('balanced'), so a perfectly balanced set gets 1 everywhere and the weighted class counts
 * all equal n_samples / n_classes. A class with no training sample cannot appear as a target, so it gets weight
 * 0 (scikit-learn raises) and is listed in `missing` for the caller to report; note that with label smoothing a
 * weight-0 class also receives none of the smoothed mass.
 */
export function inverseFrequencyWeights(labels: ArrayLike<number>, classCount: number): ClassWeights {
  const counts = new Array<number>(classCount).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classCount) {
      throw new Error(`class weights: label ${i} is ${label}; expected 0..${classCount - 1}`);
    }
    counts[label]! += 1;
  }
  if (labels.length === 0) throw new Error('class weights: no training labels to count');
  return {
    weights: counts.map((count) => (count === 0 ? 0 : labels.length / (classCount * count))),
    missing: counts.flatMap((count, k) => (count === 0 ? [k] : [])),
  };
}

// A saliency map: where in one model input the evidence for a prediction lies, one value in [0, 1] per input
// pixel. Every method ends the same way: a coarse map over one of the backbone's feature grids (the patch grid, or
// the step Grad-CAM explains), upsampled bilinearly to the input (half-pixel centres, PyTorch's align_corners=False)
// and min-max normalised.
import * as tf from '@tensorflow/tfjs-core';
import type { SaliencyMethod } from './saliencyMethods';

export interface SaliencyMap {
  method: SaliencyMethod;
  /** The grade explained: the one asked for, else the predicted one. */
  grade: number;
  /** Whether the map depends on the grade (Grad-CAM does; attention rollout is the same for every grade). */
  gradeSpecific: boolean;
  logits: number[];
  probabilities: number[];
  /** Rows and columns of the feature grid the map was computed on, before upsampling. */
  grid: readonly [number, number];
  /** Grad-CAM: the backbone step whose output it explains (1-based) and how many steps come before pooling. */
  step?: readonly [number, number];
  width: number;
  height: number;
  /** height x width values in [0, 1], row-major; all zero when the coarse map is flat. */
  values: Float32Array;
}

/** What every method computes first: the logits, and the coarse map [1, rows, columns, 1] it has reduced. */
export interface CoarseSaliency {
  logits: number[];
  coarse: tf.Tensor4D;
}

/** The coarse map upsampled to height x width and scaled to [0, 1]: (v - min) / (max - min). */
function inputSizedMap(coarse: tf.Tensor4D, height: number, width: number): Float32Array {
  const values = tf.tidy(() =>
    tf.image.resizeBilinear(coarse, [height, width], false, true).dataSync(),
  ) as Float32Array;
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  const range = high - low;
  // A flat map (no positive evidence anywhere) carries no location: zero rather than noise stretched to [0, 1].
  return range <= 1e-12 ? new Float32Array(values.length) : values.map((value) => (value - low) / range);
}

/** The map of `coarse` for `grade` (default: the largest logit) at the input's size. */
export function saliencyMap(
  method: SaliencyMethod,
  { logits, coarse }: CoarseSaliency,
  grade: number,
  input: readonly number[],
): SaliencyMap {
  const [, height, width] = input as [number, number, number, number];
  const probabilities = tf.tidy(() => [...tf.softmax(tf.tensor1d(logits)).dataSync()]);
  return {
    method,
    grade,
    gradeSpecific: method === 'grad-cam',
    logits,
    probabilities,
    grid: [coarse.shape[1], coarse.shape[2]],
    width,
    height,
    values: inputSizedMap(coarse, height, width),
  };
}

/** The grade a map explains: `grade` when given (checked), else the one with the largest logit. */
export function explainedGrade(logits: readonly number[], grade: number | undefined): number {
  if (grade === undefined) return logits.indexOf(Math.max(...logits));
  if (!Number.isInteger(grade) || grade < 0 || grade >= logits.length) {
    throw new RangeError(`grade ${grade} is not a class of this model (0 to ${logits.length - 1})`);
  }
  return grade;
}

/** A single image [1, H, W, C] with its level index, as the explaining functions take it. */
export function checkSingleImage(image: tf.Tensor4D, level: number, levels: number): void {
  if (image.rank !== 4 || image.shape[0] !== 1) {
    throw new RangeError(`a saliency map explains one image [1, H, W, C], got [${image.shape.join(', ')}]`);
  }
  if (!Number.isInteger(level) || level < 0 || level >= levels) {
    throw new RangeError(`level index ${level} is outside the head's ${levels} levels`);
  }
}

// Global gradient-norm clipping with torch.nn.utils.clip_grad_norm_ semantics:
//   total = ‖(‖g_1‖, …, ‖g_k‖)‖   (the p-norm of all gradients together; the max |g| for p = ∞)
//   coefficient = min(1, maxNorm / (total + 1e-6))
//   every gradient is multiplied by the coefficient (also when it is 1, as PyTorch does).
// The coefficient stays on the engine: nothing is read back, so clipping never makes the host wait for a step.

import * as tf from '@tensorflow/tfjs-core';

export interface ClippedGradients {
  /** New gradient tensors, keyed as the input; the caller disposes them (and its own inputs). */
  gradients: tf.NamedTensorMap;
  /** The total norm before clipping, a scalar the caller disposes. */
  totalNorm: tf.Scalar;
}

export function clipGradientsByGlobalNorm(
  gradients: tf.NamedTensorMap,
  maxNorm: number,
  normType: number = 2,
): ClippedGradients {
  if (!(maxNorm > 0)) throw new Error(`gradient clipping: max norm must be > 0, got ${maxNorm}`);
  if (!(normType > 0)) throw new Error(`gradient clipping: norm type must be > 0 or Infinity, got ${normType}`);
  const names = Object.keys(gradients);
  if (names.length === 0) return { gradients: {}, totalNorm: tf.scalar(0) };
  const totalNorm = tf.tidy(() => {
    const norms = tf.stack(names.map((name) => tf.norm(gradients[name]!, normType)));
    return tf.norm(norms, normType) as tf.Scalar;
  });
  const coefficient = tf.tidy(() => tf.minimum(1, tf.div(maxNorm, tf.add(totalNorm, 1e-6))));
  const clipped: tf.NamedTensorMap = {};
  for (const name of names) clipped[name] = tf.mul(gradients[name]!, coefficient);
  coefficient.dispose();
  return { gradients: clipped, totalNorm };
}

// Batch normalisation with the batch's own statistics (training mode) as one op with its closed-form gradient.
// Differentiated op by op, the mean, the variance and the affine steps record about twenty full-size operations
// for the backward pass, each a separate kernel call on the engine; the closed form needs seven. With xhat the
// normalised input, s = γ/√(var + ε) and n the values per channel:
//   dβ = Σ dy,   dγ = Σ dy·xhat,   dx = s · (dy − dβ/n − xhat · dγ/n)
// (sums over batch, height and width), which is what the op-by-op gradient computes too.
import * as tf from '@tensorflow/tfjs-core';

const AXES = [0, 1, 2];

/**
 * y = γ · (x − mean) / √(var + ε) + β over NHWC x, with the batch's statistics. `onStatistics` receives the batch's
 * per-channel mean and biased variance (for running statistics); they are freed when it returns.
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  eps: number,
  onStatistics: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor4D {
  const normalise = tf.customGrad((input, weight, bias, save) => {
    const xs = input as tf.Tensor4D;
    const mean = tf.mean(xs, AXES) as tf.Tensor1D;
    const centred = tf.sub(xs, mean);
    const variance = tf.mean(tf.square(centred), AXES) as tf.Tensor1D;
    onStatistics(mean, variance);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(centred, invStd);
    (save as tf.GradSaveFunc)([xhat, tf.mul(weight as tf.Tensor1D, invStd)]);
    return {
      value: tf.add(tf.mul(xhat, weight as tf.Tensor1D), bias as tf.Tensor1D),
      gradFunc: (dy, saved) => {
        const [savedXhat, scale] = saved as [tf.Tensor4D, tf.Tensor1D];
        const count = savedXhat.size / savedXhat.shape[3];
        const dBeta = tf.sum(dy, AXES);
        const dGamma = tf.sum(tf.mul(dy, savedXhat), AXES);
        const centredDy = tf.sub(dy, tf.div(dBeta, count));
        const dx = tf.mul(tf.sub(centredDy, tf.mul(savedXhat, tf.div(dGamma, count))), scale);
        return [dx, dGamma, dBeta];
      },
    };
  });
  return normalise(x, gamma, beta) as tf.Tensor4D;
}

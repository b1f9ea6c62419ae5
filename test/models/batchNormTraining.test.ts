// The closed-form batch-norm gradient against tfjs's own differentiation of the textbook formula, op by op.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { batchNormTraining } from '../../core/models/batchNormTraining';
import { relativeError, seededValues } from '../engine/backendCompare';

const EPS = 1e-3;

function textbook(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, EPS))), gamma), beta);
}

test('batch norm in training: output, batch statistics and all three gradients match the op-by-op gradient', async () => {
  await tf.setBackend('cpu');
  const shape: [number, number, number, number] = [3, 4, 5, 6];
  const x = tf.tensor4d(seededValues(3 * 4 * 5 * 6, 21), shape);
  const gamma = tf.tensor1d(seededValues(6, 22));
  const beta = tf.tensor1d(seededValues(6, 23));
  // Distinct upstream gradients, so a gradient that mixes positions or channels shows.
  const upstream = tf.tensor4d(seededValues(3 * 4 * 5 * 6, 24), shape);
  const lossOf = (f: typeof textbook) => (a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(f(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D), upstream));
  const expected = tf.grads(lossOf(textbook))([x, gamma, beta]);
  const actual = tf.grads(lossOf((a, g, b) => batchNormTraining(a, g, b, EPS, () => {})))([x, gamma, beta]);
  for (const [name, index] of [
    ['dx', 0],
    ['dgamma', 1],
    ['dbeta', 2],
  ] as const) {
    const error = relativeError(actual[index]!.dataSync() as Float32Array, expected[index]!.dataSync() as Float32Array);
    assert.ok(error < 1e-5, `${name}: relative error ${error}`);
  }
  const statistics: Float32Array[] = [];
  const y = batchNormTraining(x, gamma, beta, EPS, (mean, variance) =>
    statistics.push(mean.dataSync() as Float32Array, variance.dataSync() as Float32Array),
  );
  assert.ok(relativeError(y.dataSync() as Float32Array, textbook(x, gamma, beta).dataSync() as Float32Array) < 1e-5);
  const moments = tf.moments(x, [0, 1, 2]);
  assert.ok(relativeError(statistics[0]!, moments.mean.dataSync() as Float32Array) < 1e-6);
  assert.ok(relativeError(statistics[1]!, moments.variance.dataSync() as Float32Array) < 1e-6);
});

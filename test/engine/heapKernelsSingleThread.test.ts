// The heap kernels on the wasm backend's single-threaded build, whose heap is a plain memory rather than the
// threaded build's shared one (the module is compiled for each): each against tfjs's cpu backend.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { stopWasm } from '../../core/engine/wasmEngine';
import { relativeError, runOn, seededValues, useWasm } from './backendCompare';

before(async () => useWasm(1));
after(() => stopWasm());

const x = seededValues(2 * 7 * 6 * 5, 11);

for (const [label, run] of [
  ['Sum over batch, height and width', () => tf.sum(tf.tensor4d(x, [2, 7, 6, 5]), [0, 1, 2])],
  ['Transpose NHWC to NCHW', () => tf.transpose(tf.tensor4d(x, [2, 7, 6, 5]), [0, 3, 1, 2])],
  [
    'MaxPoolGrad 3x3 s2 same',
    () =>
      tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.maxPool(t as tf.Tensor4D, 3, 2, 'same'))))(
        tf.tensor4d(x, [2, 7, 6, 5]),
      ),
  ],
  [
    'Conv2DBackpropFilter 3x3 s2 same',
    () =>
      tf.grad((filter: tf.Tensor) =>
        tf.sum(tf.square(tf.conv2d(tf.tensor4d(x, [2, 7, 6, 5]), filter as tf.Tensor4D, 2, 'same'))),
      )(tf.tensor4d(seededValues(3 * 3 * 5 * 4, 12), [3, 3, 5, 4])),
  ],
] as [string, () => tf.Tensor][]) {
  test(`${label} on the single-threaded build matches the cpu backend`, async () => {
    const backend = tf.findBackend('wasm') as unknown as { wasm: { asm?: { memory?: WebAssembly.Memory } } };
    assert.ok(backend.wasm.asm?.memory?.buffer instanceof ArrayBuffer, 'the single-threaded build has a plain heap');
    const [expected] = await runOn('cpu', run);
    const [actual] = await runOn('wasm', run);
    assert.ok(relativeError(actual!, expected!) < 1e-5, `${label}: ${relativeError(actual!, expected!)}`);
  });
}

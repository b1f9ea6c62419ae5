// The wasm engine's Slice (core/engine/kernels/heapSlice.ts) against tfjs's cpu backend: exact copies for every
// rank the backbones and the optimizer use, contiguous and strided, int32 and float32, empty slices, and a slice
// whose output allocation grows the wasm heap (a view taken before it would read freed memory).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { stopWasm } from '../../core/engine/wasmEngine';
import { runOn, seededValues, useWasm } from './backendCompare';

const cases: { shape: number[]; begin: number[]; size: number[] }[] = [
  { shape: [100], begin: [17], size: [40] },
  { shape: [6, 9], begin: [2, 0], size: [3, 9] },
  { shape: [6, 9], begin: [1, 4], size: [4, -1] },
  { shape: [2, 7, 5, 3], begin: [1, 2, 1, 0], size: [1, 4, 3, 3] },
  { shape: [2, 7, 5, 3], begin: [0, 1, 0, 1], size: [2, 5, 5, 2] },
  { shape: [3, 4, 5, 6, 2], begin: [1, 0, 2, 3, 1], size: [2, 4, 2, 3, 1] },
  { shape: [4, 5], begin: [2, 1], size: [0, 3] },
];

describe('Slice on the wasm engine equals the cpu backend', () => {
  before(() => useWasm(2));
  after(() => stopWasm());

  for (const { shape, begin, size } of cases) {
    for (const dtype of ['float32', 'int32'] as const) {
      test(`${dtype} [${shape}] from [${begin}] size [${size}]`, async () => {
        const count = shape.reduce((a, b) => a * b, 1);
        const values = Float32Array.from(seededValues(count, count), (v) =>
          dtype === 'int32' ? Math.round(v * 1000) : v,
        );
        const run = () => tf.slice(tf.tensor(values, shape, dtype), begin, size);
        const [expected] = await runOn('cpu', run);
        const [actual] = await runOn('wasm', run);
        assert.deepEqual(Array.from(actual!), Array.from(expected!));
      });
    }
  }

  test('slice, split and unstack copy only their pieces: the input is never read out of the heap', async () => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const readSync = backend.readSync.bind(backend);
    let reads = 0;
    backend.readSync = (dataId) => (reads++, readSync(dataId));
    try {
      const x = tf.tensor2d(seededValues(64, 5), [8, 8]);
      tf.dispose([
        tf.slice(x, [0, 0], [4, 8]),
        tf.slice(x, [1, 2], [3, 3]),
        ...tf.split(x, [3, 5]),
        ...tf.unstack(x),
        x,
      ]);
      assert.equal(reads, 0);
    } finally {
      backend.readSync = readSync;
    }
  });

  test('a split of a long vector into many pieces (as the optimizer does) returns every piece exactly', async () => {
    const sizes = Array.from({ length: 40 }, (_, i) => 1000 + 37 * i);
    const values = seededValues(
      sizes.reduce((a, b) => a + b, 0),
      7,
    );
    const run = () => tf.split(tf.tensor1d(values), sizes);
    const expected = await runOn('cpu', run);
    const actual = await runOn('wasm', run);
    actual.forEach((piece, i) => assert.deepEqual(Array.from(piece), Array.from(expected[i]!), `piece ${i}`));
  });

  test('unstack along each axis returns the same pieces', async () => {
    const values = seededValues(3 * 4 * 5, 11);
    for (const axis of [0, 1, 2, -1]) {
      const run = () => tf.unstack(tf.tensor3d(values, [3, 4, 5]), axis);
      const expected = await runOn('cpu', run);
      const actual = await runOn('wasm', run);
      assert.equal(actual.length, expected.length);
      actual.forEach((piece, i) =>
        assert.deepEqual(Array.from(piece), Array.from(expected[i]!), `axis ${axis} piece ${i}`),
      );
    }
  });

  test('a split along an inner axis returns the same pieces', async () => {
    const run = () => tf.split(tf.tensor3d(seededValues(2 * 9 * 3, 13), [2, 9, 3]), [2, 4, 3], 1);
    const expected = await runOn('cpu', run);
    const actual = await runOn('wasm', run);
    actual.forEach((piece, i) => assert.deepEqual(Array.from(piece), Array.from(expected[i]!), `piece ${i}`));
  });

  test('a slice whose output grows the heap reads the input correctly', async () => {
    await tf.setBackend('wasm');
    const big = tf.tensor1d(seededValues(8_000_000, 3));
    const before = big.dataSync().slice(1_000_000, 1_000_010);
    // A large output is the allocation most likely to grow the heap between reading the input and copying.
    const piece = tf.slice(big, [1_000_000], [7_000_000]);
    assert.deepEqual(Array.from(piece.dataSync().slice(0, 10)), Array.from(before));
    tf.dispose([big, piece]);
  });
});

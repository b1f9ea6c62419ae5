// Layout converters against hand-written index arithmetic on small arrays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permuteAxes, tfShapeOf, tfToTorch, torchToTf } from '../../core/models/torchLayout';

const iota = (n: number): Float32Array => Float32Array.from({ length: n }, (_, i) => i);

test('conv2d: OIHW (2, 3, 1, 2) becomes HWIO (1, 2, 3, 2)', () => {
  // torch value at [o][i][h][w] is o*6 + i*2 + h*2 + w (h is always 0).
  const torch = iota(12);
  assert.deepEqual(tfShapeOf([2, 3, 1, 2], 'conv2d'), [1, 2, 3, 2]);
  const tf = torchToTf(torch, [2, 3, 1, 2], 'conv2d');
  // tf order [h][w][i][o]: w=0: (i0:o0=0,o1=6) (i1: 2,8) (i2: 4,10); w=1: (1,7) (3,9) (5,11)
  assert.deepEqual([...tf], [0, 6, 2, 8, 4, 10, 1, 7, 3, 9, 5, 11]);
  assert.deepEqual([...tfToTorch(tf, [2, 3, 1, 2], 'conv2d')], [...torch]);
});

test('depthwise: (C=3, 1, 2, 1) becomes (2, 1, 3, 1)', () => {
  // torch [c][0][h][0] = c*2 + h
  const torch = iota(6);
  assert.deepEqual(tfShapeOf([3, 1, 2, 1], 'depthwise'), [2, 1, 3, 1]);
  const tf = torchToTf(torch, [3, 1, 2, 1], 'depthwise');
  assert.deepEqual([...tf], [0, 2, 4, 1, 3, 5]);
  assert.deepEqual([...tfToTorch(tf, [3, 1, 2, 1], 'depthwise')], [...torch]);
});

test('linear: (out 2, in 3) becomes (in 3, out 2)', () => {
  const tf = torchToTf(iota(6), [2, 3], 'linear');
  assert.deepEqual(tfShapeOf([2, 3], 'linear'), [3, 2]);
  assert.deepEqual([...tf], [0, 3, 1, 4, 2, 5]);
  assert.deepEqual([...tfToTorch(tf, [2, 3], 'linear')], [0, 1, 2, 3, 4, 5]);
});

test('plain parameters keep shape and order', () => {
  assert.deepEqual(tfShapeOf([4, 1, 1], 'plain'), [4, 1, 1]);
  assert.deepEqual([...torchToTf(iota(4), [4, 1, 1], 'plain')], [0, 1, 2, 3]);
});

test('a rank-3 permutation agrees with explicit indexing', () => {
  const shape = [2, 3, 4];
  const data = iota(24);
  const out = permuteAxes(data, shape, [2, 0, 1]);
  for (let a = 0; a < 4; a += 1) {
    for (let b = 0; b < 2; b += 1) {
      for (let c = 0; c < 3; c += 1) {
        assert.equal(out[a * 6 + b * 3 + c], data[b * 12 + c * 4 + a]);
      }
    }
  }
});

test('wrong ranks and sizes are refused', () => {
  assert.throws(() => tfShapeOf([3, 3], 'conv2d'), /rank-4 PyTorch shape/);
  assert.throws(() => tfShapeOf([3, 2, 3, 3], 'depthwise'), /one input channel per group/);
  assert.throws(() => permuteAxes(iota(5), [2, 3], [1, 0]), /5 values do not fill shape \[2, 3\]/);
});

// How the wasm Transpose kernel recognises a block swap: permutations reduced by hand.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergedPermutation } from '../../core/engine/kernels/heapTranspose';

test('axes that move together merge, axes of size 1 drop out', () => {
  assert.deepEqual(mergedPermutation([2, 3, 4, 5], [0, 3, 1, 2]), { shape: [2, 12, 5], perm: [0, 2, 1] });
  assert.deepEqual(mergedPermutation([6, 7], [1, 0]), { shape: [6, 7], perm: [1, 0] });
  assert.deepEqual(mergedPermutation([1, 6, 1, 9], [3, 2, 1, 0]), { shape: [6, 9], perm: [1, 0] });
  assert.deepEqual(mergedPermutation([2, 3, 4], [0, 1, 2]), { shape: [24], perm: [0] });
});

test('a permutation that is no block swap keeps its axes', () => {
  assert.deepEqual(mergedPermutation([2, 3, 4, 5], [3, 1, 2, 0]), { shape: [2, 12, 5], perm: [2, 1, 0] });
  assert.deepEqual(mergedPermutation([2, 3, 4], [1, 2, 0]), { shape: [2, 12], perm: [1, 0] });
});

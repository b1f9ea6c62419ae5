// Loss weights per grade: the competition's 1/2/4 by default, inverse frequency on request, and a grade the
// training split lacks is reported whatever the setting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveClassWeights } from '../../core/train/loss';

test('competition weights are 1, 2, 4 whatever the split holds', () => {
  const grades = [0, 0, 0, 0, 0, 0, 1, 1, 2];
  assert.deepEqual(resolveClassWeights('competition', grades), { weights: [1, 2, 4], absentGrades: [] });
});

test('inverse frequency stays available: n / (3 * count) per grade', () => {
  // 9 samples: 6, 2, 1 -> 9/18, 9/6, 9/3.
  const grades = [0, 0, 0, 0, 0, 0, 1, 1, 2];
  assert.deepEqual(resolveClassWeights('inverse_frequency', grades).weights, [0.5, 1.5, 3]);
});

test('none weighs every grade 1, a list is used as written', () => {
  assert.equal(resolveClassWeights('none', [0, 1, 2]).weights, undefined);
  assert.deepEqual(resolveClassWeights([1, 3, 9], [0, 1, 2]).weights, [1, 3, 9]);
});

test('a grade missing from the training split is reported for every setting', () => {
  const noSevere = [0, 0, 1, 0, 1];
  for (const setting of ['competition', 'inverse_frequency', 'none', [1, 1, 1]] as const) {
    assert.deepEqual(resolveClassWeights(setting, noSevere).absentGrades, [2], String(setting));
  }
  assert.deepEqual(resolveClassWeights('competition', [1, 1]).absentGrades, [0, 2]);
});

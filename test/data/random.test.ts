// The seeded helpers every shuffle and draw goes through (splits, epoch order, augmentation, synthetic data).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mulberry32, shuffled, uniform } from '../../core/data/random';

/** A generator that returns the given numbers in turn. */
function sequence(...values: number[]) {
  let i = 0;
  return () => values[i++]!;
}

describe('shuffled', () => {
  it('is Fisher-Yates from the end: j = floor(random * (i + 1)) swapped with i', () => {
    const items = ['a', 'b', 'c', 'd'];
    // i=3, j=0: d b c a; i=2, j=0: c b d a; i=1, j=0: b c d a
    assert.deepEqual(shuffled(items, sequence(0, 0, 0)), ['b', 'c', 'd', 'a']);
    // i=3, j=floor(0.99*4)=3: unchanged; i=2, j=floor(0.5*3)=1: a c b d; i=1, j=floor(0.6*2)=1: unchanged
    assert.deepEqual(shuffled(items, sequence(0.99, 0.5, 0.6)), ['a', 'c', 'b', 'd']);
    assert.deepEqual(items, ['a', 'b', 'c', 'd'], 'the input is not modified');
  });

  it('gives the same order for the same seed, and a permutation', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const first = shuffled(items, mulberry32(7));
    assert.deepEqual(shuffled(items, mulberry32(7)), first);
    assert.deepEqual([...first].sort((a, b) => a - b), items);
    assert.notDeepEqual(first, items);
  });
});

describe('uniform', () => {
  it('maps [0, 1) onto [low, high)', () => {
    assert.equal(uniform(sequence(0), -3, 5), -3);
    assert.equal(uniform(sequence(0.5), -3, 5), 1);
    assert.equal(uniform(sequence(0.25), -8, 8), -4);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { weightedLogLossByLevel } from '../../core/metrics/levelLogLoss';
import { weightedLogLoss } from '../../core/metrics/rsnaLogLoss';
import { assertClose } from './helpers';

describe('weightedLogLossByLevel', () => {
  // Two studies, two levels. Weights by true grade: Normal/Mild 1, Moderate 2, Severe 4.
  const samples = [
    { studyId: 'a', level: 'L4/L5', trueLabel: 0, probabilities: [0.8, 0.1, 0.1] },
    { studyId: 'b', level: 'L4/L5', trueLabel: 2, probabilities: [0.5, 0.25, 0.25] },
    { studyId: 'a', level: 'L1/L2', trueLabel: 1, probabilities: [0.5, 0.5, 0] },
  ];

  it('gives each level its own weighted log loss and weight, levels in name order', () => {
    const levels = weightedLogLossByLevel(samples);
    assert.deepEqual(
      levels.map((l) => [l.level, l.samples, l.weight]),
      [
        ['L1/L2', 1, 2],
        ['L4/L5', 2, 5],
      ],
    );
    // L1/L2: −ln 0.5 (the clip of the 0 changes the row sum by 1e-15 only).
    assertClose(levels[0]!.weightedLogLoss, Math.log(2), 1e-12);
    // L4/L5: (1 · −ln 0.8 + 4 · −ln 0.25) / 5.
    assertClose(levels[1]!.weightedLogLoss, (-Math.log(0.8) - 4 * Math.log(0.25)) / 5, 1e-12);
    // Contributions: loss · weight / 7.
    assertClose(levels[0]!.contribution, (2 * Math.log(2)) / 7, 1e-12);
    assertClose(levels[1]!.contribution, (-Math.log(0.8) - 4 * Math.log(0.25)) / 7, 1e-12);
  });

  it('has contributions that add up to the condition loss', () => {
    const total = weightedLogLoss(
      samples.map((s) => s.trueLabel),
      samples.map((s) => s.probabilities),
    );
    const sum = weightedLogLossByLevel(samples).reduce((acc, level) => acc + level.contribution, 0);
    assertClose(sum, total, 1e-12);
  });

  it('refuses an empty set', () => {
    assert.throws(() => weightedLogLossByLevel([]), /no samples/);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rsnaConditionScore, weightedLogLoss, type GradedSample } from '../../core/metrics/rsnaLogLoss';
import { assertClose, referenceCases } from './helpers';

describe('rsna weighted log loss, hand-computed', () => {
  // Two studies, two levels each:
  //   A L1/L2 Normal/Mild [0.7, 0.2, 0.1]   weight 1   −ln 0.7 = 0.356675
  //   A L2/L3 Severe      [0.2, 0.3, 0.5]   weight 4   −ln 0.5 = 0.693147
  //   B L1/L2 Moderate    [0.3, 0.6, 0.1]   weight 2   −ln 0.6 = 0.510826
  //   B L2/L3 Normal/Mild [0.8, 0.1, 0.1]   weight 1   −ln 0.8 = 0.223144
  // L_condition = (0.356675 + 4·0.693147 + 2·0.510826 + 0.223144) / 8 = 4.374059 / 8 = 0.546757
  // any severe: A label 1, max Severe 0.5, weight 4 → 4·0.693147 = 2.772589
  //             B label 0, max Severe 0.1, weight max(2, 1) = 2 → 2·(−ln 0.9) = 0.210721
  // L_any = 2.983310 / 6 = 0.497218; spinal score = (0.546757 + 0.497218) / 2 = 0.521988
  const samples: GradedSample[] = [
    { studyId: 'A', level: 'L1/L2', trueLabel: 0, probabilities: [0.7, 0.2, 0.1] },
    { studyId: 'A', level: 'L2/L3', trueLabel: 2, probabilities: [0.2, 0.3, 0.5] },
    { studyId: 'B', level: 'L1/L2', trueLabel: 1, probabilities: [0.3, 0.6, 0.1] },
    { studyId: 'B', level: 'L2/L3', trueLabel: 0, probabilities: [0.8, 0.1, 0.1] },
  ];

  it('combines the condition term and the any_severe_spinal term for spinal canal stenosis', () => {
    const score = rsnaConditionScore('spinal_canal_stenosis', samples);
    assertClose(score.conditionLoss, 0.546757, 1e-6);
    assertClose(score.anySevereLoss!, 0.497218, 1e-6);
    assertClose(score.score, 0.521988, 1e-6);
    assert.equal(score.studies, 2);
  });

  it('uses the condition term alone for other conditions', () => {
    const score = rsnaConditionScore('left_neural_foraminal_narrowing', samples);
    assert.equal(score.anySevereLoss, null);
    assertClose(score.score, 0.546757, 1e-6);
  });

  it('clips a zero probability to 1e-15 and renormalises the row', () => {
    // [1, 0, 0] with truth Moderate: clipped [1 − 1e-15, 1e-15, 1e-15], row sum 1 + 1e-15,
    // loss −ln(1e-15 / (1 + 1e-15)) = 15·ln 10 = 34.538776
    assertClose(weightedLogLoss([1], [[1, 0, 0]]), 34.538776, 1e-7);
    // [0.6, 0.3, 0.3] renormalises to [1/2, 1/4, 1/4]: truth Normal/Mild → ln 2
    assertClose(weightedLogLoss([0], [[0.6, 0.3, 0.3]]), Math.LN2, 1e-12);
    // Clipping comes first: [2, 1, 1] clips to [1 − 1e-15, 1 − 1e-15, 1 − 1e-15], then renormalises to 1/3 each
    assertClose(weightedLogLoss([0], [[2, 1, 1]]), Math.log(3), 1e-12);
  });

  it('refuses a level scored twice', () => {
    assert.throws(
      () => rsnaConditionScore('spinal_canal_stenosis', [samples[0]!, samples[0]!]),
      /study A level L1\/L2 appears twice/,
    );
  });
});

describe('rsna weighted log loss against scikit-learn', () => {
  for (const reference of referenceCases()) {
    it(reference.name, () => {
      const samples = reference.labels.map((trueLabel, i) => ({
        studyId: reference.studyIds[i]!,
        level: reference.levels[i]!,
        trueLabel,
        probabilities: reference.probabilities[i]!,
      }));
      const score = rsnaConditionScore('spinal_canal_stenosis', samples);
      assertClose(score.conditionLoss, reference.expected.conditionLoss, 1e-12, 'condition loss');
      assertClose(score.anySevereLoss!, reference.expected.anySevereLoss, 1e-12, 'any severe loss');
      assertClose(score.score, reference.expected.spinalScore, 1e-12, 'score');
    });
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Condition } from '../../core/data/lsdcVocabulary';
import {
  rsnaCompetitionScore,
  rsnaConditionScore,
  weightedLogLoss,
  type ConditionGradedSample,
  type GradedSample,
} from '../../core/metrics/rsnaLogLoss';
import { assertClose, metricsFixtures, referenceCases } from './helpers';

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

describe('rsna competition score over all five conditions, hand-computed', () => {
  // spinal canal: A L1/L2 Normal/Mild [0.7, 0.2, 0.1] w1, A L2/L3 Severe [0.2, 0.3, 0.5] w4, B L1/L2 Moderate
  //   [0.3, 0.6, 0.1] w2: (−ln 0.7 + 4·−ln 0.5 + 2·−ln 0.6) / 7 = 4.150915 / 7 = 0.592988
  // foraminal, both sides pooled: A left Moderate [0.3, 0.6, 0.1] w2, A right Normal/Mild [0.8, 0.1, 0.1] w1:
  //   (2·−ln 0.6 − ln 0.8) / 3 = 0.414932
  // subarticular, both sides pooled: A left Severe [0.25, 0.25, 0.5] w4, B right Normal/Mild [0.5, 0.25, 0.25] w1:
  //   (4·ln 2 + ln 2) / 5 = ln 2 = 0.693147
  // any_severe_spinal: A positive, max P(Severe) 0.5, weight 4; B negative, max 0.1, weight 2 (its worst spinal
  //   level is Moderate): (4·−ln 0.5 + 2·−ln 0.9) / 6 = 0.497218
  // score = (0.592988 + 0.414932 + 0.693147 + 0.497218) / 4 = 0.549571
  const row = (studyId: string, condition: Condition, level: string, trueLabel: number, probabilities: number[]) => ({
    studyId,
    condition,
    level,
    trueLabel,
    probabilities,
  });
  const samples: ConditionGradedSample[] = [
    row('A', 'spinal_canal_stenosis', 'L1/L2', 0, [0.7, 0.2, 0.1]),
    row('A', 'spinal_canal_stenosis', 'L2/L3', 2, [0.2, 0.3, 0.5]),
    row('B', 'spinal_canal_stenosis', 'L1/L2', 1, [0.3, 0.6, 0.1]),
    row('A', 'left_neural_foraminal_narrowing', 'L1/L2', 1, [0.3, 0.6, 0.1]),
    row('A', 'right_neural_foraminal_narrowing', 'L1/L2', 0, [0.8, 0.1, 0.1]),
    row('A', 'left_subarticular_stenosis', 'L1/L2', 2, [0.25, 0.25, 0.5]),
    row('B', 'right_subarticular_stenosis', 'L1/L2', 0, [0.5, 0.25, 0.25]),
  ];

  it('averages the three pooled condition terms and any_severe_spinal', () => {
    const score = rsnaCompetitionScore(samples);
    assertClose(score.spinalCanal, 0.592988, 1e-6, 'spinal canal');
    assertClose(score.neuralForaminal, 0.414932, 1e-6, 'neural foraminal');
    assertClose(score.subarticular, Math.LN2, 1e-12, 'subarticular');
    assertClose(score.anySevereSpinal, 0.497218, 1e-6, 'any severe spinal');
    assertClose(score.score, 0.549571, 1e-6, 'score');
    assert.equal(score.samples, 7);
    assert.equal(score.studies, 2);
  });

  it('refuses predictions that leave out a condition group, or score a row twice', () => {
    assert.throws(
      () => rsnaCompetitionScore(samples.filter((s) => !s.condition.endsWith('subarticular_stenosis'))),
      /no predictions for left_subarticular_stenosis or right_subarticular_stenosis/,
    );
    assert.throws(
      () => rsnaCompetitionScore([...samples, samples[3]!]),
      /A left_neural_foraminal_narrowing at L1\/L2 appears twice/,
    );
  });
});

describe('rsna competition score against the scorer written with pandas and scikit-learn', () => {
  interface CompetitionCase {
    name: string;
    rows: { study: string; condition: Condition; level: string; grade: number; p: number[] }[];
    expected: { spinal: number; foraminal: number; subarticular: number; any_severe_spinal: number; score: number };
  }
  const cases = (
    JSON.parse(readFileSync(join(metricsFixtures, 'competition_reference.json'), 'utf8')) as {
      cases: CompetitionCase[];
    }
  ).cases;
  for (const reference of cases) {
    it(reference.name, () => {
      const score = rsnaCompetitionScore(
        reference.rows.map((r) => ({
          studyId: r.study,
          condition: r.condition,
          level: r.level,
          trueLabel: r.grade,
          probabilities: r.p,
        })),
      );
      assertClose(score.spinalCanal, reference.expected.spinal, 1e-12, 'spinal canal');
      assertClose(score.neuralForaminal, reference.expected.foraminal, 1e-12, 'neural foraminal');
      assertClose(score.subarticular, reference.expected.subarticular, 1e-12, 'subarticular');
      assertClose(score.anySevereSpinal, reference.expected.any_severe_spinal, 1e-12, 'any severe spinal');
      assertClose(score.score, reference.expected.score, 1e-12, 'score');
    });
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oneVsRestPrecisionRecall, precisionRecallCurve } from '../../core/metrics/precisionRecall';
import { assertAllClose, assertClose } from './helpers';

describe('precisionRecallCurve, hand-computed', () => {
  it("matches scikit-learn's documented average_precision_score example", () => {
    // y = [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8]: scikit-learn's documentation gives AP 0.83.
    // 0.8 (pos): P 1, R 1/2; 0.4 (neg): P 1/2, R 1/2; 0.35 (pos): P 2/3, R 1; 0.1 (neg): P 1/2, R 1.
    // AP = 1/2 · 1 + 0 · 1/2 + 1/2 · 2/3 + 0 · 1/2 = 5/6.
    const curve = precisionRecallCurve([0.1, 0.4, 0.35, 0.8], [false, false, true, true]);
    assertAllClose(curve.precision, [1, 1, 1 / 2, 2 / 3, 1 / 2]);
    assertAllClose(curve.recall, [0, 1 / 2, 1 / 2, 1, 1]);
    assert.deepEqual(curve.thresholds, [0.8, 0.4, 0.35, 0.1]);
    assertClose(curve.averagePrecision!, 5 / 6);
    assert.equal(curve.prevalence, 1 / 2);
  });

  it('takes tied scores as one threshold', () => {
    // 0.9 (pos): P 1, R 1/2; 0.8 (neg and pos together): P 2/3, R 1; 0.3 (neg): P 1/2, R 1.
    // AP = 1/2 · 1 + 1/2 · 2/3 = 5/6; taken one by one the tie would give 1/2 + 1/2 · 2/3 or 1/2 + 1/2 · 1/2.
    const curve = precisionRecallCurve([0.9, 0.8, 0.8, 0.3], [true, false, true, false]);
    assert.equal(curve.precision.length, 4);
    assertClose(curve.averagePrecision!, 5 / 6);
  });

  it('gives 1 for a perfect ranking and null without positives', () => {
    assert.equal(precisionRecallCurve([0.9, 0.8, 0.1], [true, true, false]).averagePrecision, 1);
    assert.equal(precisionRecallCurve([0.9, 0.1], [false, false]).averagePrecision, null);
  });
});

describe('oneVsRestPrecisionRecall', () => {
  it('scores each grade one vs rest and averages the APs', () => {
    // truth [2, 0, 1]; grade 2 scores 0.5 (pos), 0.6 (neg), 0.1 (neg): 0.6 P 0 R 0; 0.5 P 1/2 R 1 → AP 1/2.
    // Grades 0 and 1 put their single positive first: AP 1 each. Macro (1 + 1 + 1/2) / 3.
    const report = oneVsRestPrecisionRecall(
      [2, 0, 1],
      [
        [0.2, 0.3, 0.5],
        [0.4, 0.0, 0.6],
        [0.1, 0.8, 0.1],
      ],
    );
    assertClose(report.curves[2]!.averagePrecision!, 1 / 2);
    assertClose(report.macroAveragePrecision!, 5 / 6);
  });

  it('leaves a grade without positives out of the macro mean', () => {
    // Grade 2 never occurs (AP null, prevalence 0); grades 0 and 1 rank their positive first (AP 1).
    const report = oneVsRestPrecisionRecall(
      [1, 0],
      [
        [0.3, 0.6, 0.1],
        [0.5, 0.4, 0.1],
      ],
    );
    assert.equal(report.curves[2]!.averagePrecision, null);
    assert.equal(report.curves[2]!.prevalence, 0);
    assert.equal(report.macroAveragePrecision, 1);
  });
});

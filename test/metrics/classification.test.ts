import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classificationReport } from '../../core/metrics/classification';
import { assertAllClose, assertClose, referenceCases } from './helpers';

/** Rows whose argmax is the given grade. */
function confident(grades: number[]): number[][] {
  return grades.map((grade) => [0, 1, 2].map((k) => (k === grade ? 0.8 : 0.1)));
}

describe('classificationReport, hand-computed', () => {
  // truth     [0, 0, 0, 1, 1, 2]
  // predicted [0, 0, 1, 1, 2, 2]
  // confusion rows (truth) × columns (predicted): [2 1 0] [0 1 1] [0 0 1]
  // grade 0: TP 2, predicted 2, support 3 → P 1,   R 2/3, F1 2·1·(2/3)/(5/3) = 4/5
  // grade 1: TP 1, predicted 2, support 2 → P 1/2, R 1/2, F1 1/2
  // grade 2: TP 1, predicted 2, support 1 → P 1/2, R 1,   F1 2·(1/2)/(3/2) = 2/3
  // accuracy 4/6; macro P (1 + 1/2 + 1/2)/3 = 2/3, R (2/3 + 1/2 + 1)/3 = 13/18, F1 (4/5 + 1/2 + 2/3)/3 = 59/90
  // weighted (supports 3, 2, 1): P (3 + 1 + 1/2)/6 = 3/4, R (2 + 1 + 1)/6 = 2/3, F1 (12/5 + 1 + 2/3)/6 = 61/90
  const truth = [0, 0, 0, 1, 1, 2];
  const report = classificationReport(truth, confident([0, 0, 1, 1, 2, 2]));

  it('counts the confusion matrix and normalises its rows', () => {
    assert.deepEqual(report.confusion.counts, [
      [2, 1, 0],
      [0, 1, 1],
      [0, 0, 1],
    ]);
    assertAllClose(report.confusion.normalised.flat(), [2 / 3, 1 / 3, 0, 0, 1 / 2, 1 / 2, 0, 0, 1]);
  });

  it('computes accuracy, per-grade, macro and weighted scores', () => {
    assertClose(report.accuracy, 4 / 6);
    assertAllClose(
      report.perClass.map((s) => s.precision),
      [1, 1 / 2, 1 / 2],
    );
    assertAllClose(
      report.perClass.map((s) => s.recall),
      [2 / 3, 1 / 2, 1],
    );
    assertAllClose(
      report.perClass.map((s) => s.f1),
      [4 / 5, 1 / 2, 2 / 3],
    );
    assert.deepEqual(
      report.perClass.map((s) => s.support),
      [3, 2, 1],
    );
    assertAllClose([report.macro.precision, report.macro.recall, report.macro.f1], [2 / 3, 13 / 18, 59 / 90]);
    assertAllClose([report.weighted.precision, report.weighted.recall, report.weighted.f1], [3 / 4, 2 / 3, 61 / 90]);
  });

  it('scores a grade never predicted or never present as 0, not NaN', () => {
    // truth [0, 0, 1], predicted [0, 0, 0]: grade 0 P 2/3, R 1, F1 4/5; grade 1 predicted never (P 0/0 → 0),
    // R 0; grade 2 absent everywhere → 0. Macro F1 (4/5)/3, weighted F1 (2·4/5)/3.
    const sparse = classificationReport([0, 0, 1], confident([0, 0, 0]));
    assertAllClose(
      sparse.perClass.map((s) => s.f1),
      [4 / 5, 0, 0],
    );
    assertAllClose(
      sparse.perClass.map((s) => s.precision),
      [2 / 3, 0, 0],
    );
    assertClose(sparse.macro.f1, 4 / 15);
    assertClose(sparse.weighted.f1, 8 / 15);
    assert.deepEqual(sparse.confusion.normalised[2], [0, 0, 0]);
  });

  it('breaks the report down by level', () => {
    const levels = ['L4/L5', 'L5/S1', 'L4/L5', 'L4/L5', 'L5/S1', 'L5/S1'];
    const byLevel = classificationReport(truth, confident([0, 0, 1, 1, 2, 2]), levels).perLevel!;
    assert.deepEqual(Object.keys(byLevel), ['L4/L5', 'L5/S1']);
    // L4/L5: truth [0, 0, 1], predicted [0, 1, 1] → 2 of 3 right. L5/S1: truth [0, 1, 2], predicted [0, 2, 2].
    assertClose(byLevel['L4/L5']!.accuracy, 2 / 3);
    assert.deepEqual(byLevel['L5/S1']!.confusion.counts, [
      [1, 0, 0],
      [0, 0, 1],
      [0, 0, 1],
    ]);
  });

  it('breaks argmax ties towards the lower grade, like numpy', () => {
    assert.deepEqual(classificationReport([1], [[0.4, 0.4, 0.2]]).confusion.counts[1], [1, 0, 0]);
  });

  it('names the bad row in its errors', () => {
    assert.throws(() => classificationReport([0, 3], confident([0, 0])), /label 1 is 3/);
    assert.throws(() => classificationReport([0], [[0.5, 0.5]]), /row 0 has 2 values/);
    assert.throws(
      () =>
        classificationReport(
          [0, 1],
          [
            [1, 0, 0],
            [0, Number.NaN, 1],
          ],
        ),
      /row 1 holds a non-finite/,
    );
    assert.throws(() => classificationReport([0, 1], confident([0])), /2 true labels but 1 probability rows/);
  });
});

describe('classificationReport against scikit-learn', () => {
  for (const reference of referenceCases()) {
    it(reference.name, () => {
      const report = classificationReport(reference.labels, reference.probabilities);
      const expected = reference.expected;
      assertClose(report.accuracy, expected.accuracy, 1e-12, 'accuracy');
      for (const key of ['precision', 'recall', 'f1'] as const) {
        assertAllClose(
          report.perClass.map((s) => s[key]),
          expected.perClass.map((s) => s[key]),
          1e-12,
          key,
        );
        assertClose(report.macro[key], expected.macro[key], 1e-12, `macro ${key}`);
        assertClose(report.weighted[key], expected.weighted[key], 1e-12, `weighted ${key}`);
      }
      assert.deepEqual(
        report.perClass.map((s) => s.support),
        expected.perClass.map((s) => s.support),
      );
      assert.deepEqual(report.confusion.counts, expected.confusion.counts);
      assertAllClose(report.confusion.normalised.flat(), expected.confusion.normalised.flat(), 1e-12, 'normalised');
    });
  }
});

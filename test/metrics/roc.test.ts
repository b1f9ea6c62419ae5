import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oneVsRestRoc, rocCurve } from '../../core/metrics/roc';
import { assertAllClose, assertClose, referenceCases } from './helpers';

describe('rocCurve, hand-computed', () => {
  it('groups tied scores into one diagonal step', () => {
    // scores 0.9 (pos), 0.8 (neg), 0.8 (pos), 0.3 (neg); 2 positives, 2 negatives.
    // threshold 0.9: TP 1 FP 0 → (0, 1/2); 0.8: TP 2 FP 1 → (1/2, 1); 0.3: (1, 1).
    // trapezoids: 0 + (1/2)(1/2 + 1)/2 + (1/2)(1 + 1)/2 = 3/8 + 1/2 = 7/8.
    // Mann-Whitney check: pairs (pos > neg) 0.9>0.8, 0.9>0.3, 0.8>0.3 and one tie 0.8=0.8 → (3 + 1/2)/4 = 7/8.
    const curve = rocCurve([0.9, 0.8, 0.8, 0.3], [true, false, true, false]);
    assert.deepEqual(curve.fpr, [0, 0, 0.5, 1]);
    assert.deepEqual(curve.tpr, [0, 0.5, 1, 1]);
    assert.deepEqual(curve.thresholds.slice(1), [0.9, 0.8, 0.3]);
    assertClose(curve.auc!, 7 / 8);
  });

  it('gives 1 for a perfect ranking, 0 for a reversed one and null without negatives', () => {
    assert.equal(rocCurve([0.9, 0.1], [true, false]).auc, 1);
    assert.equal(rocCurve([0.1, 0.9], [true, false]).auc, 0);
    assert.equal(rocCurve([0.1, 0.9], [true, true]).auc, null);
  });

  it('leaves a grade without positives out of the macro mean', () => {
    // truth [0, 1, 0, 1]: grade 2 never occurs. Grade 0 ranks perfectly (AUC 1), grade 1 too (AUC 1).
    const report = oneVsRestRoc(
      [0, 1, 0, 1],
      [
        [0.7, 0.2, 0.1],
        [0.2, 0.7, 0.1],
        [0.6, 0.3, 0.1],
        [0.1, 0.6, 0.3],
      ],
    );
    assert.deepEqual(
      report.curves.map((c) => c.auc),
      [1, 1, null],
    );
    assert.equal(report.macroAuc, 1);
  });
});

describe('oneVsRestRoc against scikit-learn', () => {
  for (const reference of referenceCases()) {
    it(reference.name, () => {
      const report = oneVsRestRoc(reference.labels, reference.probabilities);
      reference.expected.roc.forEach((expected, k) => {
        const curve = report.curves[k]!;
        if (expected.auc === null) {
          assert.equal(curve.auc, null);
          return;
        }
        assertClose(curve.auc!, expected.auc, 1e-12, `AUC of grade ${k}`);
        assertAllClose(curve.fpr, expected.fpr!, 1e-12, `fpr of grade ${k}`);
        assertAllClose(curve.tpr, expected.tpr!, 1e-12, `tpr of grade ${k}`);
      });
    });
  }
});

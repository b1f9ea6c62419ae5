import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTemperature, fitTemperature, temperatureScalingReport } from '../../core/metrics/temperatureScaling';
import { assertAllClose, assertClose } from './helpers';

// When every row is the same p = (a, b, b), tempered rows are q = (e^{βc}, 1, 1) / (e^{βc} + 2) with c = ln(a/b)
// and β = 1/T. The weighted log loss −Σ_k W_k ln q_k (W_k: total weight of grade k) is smallest where
// q_0 = W_0 / W, i.e. e^{βc} = 2·q_0 / (1 − q_0), so T* = c / ln(2·q_0 / (1 − q_0)).
function repeatedRow(row: number[], labels: number[]) {
  return { labels, probabilities: labels.map(() => row) };
}

// 9 Normal/Mild (weight 9), 1 Moderate (2), 1 Severe (4): q_0* = 9/15 = 0.6; a 0.9 prediction is over-confident.
const overConfident = repeatedRow([0.9, 0.05, 0.05], [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2]);

describe('applyTemperature', () => {
  it('raises probabilities to 1/T and renormalises', () => {
    // T = 2: square roots 0.8, √0.32, 0.2, divided by their sum.
    const root = Math.sqrt(0.32);
    const [row] = applyTemperature([[0.64, 0.32, 0.04]], 2);
    assertAllClose(
      row!,
      [0.8, root, 0.2].map((v) => v / (1 + root)),
    );
    assertAllClose(applyTemperature([[0.64, 0.32, 0.04]], 1)[0]!, [0.64, 0.32, 0.04]);
  });

  it('keeps a zero probability the smallest and refuses a non-positive T', () => {
    const [row] = applyTemperature([[0.7, 0.3, 0]], 3);
    assert.ok(row![2]! < row![1]! && row![1]! < row![0]!);
    assert.throws(() => applyTemperature([[0.5, 0.5, 0]], 0), /T is 0/);
  });
});

describe('fitTemperature', () => {
  it('softens an over-confident set: T > 1 at the known optimum, and the log loss falls', () => {
    const fit = fitTemperature(overConfident.labels, overConfident.probabilities);
    assertClose(fit.temperature, Math.log(18) / Math.log(3), 1e-6, 'T');
    assert.ok(fit.temperature > 1);
    // At T*, q = (0.6, 0.2, 0.2).
    assertClose(fit.lossBefore, -(9 * Math.log(0.9) + 6 * Math.log(0.05)) / 15, 1e-12, 'loss before');
    assertClose(fit.lossAfter, -(9 * Math.log(0.6) + 6 * Math.log(0.2)) / 15, 1e-9, 'loss after');
    assert.ok(fit.lossAfter < fit.lossBefore);
  });

  it('sharpens an under-confident set: T < 1 at the known optimum', () => {
    // 14 Normal/Mild (14) and 1 Moderate (2): q_0* = 14/16, c = ln 2, so T* = ln 2 / ln 14.
    const underConfident = repeatedRow([0.5, 0.25, 0.25], [...new Array<number>(14).fill(0), 1]);
    const fit = fitTemperature(underConfident.labels, underConfident.probabilities);
    assertClose(fit.temperature, Math.log(2) / Math.log(14), 1e-6, 'T');
  });

  it('refuses an empty validation split', () => {
    assert.throws(() => fitTemperature([], []), /validation split is empty/);
  });
});

describe('temperatureScalingReport', () => {
  it('fits on validation and scores the test split before and after', () => {
    const samples = overConfident.labels.map((trueLabel, i) => ({
      studyId: `s${i}`,
      level: 'L4/L5',
      trueLabel,
      probabilities: overConfident.probabilities[i]!,
    }));
    const report = temperatureScalingReport('left_neural_foraminal_narrowing', samples, samples);
    assertClose(report.temperature, Math.log(18) / Math.log(3), 1e-6, 'T');
    const { before, after } = report.test;
    assertClose(before.weightedLogLoss, -(9 * Math.log(0.9) + 6 * Math.log(0.05)) / 15, 1e-12);
    assertClose(after.weightedLogLoss, -(9 * Math.log(0.6) + 6 * Math.log(0.2)) / 15, 1e-9);
    // A foraminal condition's score is its weighted log loss.
    assert.equal(after.score, after.weightedLogLoss);
    // Every row predicts Normal/Mild, right 9 times in 11, with confidence 0.9 before and 0.6 after: the
    // weights 1/2/4 pull the fit below the unweighted accuracy, so the top-label ECE grows while the score improves.
    assertClose(before.topLabelEce!, 0.9 - 9 / 11, 1e-12);
    assertClose(after.topLabelEce!, 9 / 11 - 0.6, 1e-6);
  });
});

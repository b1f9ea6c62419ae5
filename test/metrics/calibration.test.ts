import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calibrationReport, reliability } from '../../core/metrics/calibration';
import { assertClose } from './helpers';

// Four samples; the expected values below are worked out by hand in the comments.
const labels = [0, 1, 0, 2];
const probabilities = [
  [0.85, 0.1, 0.05],
  [0.6, 0.3, 0.1],
  [0.95, 0.03, 0.02],
  [0.2, 0.15, 0.65],
];

describe('calibrationReport, hand-computed with 10 bins', () => {
  const report = calibrationReport(labels, probabilities);

  it('bins grade 1 and reports its ECE', () => {
    // Grade 1 scores 0.10 (neg), 0.30 (pos), 0.03 (neg), 0.15 (neg): bin 0 {0.03}, bin 1 {0.10, 0.15}, bin 3 {0.30}.
    const grade = report.perGrade[1]!;
    assert.equal(report.binCount, 10);
    assert.deepEqual(
      grade.bins.map((b) => b.count),
      [1, 2, 0, 1, 0, 0, 0, 0, 0, 0],
    );
    assertClose(grade.bins[1]!.meanPredicted!, 0.125);
    assert.equal(grade.bins[1]!.observedFrequency, 0);
    assert.equal(grade.bins[3]!.observedFrequency, 1);
    assert.equal(grade.bins[2]!.meanPredicted, null);
    assertClose(grade.bins[3]!.lower, 0.3);
    assertClose(grade.bins[3]!.upper, 0.4);
    // gaps: 1·0.03 + 2·0.125 + 1·0.70 = 0.98, over 4 samples.
    assertClose(grade.ece!, 0.245);
  });

  it('gives each grade its ECE, their mean and the top-label ECE', () => {
    // grade 0: 0.85 pos, 0.60 neg, 0.95 pos, 0.20 neg, one per bin: (0.15 + 0.6 + 0.05 + 0.2) / 4 = 0.25.
    // grade 2: bin 0 {0.05, 0.02} gap 2·0.035, bin 1 {0.10} 0.1, bin 6 {0.65 pos} 0.35: 0.52 / 4 = 0.13.
    assertClose(report.perGrade[0]!.ece!, 0.25);
    assertClose(report.perGrade[2]!.ece!, 0.13);
    assertClose(report.classwiseEce!, (0.25 + 0.245 + 0.13) / 3);
    // top label: 0.85 right, 0.60 wrong, 0.95 right, 0.65 right; bin 6 {0.60, 0.65} mean 0.625, accuracy 0.5.
    // gaps 0.15 + 2·0.125 + 0.05 = 0.45, over 4.
    assertClose(report.topLabel.ece!, 0.1125);
    assert.equal(report.topLabel.bins[6]!.count, 2);
  });
});

describe('reliability', () => {
  it('uses the requested bin count', () => {
    // 2 bins, grade 0: bin 0 {0.20 neg} gap 0.2; bin 1 {0.85, 0.60, 0.95} mean 0.8, 2 of 3 positive: 3·(0.8 − 2/3).
    const curve = reliability([0.85, 0.6, 0.95, 0.2], [true, false, true, false], 2);
    assert.deepEqual(
      curve.bins.map((b) => b.count),
      [1, 3],
    );
    assertClose(curve.ece!, (0.2 + 3 * (0.8 - 2 / 3)) / 4);
  });

  it('puts probability 1 in the last bin and is 0 for perfectly calibrated certainty', () => {
    const curve = reliability([1, 0], [true, false]);
    assert.equal(curve.bins[9]!.count, 1);
    assert.equal(curve.bins[0]!.count, 1);
    assert.equal(curve.ece, 0);
  });

  it('has no ECE without samples and refuses probabilities outside [0, 1]', () => {
    assert.equal(reliability([], []).ece, null);
    assert.throws(() => reliability([1.2], [true]), /probability 0 is 1.2/);
    assert.throws(() => reliability([0.5], [true], 0), /bin count is 0/);
  });
});

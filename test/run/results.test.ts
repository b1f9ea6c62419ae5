// writeResults puts calibration, precision-recall, the per-level log loss and (when validation predictions are
// given) temperature scaling into metrics.json and the plots folder; the expected numbers are worked out by hand.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SampleCache } from '../../core/data/sampleCache';
import type { ResolvedRun } from '../../core/experiment/resolvedRun';
import type { RunMetricsFile } from '../../core/run/metricsFile';
import { writeResults } from '../../core/run/results';
import { runPaths } from '../../core/run/runFolder';
import type { EventWriter, RadLabEventBody } from '../../core/train/events';
import type { TrainingProgress } from '../../core/train/trainingCheckpoint';
import { assertClose } from '../metrics/helpers';

const folder = mkdtempSync(join(tmpdir(), 'radlab-results-'));
after(() => rmSync(folder, { recursive: true, force: true }));

// Only the fields writeResults reads.
const run = {
  data: { condition: 'left_neural_foraminal_narrowing' },
  model: { backbone: 'resnet18' },
  train: { select_best: 'val_weighted_log_loss' },
} as unknown as ResolvedRun;
// Positions 0-3 are test samples, 4-14 validation samples.
const cache = {
  samples: [
    { studyId: 'a', level: 'L4/L5' },
    { studyId: 'b', level: 'L4/L5' },
    { studyId: 'a', level: 'L5/S1' },
    { studyId: 'b', level: 'L5/S1' },
    ...Array.from({ length: 11 }, (_, i) => ({ studyId: `v${i}`, level: 'L1/L2' })),
  ],
} as unknown as SampleCache;
const progress: TrainingProgress = {
  completedEpochs: 1,
  globalStep: 4,
  history: [
    {
      epoch: 1,
      lr: 1e-3,
      seconds: 1,
      train: { loss: 1, accuracy: 0.5, macroF1: 0.4 },
      val: { loss: 1, accuracy: 0.5, macroF1: 0.4, weightedLogLoss: 1 },
    },
  ],
  bestEpoch: 1,
  bestScore: -1,
  epochsWithoutImprovement: 0,
};
const test = {
  positions: [0, 1, 2, 3],
  grades: [0, 1, 0, 2],
  probabilities: [
    [0.85, 0.1, 0.05],
    [0.6, 0.3, 0.1],
    [0.95, 0.03, 0.02],
    [0.2, 0.15, 0.65],
  ],
  loss: 0,
};
// Over-confident: every row 0.9 for Normal/Mild, right 9 times in 11; the fitted T is ln 18 / ln 3
// (test/metrics/temperatureScaling.test.ts derives it).
const validation = {
  positions: Array.from({ length: 11 }, (_, i) => 4 + i),
  grades: [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2],
  probabilities: Array.from({ length: 11 }, () => [0.9, 0.05, 0.05]),
  loss: 0,
};

function write(name: string, withValidation: boolean) {
  const paths = runPaths(join(folder, name), name);
  mkdirSync(paths.results, { recursive: true });
  const emitted: RadLabEventBody[] = [];
  const events = { emit: (body: RadLabEventBody) => emitted.push(body) } as unknown as EventWriter;
  writeResults(run, cache, test, progress, paths, events, withValidation ? validation : undefined);
  const metrics = JSON.parse(readFileSync(join(paths.results, 'metrics.json'), 'utf8')) as RunMetricsFile;
  return { metrics, paths, emitted };
}

describe('writeResults', () => {
  it('writes calibration, precision-recall and the per-level log loss, and their plots', () => {
    const { metrics, paths, emitted } = write('plain', false);
    // Top label: 0.85 right, 0.60 wrong, 0.95 right, 0.65 right; bin 6 holds 0.60 and 0.65 (mean 0.625, half
    // right): (0.15 + 2 · 0.125 + 0.05) / 4.
    assertClose(metrics.test.calibration!.topLabel.ece!, 0.1125);
    assert.equal(metrics.test.calibration!.binCount, 10);
    // Every grade ranks its positives first.
    assert.equal(metrics.test.precisionRecall!.macroAveragePrecision, 1);
    // L4/L5: weights 1 (p 0.85) and 2 (p 0.30); L5/S1: 1 (p 0.95) and 4 (p 0.65); total weight 8.
    const byLevel = metrics.test.rsnaByLevel!;
    assert.deepEqual(
      byLevel.map((l) => [l.level, l.weight]),
      [
        ['L4/L5', 3],
        ['L5/S1', 5],
      ],
    );
    assertClose(byLevel[0]!.contribution, (-Math.log(0.85) - 2 * Math.log(0.3)) / 8, 1e-12);
    assertClose(byLevel[1]!.contribution, (-Math.log(0.95) - 4 * Math.log(0.65)) / 8, 1e-12);
    assert.equal(metrics.temperatureScaling, undefined);
    for (const file of ['reliability.png', 'precision_recall.png']) assert.ok(existsSync(join(paths.plots, file)));
    const kinds = emitted.map((e) => (e as { kind?: string }).kind);
    assert.ok(kinds.includes('plot-reliability') && kinds.includes('plot-precisionRecall'), String(kinds));
  });

  it('fits a temperature on the validation predictions and reports the test before and after', () => {
    const { metrics } = write('calibrated', true);
    const scaling = metrics.temperatureScaling!;
    assertClose(scaling.temperature, Math.log(18) / Math.log(3), 1e-6, 'T');
    assertClose(scaling.test.before.score, metrics.test.rsna.score, 1e-12, 'score before');
    assert.notEqual(scaling.test.after.score, scaling.test.before.score);
  });
});

// A localizer trained by `radlab run` (model.task: localizer, with a refinement stage) on a tiny synthetic dataset
// of its own seed (4409): the run folder holds what predict needs for both stages, metrics.json scores both, and on
// the held-out series the coarse stage's median error beats the baseline that puts every level at its mean
// training position.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';

const repo = join(__dirname, '..', '..');
let workspace: string;

describe('a localizer run', { timeout: 3_600_000 }, () => {
  before(() => {
    workspace = mkdtempSync(join(tmpdir(), 'radlab-localizer-'));
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('trains, tests against the marked points and beats the mean-position baseline', () => {
    const file = join(workspace, 'loc.experiment.yaml');
    writeFileSync(
      file,
      [
        'name: loc',
        'data:',
        '  root: dataset',
        '  synthetic: { studies: 16, seed: 4409 }',
        '  condition: spinal_canal_stenosis',
        '  input: { mode: crop, crop_mm: 60, size: 64 }',
        '  split: { train: 0.6, val: 0.2, test: 0.2, seed: 1 }',
        'model:',
        '  task: localizer',
        '  backbones: resnet18',
        '  pretrained: none',
        '  level_embedding: 32',
        '  head: { hidden: [128], dropout: 0 }',
        '  refine: { crop_mm: 40, size: 32, jitter_mm: 10, epochs: 1 }',
        '  freeze_backbone: false',
        'train:',
        '  optimizer: { name: adamw, lr: 1.0e-3, weight_decay: 0.01 }',
        '  schedule: { name: cosine, warmup_epochs: 1 }',
        '  batch_size: 4',
        '  epochs: 25',
        '  engine: wasm',
        '  threads: 1',
        'output: runs/',
        '',
      ].join('\n'),
    );
    const result = spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'core', 'cli.ts'), 'run', file], {
      encoding: 'utf8',
      cwd: repo,
    });
    assert.equal(result.status, 0, result.stderr + result.stdout);
    const [name] = readdirSync(join(workspace, 'runs', 'loc'));
    const runDir = join(workspace, 'runs', 'loc', name!);
    const runJson = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
    assert.equal(runJson.status, 'completed', runJson.error);
    for (const path of [
      'trained_models/model.safetensors',
      'trained_models/refine.safetensors',
      'trained_models/localizer.json',
      'split.csv',
    ]) {
      assert.ok(existsSync(join(runDir, path)), path);
    }
    const description = JSON.parse(readFileSync(join(runDir, 'trained_models', 'localizer.json'), 'utf8'));
    assert.deepEqual(description.refine, { cropMm: 40, size: 32, jitterMm: 10, weights: 'refine.safetensors' });
    const metrics = JSON.parse(readFileSync(join(runDir, 'results', 'metrics.json'), 'utf8'));
    assert.equal(metrics.task, 'localizer');
    assert.deepEqual(
      [metrics.stages.coarse.epochs, metrics.stages.refine.epochs, metrics.history.length],
      [25, 1, 26],
      'both stages trained, each epoch in the history',
    );
    assert.equal(metrics.test.coarse.points, metrics.test.points);
    const predictions = parse(readFileSync(join(runDir, 'results', 'predictions.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    assert.equal(predictions.length, metrics.test.points);
    // The file's distances, recomputed from its coordinates and the spacing the synthetic series use (0.82-0.9 mm).
    for (const row of predictions) {
      const pixels = Math.hypot(
        Number(row.predicted_x) - Number(row.true_x),
        Number(row.predicted_y) - Number(row.true_y),
      );
      assert.ok(
        Number(row.distance_mm) >= pixels * 0.82 - 1e-3 && Number(row.distance_mm) <= pixels * 0.9 + 1e-3,
        row.row_id,
      );
    }
    // The coarse stage is what a few dozen steps can teach; one epoch of the refinement stage on ten series is
    // only its plumbing (test/localize/refineStage.test.ts and the demo measure what it learns).
    assert.ok(
      metrics.test.coarse.medianMm < metrics.test.baseline.medianMm,
      `coarse median ${metrics.test.coarse.medianMm} mm against the baseline's ${metrics.test.baseline.medianMm} mm`,
    );
  });
});

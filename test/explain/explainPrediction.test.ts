// `radlab explain` on a run trained here (resnet18 from random weights, 64-pixel crops, one epoch on 10 synthetic
// studies): the crop it rebuilds from the DICOM is the one the run evaluated, byte for byte as the run's sample
// cache stored it (read here straight from samples.bin and index.json), and the model on it gives the
// probabilities the run wrote to predictions.csv; the PNG and JSON it writes hold that crop and map; a row id the
// run does not have is refused naming its predictions file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import sharp from 'sharp';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { explainPrediction } from '../../core/explain/explainPrediction';
import { writeTinyExperiment } from '../helpers/tinyExperiment';

const repo = join(__dirname, '..', '..');
const SIZE = 64;

function radlab(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'core', 'cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: repo,
  });
}

interface CacheIndex {
  size: number;
  side: number;
  channels: number;
  bytesPerSample: number;
  samples: { id: string; offset: number }[];
}

/** The centre SIZE x SIZE square of a sample's first channel as the run's sample cache stored it. */
function cachedCrop(dataset: string, rowId: string): Uint8Array {
  const cacheRoot = join(dataset, '.radlab-cache');
  const [folder] = readdirSync(cacheRoot);
  const index = JSON.parse(readFileSync(join(cacheRoot, folder!, 'index.json'), 'utf8')) as CacheIndex;
  const sample = index.samples.find((s) => s.id === rowId)!;
  const bytes = readFileSync(join(cacheRoot, folder!, 'samples.bin')).subarray(
    sample.offset,
    sample.offset + index.bytesPerSample,
  );
  const margin = (index.side - SIZE) / 2;
  const crop = new Uint8Array(SIZE * SIZE);
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++)
      crop[y * SIZE + x] = bytes[((y + margin) * index.side + x + margin) * index.channels]!;
  }
  return crop;
}

describe('radlab explain', { timeout: 600_000 }, () => {
  let workspace: string;
  let runFolder: string;
  let rows: Record<string, string>[];

  before(async () => {
    assert.ok(await tf.setBackend('cpu'));
    workspace = mkdtempSync(join(tmpdir(), 'radlab-explain-'));
    const experiment = writeTinyExperiment(workspace, 'explain', {
      epochs: 1,
      input: `{ mode: crop, crop_mm: 60, size: ${SIZE} }`,
    });
    const trained = radlab('run', experiment);
    assert.equal(trained.status, 0, trained.stderr);
    const experimentFolder = join(workspace, 'runs', 'explain');
    runFolder = join(
      experimentFolder,
      readdirSync(experimentFolder).find((name) => name.endsWith('-resnet18'))!,
    );
    rows = parse(readFileSync(join(runFolder, 'results', 'predictions.csv'), 'utf8'), { columns: true });
  });

  after(() => rmSync(workspace, { recursive: true, force: true }));

  test('rebuilds the evaluated crop and the recorded probabilities, and maps the predicted grade', async () => {
    for (const row of rows.slice(0, 2)) {
      const explanation = await explainPrediction(runFolder, row.row_id!);
      assert.deepEqual(explanation.crop.grey, cachedCrop(join(workspace, 'dataset'), row.row_id!));
      const recorded = ['prob_normal_mild', 'prob_moderate', 'prob_severe'].map((column) => Number(row[column]));
      explanation.saliency.probabilities.forEach((p, k) =>
        assert.ok(Math.abs(p - recorded[k]!) < 1e-5, `${p} vs ${recorded[k]}`),
      );
      const { saliency } = explanation;
      assert.equal(['Normal/Mild', 'Moderate', 'Severe'][saliency.grade], row.predicted_label);
      // resnet18's last stage reduces 64 pixels to a 2x2 grid; layer2's 8x8 is the deepest of at least 7x7.
      assert.deepEqual(saliency.grid, [8, 8]);
      assert.equal(saliency.values.length, SIZE * SIZE);
      assert.ok(saliency.values.every((v) => v >= 0 && v <= 1));
    }
  });

  test('writes the overlay PNG and a JSON with the raw map and the crop, for the grade and step asked for', async () => {
    const rowId = rows[0]!.row_id!;
    const out = join(workspace, 'out');
    const result = radlab(
      'explain',
      runFolder,
      rowId,
      '--grade',
      'Severe',
      '--step',
      'last',
      '--png',
      join(out, 'overlay.png'),
      '--json',
      join(out, 'map.json'),
    );
    assert.equal(result.status, 0, result.stderr);
    // The last stage of resnet18 at 64 px: a 2x2 grid (the default, layer2's 8x8, is checked above).
    assert.match(result.stdout, /Grad-CAM for Severe, on a 2x2 feature grid \(backbone step 9 of 9\), 64x64 crop/);
    const png = await sharp(join(out, 'overlay.png')).metadata();
    assert.deepEqual([png.width, png.height, png.channels], [256, 256, 3]);
    const document = JSON.parse(readFileSync(join(out, 'map.json'), 'utf8'));
    assert.equal(document.grade, 'Severe');
    assert.equal(document.gradeIndex, 2);
    assert.deepEqual(
      [document.grid, document.step],
      [
        [2, 2],
        [9, 9],
      ],
    );
    assert.equal(document.map.length, SIZE * SIZE);
    const expected = await explainPrediction(runFolder, rowId, 2, 'last');
    document.map.forEach((v: number, i: number) => assert.ok(Math.abs(v - expected.saliency.values[i]!) < 1e-4));
    // The crop PNG is the cached crop, each pixel enlarged 4x4.
    const { data } = await sharp(Buffer.from(document.cropPng, 'base64')).raw().toBuffer({ resolveWithObject: true });
    const crop = cachedCrop(join(workspace, 'dataset'), rowId);
    for (const [x, y] of [
      [0, 0],
      [17, 40],
      [63, 63],
    ] as const)
      assert.equal(data[((y * 4 + 1) * 256 + x * 4 + 1) * 3], crop[y * SIZE + x]);
  });

  test('a step that is neither auto, last nor a number is refused', () => {
    const rowId = rows[0]!.row_id!;
    const wrong = radlab('explain', runFolder, rowId, '--step', 'layer4');
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /--step takes auto, last or a step number from 1 \(got 'layer4'\)/);
  });

  test('an unknown row id is refused, naming the predictions file and a row id it holds', () => {
    const result = radlab('explain', runFolder, '123_spinal_canal_stenosis_l9_s9');
    assert.equal(result.status, 1);
    const file = join(runFolder, 'results', 'predictions.csv');
    assert.ok(result.stderr.includes(`row id '123_spinal_canal_stenosis_l9_s9' is not in ${file}`), result.stderr);
    assert.ok(result.stderr.includes(rows[0]!.row_id!));
  });
});

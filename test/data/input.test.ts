// Model inputs against crops computed here by hand: the crop window in pixels from PixelSpacing, DICOM's linear
// window applied to frameModalityValues, zero padding, and block means compared with the resized input.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readdirSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { frameModalityValues, readDicomFile, readDicomMeta, type DicomImage } from '../../core/dicom';
import { indexDataset, type Sample } from '../../core/data/datasetIndex';
import { buildInputs } from '../../core/data/inputBuilder';
import { buildSampleInput, type InputSettings } from '../../core/data/sampleInput';
import { SeriesImages } from '../../core/data/seriesImages';
import { makeDataset } from './helpers';

const GRID = 4;
const SIZE = 64;

let dataset: Awaited<ReturnType<typeof makeDataset>>;
let canal: Sample[];
let foramen: Sample[];

before(async () => {
  dataset = await makeDataset('radlab-input-');
  canal = (await indexDataset(dataset.root, { condition: 'spinal_canal_stenosis' })).samples;
  foramen = (await indexDataset(dataset.root, { condition: 'left_neural_foraminal_narrowing' })).samples;
});
after(() => dataset.cleanup());

function linearWindow(value: number, center: number, width: number): number {
  const low = center - 0.5 - (width - 1) / 2;
  const high = center - 0.5 + (width - 1) / 2;
  if (value <= low) return 0;
  if (value > high) return 255;
  return ((value - (center - 0.5)) / (width - 1) + 0.5) * 255;
}

/** Block means (GRID x GRID) of a square of `sideMm` mm centred at (x, y), windowed, zero outside the slice. */
function expectedBlocks(image: DicomImage, x: number, y: number, sideMm: number, center: number, width: number): number[] {
  const values = frameModalityValues(image, 0);
  const { rows, columns } = image.meta;
  const [rowSpacing, columnSpacing] = image.meta.pixelSpacing!;
  const w = Math.round(sideMm / columnSpacing);
  const h = Math.round(sideMm / rowSpacing);
  const left = Math.round(x - w / 2);
  const top = Math.round(y - h / 2);
  const sums = new Array<number>(GRID * GRID).fill(0);
  const counts = new Array<number>(GRID * GRID).fill(0);
  for (let r = 0; r < h; r++) {
    for (let c = 0; c < w; c++) {
      const sr = top + r;
      const sc = left + c;
      const inside = sr >= 0 && sr < rows && sc >= 0 && sc < columns;
      const block = Math.floor((r * GRID) / h) * GRID + Math.floor((c * GRID) / w);
      sums[block]! += inside ? linearWindow(values[sr * columns + sc]!, center, width) : 0;
      counts[block]!++;
    }
  }
  return sums.map((sum, i) => sum / counts[i]!);
}

function outputBlocks(input: Uint8Array, channels: number, channel: number): number[] {
  const sums = new Array<number>(GRID * GRID).fill(0);
  for (let r = 0; r < SIZE; r++) {
    for (let c = 0; c < SIZE; c++) sums[Math.floor((r * GRID) / SIZE) * GRID + Math.floor((c * GRID) / SIZE)]! += input[(r * SIZE + c) * channels + channel]!;
  }
  return sums.map((sum) => sum / ((SIZE * SIZE) / (GRID * GRID)));
}

function maxDifference(a: number[], b: number[]): number {
  return Math.max(...a.map((value, i) => Math.abs(value - b[i]!)));
}

// Lanczos resampling moves a block's mean by a few grey levels at sharp edges; a crop one pixel off moves it
// further, and a crop 5 mm off much further (asserted below so this tolerance keeps meaning).
const TOLERANCE = 6;

const settings = (overrides: Partial<InputSettings>): InputSettings => ({ mode: 'crop', crop_mm: 60, slices: 1, size: SIZE, window: 'auto', ...overrides });

describe('sample inputs', () => {
  test('a crop is crop_mm around the point, windowed, in every one of 3 identical channels', async () => {
    const sample = canal[2]!;
    const image = await readDicomFile(sample.file);
    const { center, width } = image.meta.window!;
    const input = await buildSampleInput(sample, settings({ window: { center, width } }), new SeriesImages());
    assert.equal(input.length, SIZE * SIZE * 3);
    for (let p = 0; p < SIZE * SIZE; p++) assert.ok(input[3 * p] === input[3 * p + 1] && input[3 * p] === input[3 * p + 2]);
    const expected = expectedBlocks(image, sample.x, sample.y, 60, center, width);
    assert.ok(maxDifference(outputBlocks(input, 3, 0), expected) < TOLERANCE, `blocks differ by ${maxDifference(outputBlocks(input, 3, 0), expected)}`);
    const [, columnSpacing] = image.meta.pixelSpacing!;
    const shifted = expectedBlocks(image, sample.x + 5 / columnSpacing, sample.y, 60, center, width);
    assert.ok(maxDifference(outputBlocks(input, 3, 0), shifted) > 2 * TOLERANCE, 'a 5 mm shift should be visible');
    // 'tags' is the same window, read from the file.
    assert.deepEqual(await buildSampleInput(sample, settings({ window: 'tags' }), new SeriesImages()), input);
  });

  test('crop_mm is measured in millimetres: a smaller crop covers fewer pixels', async () => {
    const sample = foramen[1]!;
    const image = await readDicomFile(sample.file);
    const { center, width } = image.meta.window!;
    const input = await buildSampleInput(sample, settings({ crop_mm: 25, window: { center, width } }), new SeriesImages());
    // 25 mm is ~28 pixels here, enlarged to 64: resampling ripples weigh more in each block than when shrinking.
    const difference = maxDifference(outputBlocks(input, 3, 0), expectedBlocks(image, sample.x, sample.y, 25, center, width));
    const versus60 = maxDifference(outputBlocks(input, 3, 0), expectedBlocks(image, sample.x, sample.y, 60, center, width));
    assert.ok(difference < 1.5 * TOLERANCE, `blocks differ by ${difference}`);
    assert.ok(versus60 > 3 * TOLERANCE, `a 60 mm crop differs by only ${versus60}`);
  });

  test('a crop leaving the slice is padded with zeros', async () => {
    const sample = { ...canal[0]!, x: 3, y: 4 };
    const image = await readDicomFile(sample.file);
    const { center, width } = image.meta.window!;
    const input = await buildSampleInput(sample, settings({ window: { center, width } }), new SeriesImages());
    const blocks = outputBlocks(input, 3, 0);
    assert.ok(maxDifference(blocks, expectedBlocks(image, 3, 4, 60, center, width)) < TOLERANCE);
    assert.ok(blocks[0]! < 1, `the top-left block lies outside the slice but averages ${blocks[0]}`);
  });

  test('slice mode resizes the whole slice', async () => {
    const sample = canal[0]!;
    const image = await readDicomFile(sample.file);
    const { center, width } = image.meta.window!;
    const { rows, columns, pixelSpacing } = image.meta;
    const input = await buildSampleInput(sample, settings({ mode: 'slice', window: { center, width } }), new SeriesImages());
    const side = Math.max(rows * pixelSpacing![0], columns * pixelSpacing![1]);
    const expected = expectedBlocks(image, (columns - 1) / 2, (rows - 1) / 2, side, center, width);
    assert.ok(maxDifference(outputBlocks(input, 3, 0), expected) < TOLERANCE);
  });

  test('slices: 3 stacks the neighbours in slice-position order, the labelled slice in the middle', async () => {
    const sample = foramen.find((s) => s.instanceNumber > 1)!;
    const folder = join(sample.file, '..');
    // Position along the slice normal, from ImagePositionPatient and ImageOrientationPatient, computed here.
    const metas = await Promise.all(readdirSync(folder).map((name) => readDicomMeta(join(folder, name))));
    const [rx, ry, rz, cx, cy, cz] = metas[0]!.geometry.imageOrientationPatient!;
    const normal = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
    const position = (meta: (typeof metas)[number]) => meta.geometry.imagePositionPatient!.reduce((sum, v, i) => sum + v * normal[i]!, 0);
    const ordered = [...metas].sort((a, b) => position(a) - position(b));
    const at = ordered.findIndex((meta) => meta.file === sample.file);
    const neighbours = [ordered[at - 1]!, ordered[at]!, ordered[at + 1]!];

    const labelled = await readDicomFile(sample.file);
    const { center, width } = labelled.meta.window!;
    const input = await buildSampleInput(sample, settings({ slices: 3, window: { center, width } }), new SeriesImages());
    assert.equal(input.length, SIZE * SIZE * 3);
    for (const [channel, meta] of neighbours.entries()) {
      const expected = expectedBlocks(await readDicomFile(meta.file), sample.x, sample.y, 60, center, width);
      const got = outputBlocks(input, 3, channel);
      assert.ok(maxDifference(got, expected) < TOLERANCE, `channel ${channel} is not ${meta.file} (differs by ${maxDifference(got, expected)})`);
    }
    assert.ok(maxDifference(outputBlocks(input, 3, 0), outputBlocks(input, 3, 2)) > 1, 'the outer slices should differ');

    const five = await buildSampleInput(sample, settings({ slices: 5, window: { center, width } }), new SeriesImages());
    assert.equal(five.length, SIZE * SIZE * 5);
    assert.deepEqual(outputBlocks(five, 5, 2), outputBlocks(input, 3, 1));
  });

  test('worker threads build the same bytes as this thread', async () => {
    const samples = [...canal.slice(0, 6), ...foramen.slice(0, 6)];
    const collect = async (threads: number) => {
      const out: Uint8Array[] = [];
      await buildInputs(samples, settings({ slices: 3 }), async (i, result) => {
        assert.ok('input' in result, 'error' in result ? result.error : '');
        out[i] = result.input;
      }, { threads });
      return out;
    };
    const here = await collect(1);
    const workers = await collect(2);
    assert.equal(workers.length, samples.length);
    for (let i = 0; i < samples.length; i++) assert.deepEqual(Buffer.from(workers[i]!), Buffer.from(here[i]!), `sample ${i}`);
  });
});

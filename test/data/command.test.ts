// `radlab dataset` through its run(): --json counts against the CSV files, the split from an experiment,
// and the previews (a labelled slice, a contact sheet) as PNGs with the expected size and marks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { readDicomMeta } from '../../core/dicom';
import { readDatasetTables } from '../../core/data/datasetTables';
import { datasetSlicePng, GRADE_COLOURS } from '../../core/data/preview';
import { inputContactSheetPng } from '../../core/data/previewInputs';
import { makeDataset, readCsv, type CsvRow } from './helpers';

let dataset: Awaited<ReturnType<typeof makeDataset>>;
let train: CsvRow[];

before(async () => {
  dataset = await makeDataset('radlab-command-');
  train = readCsv(join(dataset.root, 'train.csv'));
});
after(() => dataset.cleanup());

// A child process, because the test runner's own reports share this process's stdout.
async function capture(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const script = `require(${JSON.stringify(join(__dirname, '../../core/cli/datasetCommand.ts'))}).run(${JSON.stringify(args)}).then((code) => { process.exitCode = code; })`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8' });
  return { code: result.status ?? -1, out: result.stdout, err: result.stderr };
}

const LEVEL_SUFFIXES: Record<string, string> = { 'L1/L2': 'l1_l2', 'L2/L3': 'l2_l3', 'L3/L4': 'l3_l4', 'L4/L5': 'l4_l5', 'L5/S1': 'l5_s1' };

describe('radlab dataset', () => {
  test('--json on a dataset root: per-level grade counts equal train.csv, for every condition', async () => {
    const { code, out } = await capture([dataset.root, '--json']);
    assert.equal(code, 0);
    const report = JSON.parse(out);
    assert.equal(report.conditions.length, 5);
    for (const condition of report.conditions) {
      assert.equal(condition.studies, train.length);
      for (const [level, byGrade] of Object.entries(condition.samplesByLevel as Record<string, Record<string, number>>)) {
        const cells = train.map((row) => row[`${condition.condition}_${LEVEL_SUFFIXES[level]}`]);
        for (const grade of ['Normal/Mild', 'Moderate', 'Severe']) {
          assert.equal(byGrade[grade], cells.filter((cell) => cell === grade).length, `${condition.condition} ${level} ${grade}`);
        }
      }
      assert.equal(condition.split, undefined);
    }
  });

  test('an experiment file gives its condition and the split counts', async () => {
    const file = join(dataset.temp, 'canal.experiment.yaml');
    writeFileSync(
      file,
      'name: canal\ndata:\n  root: dataset\n  condition: spinal_canal_stenosis\n' +
        '  split: { train: 0.6, val: 0.2, test: 0.2, stratify: true, seed: 3 }\nmodel:\n  backbones: resnet18\n',
    );
    const { code, out, err } = await capture([file, '--json']);
    assert.equal(code, 0, err);
    const [report] = JSON.parse(out).conditions;
    assert.equal(report.condition, 'spinal_canal_stenosis');
    assert.deepEqual(report.split.studies, { train: 3, val: 1, test: 1 });
    const text = await capture([file]);
    assert.match(text.out, /split \(seed 3, stratified by worst grade/);
  });

  test('bad arguments exit 2 with the usage', async () => {
    const { code, err } = await capture([dataset.root, '--condition', 'scoliosis']);
    assert.equal(code, 2);
    assert.match(err, /unknown condition 'scoliosis'/);
  });
});

describe('previews', () => {
  test('a labelled slice is enlarged to 512 pixels with a ring in the grade colour at each point', async () => {
    const tables = await readDatasetTables(dataset.root);
    const point = tables.coordinates.find((row) => row.condition === 'spinal_canal_stenosis')!;
    const png = await datasetSlicePng(tables, point.studyId, point.seriesId, point.instanceNumber);
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.equal(Math.max(info.width, info.height), 512);
    const grade = train.find((row) => row.study_id === point.studyId)![`spinal_canal_stenosis_${LEVEL_SUFFIXES[point.level]}`]!;
    const colour = GRADE_COLOURS[grade as keyof typeof GRADE_COLOURS];
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(colour.slice(i, i + 2), 16));
    const { rows, columns } = await readDicomMeta(join(dataset.root, 'train_images', point.studyId, point.seriesId, `${point.instanceNumber}.dcm`));
    const scale = 512 / Math.max(rows, columns);
    const cx = Math.round((point.x + 0.5) * scale);
    const cy = Math.round((point.y + 0.5) * scale);
    let found = false;
    for (let dy = -14; dy <= 14 && !found; dy++) {
      for (let dx = -14; dx <= 14 && !found; dx++) {
        const i = ((cy + dy) * info.width + (cx + dx)) * info.channels;
        found = Math.abs(data[i]! - r!) < 40 && Math.abs(data[i + 1]! - g!) < 40 && Math.abs(data[i + 2]! - b!) < 40;
      }
    }
    assert.ok(found, `no ${colour} ring near (${cx}, ${cy})`);
  });

  test('a contact sheet shows one tile per slice of a 2.5D input', async () => {
    const size = 32;
    const input = new Uint8Array(size * size * 3);
    for (let p = 0; p < size * size; p++) [input[3 * p], input[3 * p + 1], input[3 * p + 2]] = [0, 128, 255];
    const png = await inputContactSheetPng([{ input, label: 'a', grade: 'Severe' }, { input, label: 'b' }], { size, slices: 3 });
    const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 3 * size + 4 * 4);
    assert.equal(info.height, 2 * (18 + size + 4) + 4);
    const pixel = (x: number, y: number) => data[(y * info.width + x) * info.channels]!;
    const y = 4 + 18 + size / 2;
    assert.deepEqual([pixel(4 + size / 2, y), pixel(8 + size + size / 2, y), pixel(12 + 2 * size + size / 2, y)], [0, 128, 255]);
  });
});

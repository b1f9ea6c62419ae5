// `radlab synth --messy all --test-studies N`: each irregularity of the real data is found in the files (read here
// with csv-parse and dicom-parser, not through core/), `radlab dataset --json` lists each with its reason, sample
// inputs build for every usable sample, the held-out part has the competition's layout (and is summarised by
// `radlab dataset`) and leaves the labelled part unchanged, and every DICOM file passes dciodvfy.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import * as dicomParser from 'dicom-parser';
import { run } from '../../core/cli/synthCommand';
import { ensureSyntheticDataset } from '../../core/data/synthetic/dataset';
import { indexDataset } from '../../core/data/datasetIndex';
import { SampleCache } from '../../core/data/sampleCache';
import { resolveExperiment } from '../../core/experiment/resolve';
import { dciodvfyProblems, hasDciodvfy } from './dciodvfy';

const CONDITIONS: Record<string, { label: string; series: string }> = {
  spinal_canal_stenosis: { label: 'Spinal Canal Stenosis', series: 'Sagittal T2/STIR' },
  left_neural_foraminal_narrowing: { label: 'Left Neural Foraminal Narrowing', series: 'Sagittal T1' },
  right_neural_foraminal_narrowing: { label: 'Right Neural Foraminal Narrowing', series: 'Sagittal T1' },
  left_subarticular_stenosis: { label: 'Left Subarticular Stenosis', series: 'Axial T2' },
  right_subarticular_stenosis: { label: 'Right Subarticular Stenosis', series: 'Axial T2' },
};
const LEVELS = ['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1'];
const column = (condition: string, level: string) => `${condition}_${level.toLowerCase().replace('/', '_')}`;
// Seed 1 with 10 studies gives, at the default rate, every case on a study where it can be seen on its own
// (a repeated series that stays listed, a missing series type on a labelled study).
const SEED = 1;
const STUDIES = 10;
const TEST_STUDIES = 2;

type Row = Record<string, string>;
const readCsv = (path: string): Row[] => parse(readFileSync(path, 'utf8'), { columns: true }) as Row[];

interface SeriesOnDisk {
  studyId: string;
  seriesId: string;
  description: string;
  numbers: number[];
  rows: number;
  columns: number;
  spacing: number;
}

/** Every series folder under an images root, its type and geometry from the first file's header. */
function seriesOnDisk(imagesRoot: string): SeriesOnDisk[] {
  const found: SeriesOnDisk[] = [];
  for (const studyId of readdirSync(imagesRoot)) {
    for (const seriesId of readdirSync(join(imagesRoot, studyId))) {
      const folder = join(imagesRoot, studyId, seriesId);
      const numbers = readdirSync(folder)
        .map((name) => Number(name.replace(/\.dcm$/, '')))
        .sort((a, b) => a - b);
      const header = dicomParser.parseDicom(readFileSync(join(folder, `${numbers[0]}.dcm`)));
      found.push({
        studyId,
        seriesId,
        description: header.string('x0008103e')!,
        numbers,
        rows: header.uint16('x00280010')!,
        columns: header.uint16('x00280011')!,
        spacing: Number(header.string('x00280030')!.split('\\')[0]),
      });
    }
  }
  return found;
}

let scratch: string;
let root: string;
let train: Row[];
let coordinates: Row[];
let descriptions: Row[];
let disk: SeriesOnDisk[];
let report: {
  conditions: {
    condition: string;
    samples: number;
    skipped: { studyId: string; level: string; reason: string }[];
    notes: { studyId: string; reason: string }[];
  }[];
  series: {
    byType: {
      description: string;
      series: number;
      slices: { min: number; max: number };
      pixelSpacingMm: { min: number; max: number };
      matrices: string[];
    }[];
    notes: { studyId: string; seriesId: string; reason: string }[];
  };
  heldOut: { studies: number; seriesByType: Record<string, number> };
};

before(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'radlab-messy-'));
  root = join(scratch, 'data');
  const args = ['--out', root, '--studies', String(STUDIES), '--seed', String(SEED), '--messy', 'all'];
  assert.equal(await run([...args, '--test-studies', String(TEST_STUDIES)]), 0);
  train = readCsv(join(root, 'train.csv'));
  coordinates = readCsv(join(root, 'train_label_coordinates.csv'));
  descriptions = readCsv(join(root, 'train_series_descriptions.csv'));
  disk = seriesOnDisk(join(root, 'train_images'));
  const script = `require(${JSON.stringify(join(__dirname, '../../core/cli/datasetCommand.ts'))}).run(${JSON.stringify([root, '--json'])}).then((code) => { process.exitCode = code; })`;
  const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  assert.equal(result.status, 0, result.stderr);
  report = JSON.parse(result.stdout);
});
after(() => rmSync(scratch, { recursive: true, force: true }));

const listed = (studyId: string, seriesId: string) =>
  descriptions.some((row) => row.study_id === studyId && row.series_id === seriesId);
const labelled = (studyId: string) => train.some((row) => row.study_id === studyId);
const skippedAs = (condition: string, reason: string) =>
  report.conditions
    .find((entry) => entry.condition === condition)!
    .skipped.filter((item) => item.reason === reason)
    .map((item) => `${item.studyId} ${item.level}`)
    .sort();

describe('radlab synth --messy all: each case is in the files and radlab dataset lists it with its reason', () => {
  test('several series of one type: noted for the conditions graded on that type', () => {
    const repeated = new Map<string, string>();
    for (const series of disk) {
      const sameType = disk.filter(
        (other) => other.studyId === series.studyId && other.description === series.description,
      );
      if (
        sameType.length > 1 &&
        sameType.every((other) => listed(other.studyId, other.seriesId)) &&
        labelled(series.studyId)
      ) {
        repeated.set(series.studyId, series.description);
      }
    }
    assert.ok(repeated.size > 0, 'no labelled study with two listed series of one type');
    for (const [condition, { series }] of Object.entries(CONDITIONS)) {
      const expected = [...repeated].filter(([, description]) => description === series).map(([studyId]) => studyId);
      const notes = report.conditions.find((entry) => entry.condition === condition)!.notes;
      assert.deepEqual(
        notes
          .filter((note) => note.reason === 'several-series')
          .map((note) => note.studyId)
          .sort(),
        expected.sort(),
      );
    }
  });

  test('a missing series type: every graded level of its conditions is skipped as no-series-of-type', () => {
    let cases = 0;
    for (const [condition, { series }] of Object.entries(CONDITIONS)) {
      const expected = train.flatMap((row) =>
        disk.some((one) => one.studyId === row.study_id && one.description === series)
          ? []
          : LEVELS.filter((level) => row[column(condition, level)] !== '').map((level) => `${row.study_id} ${level}`),
      );
      cases += expected.length;
      assert.deepEqual(skippedAs(condition, 'no-series-of-type'), expected.sort(), condition);
    }
    assert.ok(cases > 0, 'no labelled study lacks a series type');
  });

  test('graded levels without a point, on a study that has the series: skipped as no-coordinates', () => {
    let cases = 0;
    for (const [condition, { label, series }] of Object.entries(CONDITIONS)) {
      const expected = train.flatMap((row) =>
        LEVELS.filter(
          (level) =>
            row[column(condition, level)] !== '' &&
            disk.some((one) => one.studyId === row.study_id && one.description === series) &&
            !coordinates.some(
              (point) => point.study_id === row.study_id && point.condition === label && point.level === level,
            ),
        ).map((level) => `${row.study_id} ${level}`),
      );
      cases += expected.length;
      assert.deepEqual(skippedAs(condition, 'no-coordinates'), expected.sort(), condition);
    }
    assert.ok(cases > 0, 'every graded level has a point');
  });

  test('points on a series the descriptions do not list: skipped as series-not-listed', () => {
    let cases = 0;
    for (const [condition, { label }] of Object.entries(CONDITIONS)) {
      const expected = coordinates
        .filter((point) => point.condition === label && !listed(point.study_id!, point.series_id!))
        .map((point) => {
          assert.ok(
            disk.some((one) => one.seriesId === point.series_id),
            `series ${point.series_id} has no images`,
          );
          return `${point.study_id} ${point.level}`;
        });
      cases += expected.length;
      assert.deepEqual(skippedAs(condition, 'series-not-listed'), expected.sort(), condition);
    }
    assert.ok(cases > 0, 'no point lies on an unlisted series');
  });

  test('studies with images and descriptions but no train.csv row: noted as unlabelled-study', () => {
    const expected = [...new Set(disk.map((one) => one.studyId))].filter(
      (studyId) => !labelled(studyId) && descriptions.some((row) => row.study_id === studyId),
    );
    assert.ok(expected.length > 0 && expected.length < STUDIES);
    assert.ok(coordinates.every((point) => !expected.includes(point.study_id!)));
    for (const entry of report.conditions) {
      assert.deepEqual(
        entry.notes
          .filter((note) => note.reason === 'unlabelled-study')
          .map((note) => note.studyId)
          .sort(),
        expected.sort(),
      );
    }
  });

  test('instance numbers that do not run 1..n: each such listed series is noted', () => {
    const expected = disk
      .filter((one) => listed(one.studyId, one.seriesId))
      .filter((one) => one.numbers.some((number, i) => number !== i + 1))
      .map((one) => one.seriesId);
    assert.ok(expected.some((seriesId) => disk.find((one) => one.seriesId === seriesId)!.numbers[0]! > 1));
    assert.ok(
      disk.some((one) => one.numbers.some((number, i) => i > 0 && number > one.numbers[i - 1]! + 1)),
      'no series skips a number',
    );
    const noted = report.series.notes
      .filter((note) => note.reason === 'instance-numbering')
      .map((note) => note.seriesId);
    assert.deepEqual(noted.sort(), expected.sort());
  });

  test('each file is named by its InstanceNumber tag, and every point lies inside the image it names', () => {
    for (const one of disk) {
      for (const number of one.numbers) {
        const header = dicomParser.parseDicom(
          readFileSync(join(root, 'train_images', one.studyId, one.seriesId, `${number}.dcm`)),
        );
        assert.equal(Number(header.string('x00200013')), number, `${one.seriesId}/${number}.dcm`);
      }
    }
    for (const point of coordinates) {
      const series = disk.find((one) => one.seriesId === point.series_id)!;
      assert.ok(
        series.numbers.includes(Number(point.instance_number)),
        `no instance ${point.instance_number} in ${point.series_id}`,
      );
      const [x, y] = [Number(point.x), Number(point.y)];
      assert.ok(
        x >= 0 && x < series.columns && y >= 0 && y < series.rows,
        `point (${x}, ${y}) outside ${point.series_id}`,
      );
    }
  });

  test('slice counts, matrices and pixel spacings vary, and the survey reports their spread', () => {
    for (const spread of report.series.byType) {
      const ofType = disk.filter((one) => one.description === spread.description && listed(one.studyId, one.seriesId));
      const counts = ofType.map((one) => one.numbers.length);
      const spacings = ofType.map((one) => one.spacing);
      assert.equal(spread.series, ofType.length);
      assert.deepEqual(spread.slices, { min: Math.min(...counts), max: Math.max(...counts) });
      assert.deepEqual(spread.pixelSpacingMm, { min: Math.min(...spacings), max: Math.max(...spacings) });
      assert.deepEqual(
        [...spread.matrices].sort(),
        [...new Set(ofType.map((one) => `${one.columns}x${one.rows}`))].sort(),
      );
    }
    const matrices = new Set(disk.map((one) => `${one.description} ${one.rows}`));
    assert.ok(matrices.size > 3, `matrices ${[...matrices]}`);
    const sagittalCounts = new Set(
      disk.filter((one) => one.description.startsWith('Sagittal')).map((one) => one.numbers.length),
    );
    assert.ok(sagittalCounts.size > 2, `sagittal slice counts ${[...sagittalCounts]}`);
  });
});

describe('training inputs build on the messy dataset', () => {
  for (const condition of Object.keys(CONDITIONS)) {
    test(`${condition}: every graded level with a point on a listed series of its type becomes an input`, async () => {
      const { label, series } = CONDITIONS[condition]!;
      // Usable, from the files: graded, and the first point on a listed series of the type has its DICOM file.
      const expected = train.flatMap((row) =>
        LEVELS.filter((level) => {
          if (row[column(condition, level)] === '') return false;
          const point = coordinates.find(
            (p) =>
              p.study_id === row.study_id &&
              p.condition === label &&
              p.level === level &&
              descriptions.some((d) => d.series_id === p.series_id && d.series_description === series),
          );
          return (
            point !== undefined &&
            existsSync(join(root, 'train_images', row.study_id!, point.series_id!, `${point.instance_number}.dcm`))
          );
        }),
      );
      const index = await indexDataset(root, { condition: condition as 'spinal_canal_stenosis' });
      assert.equal(index.samples.length, expected.length);
      assert.equal(index.samples.length + index.skipped.length, train.length * LEVELS.length);
      const cache = await SampleCache.open(
        index,
        { mode: 'crop', crop_mm: 60, slices: 3, size: 32, window: 'auto' },
        { threads: 1, cacheDir: join(scratch, 'cache') },
      );
      try {
        assert.deepEqual(cache.skipped, []);
        assert.equal(cache.samples.length, expected.length);
        for (let position = 0; position < cache.samples.length; position++) {
          const input = await cache.read(position);
          assert.ok(
            input.some((value) => value > 0),
            `input ${cache.samples[position]!.id} is all black`,
          );
        }
      } finally {
        await cache.close();
      }
    });
  }
});

describe('--test-studies: held-out studies as the competition ships them', () => {
  test('test_images/<study>/<series>/<instance>.dcm and test_series_descriptions.csv, no labels', () => {
    const text = readFileSync(join(root, 'test_series_descriptions.csv'), 'utf8');
    assert.equal(text.split('\n')[0], 'study_id,series_id,series_description');
    const heldOut = seriesOnDisk(join(root, 'test_images'));
    const studies = new Set(heldOut.map((one) => one.studyId));
    assert.equal(studies.size, TEST_STUDIES);
    assert.deepEqual(
      readCsv(join(root, 'test_series_descriptions.csv'))
        .map((row) => `${row.study_id} ${row.series_id} ${row.series_description}`)
        .sort(),
      heldOut.map((one) => `${one.studyId} ${one.seriesId} ${one.description}`).sort(),
    );
    for (const studyId of studies) {
      assert.match(studyId, /^\d{7,10}$/);
      assert.ok(!disk.some((one) => one.studyId === studyId), 'a held-out study is also in train_images');
      assert.ok(!train.some((row) => row.study_id === studyId) && !coordinates.some((row) => row.study_id === studyId));
    }
    const byType: Record<string, number> = {};
    for (const one of heldOut) byType[one.description] = (byType[one.description] ?? 0) + 1;
    assert.deepEqual(report.heldOut, { studies: TEST_STUDIES, seriesByType: byType });
  });

  test('the labelled part is byte for byte the same without the flag', async () => {
    const without = join(scratch, 'without');
    assert.equal(
      await run(['--out', without, '--studies', String(STUDIES), '--seed', String(SEED), '--messy', 'all']),
      0,
    );
    assert.equal(existsSync(join(without, 'test_images')), false);
    assert.equal(existsSync(join(without, 'test_series_descriptions.csv')), false);
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, encoding: 'utf8' })
        .filter((name) => !name.startsWith('test_') && (name.endsWith('.csv') || name.endsWith('.dcm')))
        .sort();
    assert.deepEqual(files(root), files(without));
    for (const name of files(without))
      assert.ok(readFileSync(join(root, name)).equals(readFileSync(join(without, name))), name);
    rmSync(without, { recursive: true, force: true });
  });
});

describe('the same options from an experiment file and from the command line', () => {
  test('data.synthetic.messy and test_studies resolve to the parameters the command used', async () => {
    const file = join(scratch, 'messy.experiment.yaml');
    writeFileSync(
      file,
      `name: messy\ndata:\n  root: data\n  synthetic:\n    studies: ${STUDIES}\n    seed: ${SEED}\n    messy: {}\n` +
        `    test_studies: ${TEST_STUDIES}\n  condition: spinal_canal_stenosis\nmodel:\n  backbones: resnet18\n`,
    );
    const resolved = resolveExperiment(readFileSync(file, 'utf8'), file);
    assert.ok(resolved.ok, JSON.stringify(resolved.diagnostics));
    const synthetic = resolved.runs[0]!.data.synthetic!;
    assert.deepEqual(synthetic.messy, { cases: 'all', rate: 0.2 });
    assert.equal((await ensureSyntheticDataset(root, synthetic)).generated, false);
  });

  test('bad options are refused with what to write instead', async () => {
    const out = join(scratch, 'refused');
    assert.equal(await run(['--out', out, '--studies', '3', '--messy', 'wobbly-series']), 2);
    assert.equal(await run(['--out', out, '--studies', '3', '--messy-rate', '0.5']), 2);
    assert.equal(await run(['--out', out, '--studies', '3', '--messy', 'all', '--messy-rate', '0']), 1);
    assert.equal(await run(['--out', out, '--studies', '1', '--messy', 'unlabelled-studies']), 1);
    assert.equal(await run(['--out', out, '--studies', '3', '--test-studies', 'two']), 2);
    assert.equal(existsSync(out), false);
  });
});

describe('dciodvfy', () => {
  test('every DICOM file of the messy and held-out studies passes without errors', (t) => {
    if (!hasDciodvfy()) return t.skip('dciodvfy (Debian package dicom3tools) is not installed');
    const files = readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.dcm'));
    assert.ok(files.some((name) => name.startsWith('test_images')));
    assert.deepEqual(dciodvfyProblems(files.map((name) => join(root, name))), []);
  });
});

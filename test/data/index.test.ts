// The dataset index against the CSV files read independently here, skip reasons on a deliberately broken copy,
// notes on a copy with irregularities the index handles by a documented choice, and CSV errors that name the
// file, line and column.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { indexDataset, countIndex } from '../../core/data/datasetIndex';
import { DatasetCsvError } from '../../core/data/datasetTables';
import { copyDataset, makeDataset, readCsv, writeCsv, type CsvRow } from './helpers';

const LEVELS = ['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1'];
const suffix = (level: string) => level.toLowerCase().replace('/', '_');

let dataset: Awaited<ReturnType<typeof makeDataset>>;
let train: CsvRow[];
let coordinates: CsvRow[];
let series: CsvRow[];

before(async () => {
  dataset = await makeDataset('radlab-index-');
  train = readCsv(join(dataset.root, 'train.csv'));
  coordinates = readCsv(join(dataset.root, 'train_label_coordinates.csv'));
  series = readCsv(join(dataset.root, 'train_series_descriptions.csv'));
});
after(() => dataset.cleanup());

/** The samples a condition should give, computed from the CSV rows alone. */
function expectedSamples(column: string, label: string, description: string) {
  const out = new Map<string, { grade: string; seriesId: string; instance: number; x: number; y: number }>();
  for (const study of train) {
    for (const level of LEVELS) {
      const grade = study[`${column}_${suffix(level)}`]!;
      if (grade === '') continue;
      const point = coordinates.find(
        (row) =>
          row.study_id === study.study_id && row.condition === label && row.level === level &&
          series.some((s) => s.series_id === row.series_id && s.series_description === description),
      );
      if (point === undefined) continue;
      out.set(`${study.study_id}_${column}_${suffix(level)}`, {
        grade,
        seriesId: point.series_id!,
        instance: Number(point.instance_number),
        x: Number(point.x),
        y: Number(point.y),
      });
    }
  }
  return out;
}

describe('dataset index', () => {
  for (const [column, label, description] of [
    ['spinal_canal_stenosis', 'Spinal Canal Stenosis', 'Sagittal T2/STIR'],
    ['right_neural_foraminal_narrowing', 'Right Neural Foraminal Narrowing', 'Sagittal T1'],
    ['left_subarticular_stenosis', 'Left Subarticular Stenosis', 'Axial T2'],
  ] as const) {
    test(`${column}: samples, grades and points match the CSV files`, async () => {
      const index = await indexDataset(dataset.root, { condition: column });
      const expected = expectedSamples(column, label, description);
      assert.ok(expected.size >= 20, `only ${expected.size} expected samples`);
      assert.equal(index.seriesDescription, description);
      assert.equal(index.studies, train.length);
      assert.equal(index.seriesOfType, series.filter((s) => s.series_description === description).length);
      assert.equal(index.seriesTotal, series.length);
      assert.deepEqual(index.samples.map((s) => s.id).sort(), [...expected.keys()].sort());
      for (const sample of index.samples) {
        const want = expected.get(sample.id)!;
        assert.equal(sample.grade, want.grade);
        assert.equal(sample.seriesId, want.seriesId);
        assert.equal(sample.instanceNumber, want.instance);
        assert.equal(sample.x, want.x);
        assert.equal(sample.y, want.y);
        assert.equal(sample.side, column.startsWith('right_') ? 'right' : column.startsWith('left_') ? 'left' : null);
        assert.ok(sample.file.endsWith(join('train_images', sample.studyId, sample.seriesId, `${sample.instanceNumber}.dcm`)));
      }
      // Every cell not sampled is skipped, and the only reason in an intact dataset is an empty cell.
      const empty = train.flatMap((study) => LEVELS.filter((level) => study[`${column}_${suffix(level)}`] === ''));
      assert.equal(index.samples.length + index.skipped.length, train.length * LEVELS.length);
      assert.deepEqual(countIndex(index).skippedByReason, empty.length === 0 ? {} : { 'no-grade': empty.length });
    });
  }

  test('a series override selects points on that series type only', async () => {
    // Canal stenosis is labelled on Sagittal T2/STIR only, so asking for Axial T2 skips every graded level.
    const index = await indexDataset(dataset.root, { condition: 'spinal_canal_stenosis', series: 'Axial T2' });
    const graded = train.flatMap((study) => LEVELS.filter((level) => study[`spinal_canal_stenosis_${suffix(level)}`] !== ''));
    assert.equal(index.samples.length, 0);
    assert.equal(countIndex(index).skippedByReason['other-series-type'], graded.length);
  });

  test('a broken copy: each problem skips exactly the samples it affects, with its reason', async () => {
    const root = copyDataset(dataset.root, join(dataset.temp, 'broken'));
    const condition = 'spinal_canal_stenosis';
    const canal = coordinates.filter((row) => row.condition === 'Spinal Canal Stenosis');
    const [first, second, third] = [...new Set(train.map((row) => row.study_id))];
    // 1. Delete the DICOM file of one labelled instance of the first study: every level marked on it is lost.
    const deleted = canal.find((row) => row.study_id === first)!;
    rmSync(join(root, 'train_images', first!, deleted.series_id!, `${deleted.instance_number}.dcm`));
    const onDeleted = canal.filter((row) => row.series_id === deleted.series_id && row.instance_number === deleted.instance_number);
    // 2. Remove the second study's Sagittal T2/STIR row from the series descriptions.
    const removedSeries = series.find((row) => row.study_id === second && row.series_description === 'Sagittal T2/STIR')!;
    writeCsv(join(root, 'train_series_descriptions.csv'), series.filter((row) => row !== removedSeries));
    const onRemoved = canal.filter((row) => row.series_id === removedSeries.series_id);
    // 3. Grade a level of the third study that has no point: drop its coordinate row, keep its grade.
    const dropped = canal.find((row) => row.study_id === third && row.level === 'L3/L4')!;
    writeCsv(join(root, 'train_label_coordinates.csv'), coordinates.filter((row) => row !== dropped));
    const empty = train.flatMap((study) => LEVELS.filter((level) => study[`${condition}_${suffix(level)}`] === ''));

    const index = await indexDataset(root, { condition });
    const counts = countIndex(index).skippedByReason;
    assert.equal(counts['missing-image'], onDeleted.length);
    assert.equal(counts['series-not-listed'], onRemoved.length);
    assert.equal(counts['no-coordinates'], 1);
    assert.equal(counts['no-grade'] ?? 0, empty.length);
    assert.equal(Object.keys(counts).length, empty.length > 0 ? 4 : 3);
    assert.equal(index.samples.length, expectedSamples(condition, 'Spinal Canal Stenosis', 'Sagittal T2/STIR').size - onDeleted.length - onRemoved.length - 1);
    const noPoint = index.skipped.find((item) => item.reason === 'no-coordinates')!;
    assert.deepEqual([noPoint.studyId, noPoint.level], [third, 'L3/L4']);
  });
});

describe('irregularities handled by a documented choice', () => {
  test('several series of a type, points on two of them, a study without the type, a study without labels', async () => {
    const root = copyDataset(dataset.root, join(dataset.temp, 'irregular'));
    const condition = 'spinal_canal_stenosis';
    const canal = coordinates.filter((row) => row.condition === 'Spinal Canal Stenosis');
    const [first, second] = [...new Set(train.map((row) => row.study_id))];
    // A second Sagittal T2/STIR series for the first study, holding a copy of the instances two levels are marked on.
    const repeat = '999999901';
    const [l1, l2] = ['L1/L2', 'L2/L3'].map((level) => canal.find((row) => row.study_id === first && row.level === level)!);
    mkdirSync(join(root, 'train_images', first!, repeat));
    for (const row of [l1!, l2!]) {
      cpSync(
        join(root, 'train_images', first!, row.series_id!, `${row.instance_number}.dcm`),
        join(root, 'train_images', first!, repeat, `${row.instance_number}.dcm`),
      );
    }
    // L1/L2 gets a second point on the repeat (after the original row); L2/L3's only point moves to the repeat.
    const moved = { ...l2!, series_id: repeat };
    const extra = { ...l1!, series_id: repeat };
    // The second study loses its Sagittal T2/STIR series: its description row and its canal points.
    const lost = series.find((row) => row.study_id === second && row.series_description === 'Sagittal T2/STIR')!;
    writeCsv(
      join(root, 'train_label_coordinates.csv'),
      [...coordinates.filter((row) => row !== l2 && row.series_id !== lost.series_id), moved, extra],
    );
    const unlabelled = '123456789';
    writeCsv(join(root, 'train_series_descriptions.csv'), [
      ...series.filter((row) => row !== lost),
      { study_id: first!, series_id: repeat, series_description: 'Sagittal T2/STIR' },
      { study_id: unlabelled, series_id: '987654321', series_description: 'Axial T2' },
    ]);

    const index = await indexDataset(root, { condition });
    const sampleAt = (level: string) => index.samples.find((s) => s.studyId === first && s.level === level)!;
    assert.equal(sampleAt('L1/L2').seriesId, l1!.series_id);
    assert.equal(sampleAt('L2/L3').seriesId, repeat);
    const notes = (reason: string) => index.notes.filter((note) => note.reason === reason);
    assert.deepEqual(notes('several-points').map((note) => note.studyId), [first]);
    assert.match(notes('several-points')[0]!.detail, new RegExp(`^L1/L2: points on series ${l1!.series_id} .*${repeat}`));
    assert.deepEqual(notes('several-series').map((note) => note.studyId), [first]);
    assert.deepEqual(notes('unlabelled-study').map((note) => note.studyId), [unlabelled]);
    const gradedSecond = LEVELS.filter((level) => train.find((row) => row.study_id === second)![`${condition}_${suffix(level)}`] !== '');
    assert.deepEqual(
      index.skipped.filter((item) => item.reason === 'no-series-of-type').map((item) => item.level),
      gradedSecond,
    );
    assert.ok(index.skipped.every((item) => item.studyId === second || item.reason === 'no-grade'));
  });
});

describe('CSV errors name the file, line and column', () => {
  const cases: [string, string, (row: CsvRow) => void, RegExp][] = [
    ['train_label_coordinates.csv', 'instance_number', (row) => (row.instance_number = 'seven'), /expected a whole number, got 'seven'/],
    ['train_label_coordinates.csv', 'x', (row) => (row.x = '12.5px'), /expected a number, got '12\.5px'/],
    ['train_label_coordinates.csv', 'level', (row) => (row.level = 'L6/S1'), /unknown value 'L6\/S1'/],
    ['train.csv', 'spinal_canal_stenosis_l2_l3', (row) => (row.spinal_canal_stenosis_l2_l3 = 'severe'), /unknown grade 'severe'/],
    ['train_series_descriptions.csv', 'series_id', (row) => (row.series_id = 'abc'), /expected a numeric id, got 'abc'/],
  ];
  for (const [file, column, spoil, message] of cases) {
    test(`${file}, ${column}`, async () => {
      const root = copyDataset(dataset.root, join(dataset.temp, `bad-${column}`));
      const rows = readCsv(join(root, file));
      spoil(rows[2]!); // the third data row: line 4 of the file, after the header
      writeCsv(join(root, file), rows);
      await assert.rejects(indexDataset(root, { condition: 'spinal_canal_stenosis' }), (error: unknown) => {
        assert.ok(error instanceof DatasetCsvError);
        assert.equal(error.file, join(root, file));
        assert.equal(error.line, 4);
        assert.equal(error.column, column);
        assert.match(error.message, new RegExp(`line 4, column '${column}'`));
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('a file without a required column says which', async () => {
    const root = copyDataset(dataset.root, join(dataset.temp, 'no-column'));
    const path = join(root, 'train_series_descriptions.csv');
    writeFileSync(path, readFileSync(path, 'utf8').replace('series_description', 'description'));
    await assert.rejects(indexDataset(root, { condition: 'spinal_canal_stenosis' }), /train_series_descriptions\.csv \(line 1, column 'series_description'\): the header lacks/);
  });

  test('a missing file is named', async () => {
    const root = copyDataset(dataset.root, join(dataset.temp, 'no-file'));
    rmSync(join(root, 'train.csv'));
    assert.equal(existsSync(join(root, 'train.csv')), false);
    await assert.rejects(indexDataset(root, { condition: 'spinal_canal_stenosis' }), /train\.csv: cannot read the file/);
  });
});

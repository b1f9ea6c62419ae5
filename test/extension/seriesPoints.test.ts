// The points the DICOM viewer draws on a series, from hand-written files: the labels of that series only, named
// by level and condition with train.csv's grade and its colour; the predicted levels on that series with the
// probabilities of their submission rows; and a broken file reported by name and line instead of failing the view.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TRAIN_COLUMNS } from '../../core/data/lsdcVocabulary';
import { writePositions } from '../../core/predict/positionsFile';
import { studyPredictionFiles } from '../../extension/panels/predictionFiles';
import { seriesPoints } from '../../extension/panels/seriesPoints';

let root: string;
let series: string;
let otherSeries: string;

function writeTrainCsv(grades: Record<string, string>): void {
  const row = TRAIN_COLUMNS.map((column) => (column === 'study_id' ? '100' : (grades[column] ?? '')));
  writeFileSync(join(root, 'train.csv'), `${TRAIN_COLUMNS.join(',')}\n${row.join(',')}\n`);
}

describe('series points', () => {
  before(() => {
    root = mkdtempSync(join(tmpdir(), 'radlab-points-'));
    series = join(root, 'train_images', '100', '200');
    otherSeries = join(root, 'train_images', '100', '201');
    mkdirSync(series, { recursive: true });
    mkdirSync(otherSeries, { recursive: true });
    writeFileSync(
      join(root, 'train_label_coordinates.csv'),
      [
        'study_id,series_id,instance_number,condition,level,x,y',
        '100,200,8,Spinal Canal Stenosis,L4/L5,120.5,160.25',
        '100,200,9,Spinal Canal Stenosis,L5/S1,118,190',
        '100,201,3,Left Neural Foraminal Narrowing,L4/L5,80,150',
        '',
      ].join('\n'),
    );
    writeTrainCsv({ spinal_canal_stenosis_l4_l5: 'Moderate' });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it("draws the series' own labels with their level, condition, grade and the grade's colour", async () => {
    const points = await seriesPoints(series, undefined);
    assert.deepEqual(points.labelled, [
      {
        instanceNumber: 8,
        x: 120.5,
        y: 160.25,
        label: 'L4/L5 spinal canal stenosis · Moderate',
        colour: '#f2b01e',
      },
      // train.csv leaves L5/S1 empty: no grade is named, and the ungraded colour is used.
      { instanceNumber: 9, x: 118, y: 190, label: 'L5/S1 spinal canal stenosis', colour: '#5ac8fa' },
    ]);
    assert.equal(points.labelSource, join(root, 'train_label_coordinates.csv'));
    assert.deepEqual(points.problems, []);
  });

  it('has no labels for a series outside an RSNA layout', async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'radlab-points-other-'));
    try {
      const points = await seriesPoints(elsewhere, undefined);
      assert.deepEqual([points.labelled, points.labelSource, points.problems], [[], null, []]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('draws the levels predicted on this series with the probabilities of their submission rows', async () => {
    const files = studyPredictionFiles(join(root, 'workspace'), join(root, 'train_images', '100'));
    mkdirSync(files.folder, { recursive: true });
    const at = (level: 'L3/L4' | 'L4/L5', folder: string, x: number) => ({
      studyId: '100',
      condition: 'spinal_canal_stenosis' as const,
      level,
      seriesId: '200',
      file: join(folder, '8.dcm'),
      instanceNumber: 8,
      x,
      y: 100,
    });
    writePositions(files.positions, [at('L3/L4', series, 130), at('L4/L5', otherSeries, 90)]);
    writeFileSync(
      files.submission,
      [
        'row_id,normal_mild,moderate,severe',
        '100_spinal_canal_stenosis_l3_l4,0.22,0.71,0.07',
        '100_spinal_canal_stenosis_l4_l5,0.9,0.05,0.05',
        '',
      ].join('\n'),
    );
    const points = await seriesPoints(series, files);
    assert.deepEqual(points.predicted, [
      { instanceNumber: 8, x: 130, y: 100, label: 'L3/L4  N 0.22 · M 0.71 · S 0.07', colour: '#f2b01e' },
    ]);
    assert.equal(points.predictionSource, files.positions);

    writeFileSync(files.submission, 'row_id,normal_mild,moderate,severe\n');
    const missingRow = await seriesPoints(series, files);
    assert.deepEqual(missingRow.predicted, []);
    assert.match(missingRow.problems.join('\n'), /has no row 100_spinal_canal_stenosis_l3_l4/);
    assert.equal(missingRow.labelled.length, 2, 'the labels still show');
  });

  it('reports a malformed label file by file and line, and still answers', async () => {
    writeFileSync(
      join(root, 'train_label_coordinates.csv'),
      'study_id,series_id,instance_number,condition,level,x,y\n100,200,eight,Spinal Canal Stenosis,L4/L5,1,2\n',
    );
    const points = await seriesPoints(series, undefined);
    assert.deepEqual(points.labelled, []);
    assert.match(
      points.problems[0]!,
      /labels not shown: .*train_label_coordinates\.csv \(line 2, column 'instance_number'\)/,
    );
  });
});

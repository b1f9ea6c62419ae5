// The synthetic dataset against the RSNA 2024 LSDC layout (names spelled out here, not imported), against
// dciodvfy (dicom3tools) and against pydicom as an independent reader of the pixels and geometry.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { run } from '../../core/cli/synthCommand';
import { dciodvfyProblems, hasDciodvfy } from './dciodvfy';

const CONDITIONS = [
  'spinal_canal_stenosis',
  'left_neural_foraminal_narrowing',
  'right_neural_foraminal_narrowing',
  'left_subarticular_stenosis',
  'right_subarticular_stenosis',
];
const LEVELS = ['l1_l2', 'l2_l3', 'l3_l4', 'l4_l5', 'l5_s1'];
const CONDITION_LABELS: Record<string, { column: string; series: string }> = {
  'Spinal Canal Stenosis': { column: 'spinal_canal_stenosis', series: 'Sagittal T2/STIR' },
  'Left Neural Foraminal Narrowing': { column: 'left_neural_foraminal_narrowing', series: 'Sagittal T1' },
  'Right Neural Foraminal Narrowing': { column: 'right_neural_foraminal_narrowing', series: 'Sagittal T1' },
  'Left Subarticular Stenosis': { column: 'left_subarticular_stenosis', series: 'Axial T2' },
  'Right Subarticular Stenosis': { column: 'right_subarticular_stenosis', series: 'Axial T2' },
};
const LEVEL_LABELS: Record<string, string> = {
  'L1/L2': 'l1_l2',
  'L2/L3': 'l2_l3',
  'L3/L4': 'l3_l4',
  'L4/L5': 'l4_l5',
  'L5/S1': 'l5_s1',
};
// Seed 7 gives, among 4 studies, Severe and Normal/Mild levels for every condition family.
const SEED = 7;
const STUDIES = 4;

type Row = Record<string, string>;
const readCsv = (path: string): { header: string[]; rows: Row[] } => {
  const text = readFileSync(path, 'utf8');
  const header = (parse(text, { to_line: 1 }) as string[][])[0]!;
  return { header, rows: parse(text, { columns: true }) as Row[] };
};

let root: string;
let train: { header: string[]; rows: Row[] };
let series: { header: string[]; rows: Row[] };
let coordinates: { header: string[]; rows: Row[] };

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'radlab-synth-'));
  const code = await run(['--out', join(root, 'data'), '--studies', String(STUDIES), '--seed', String(SEED)]);
  assert.equal(code, 0);
  root = join(root, 'data');
  train = readCsv(join(root, 'train.csv'));
  series = readCsv(join(root, 'train_series_descriptions.csv'));
  coordinates = readCsv(join(root, 'train_label_coordinates.csv'));
});
after(() => rmSync(join(root, '..'), { recursive: true, force: true }));

describe('RSNA LSDC layout', () => {
  test('train.csv has study_id and the 25 condition-level columns with the competition spellings', () => {
    assert.deepEqual(train.header, ['study_id', ...CONDITIONS.flatMap((c) => LEVELS.map((l) => `${c}_${l}`))]);
    assert.equal(train.rows.length, STUDIES);
    for (const row of train.rows) {
      assert.match(row.study_id!, /^\d{7,10}$/);
      for (const column of train.header.slice(1)) {
        assert.ok(['Normal/Mild', 'Moderate', 'Severe', ''].includes(row[column]!), `${column}: '${row[column]}'`);
      }
    }
  });

  test('each study has one Sagittal T1, one Sagittal T2/STIR and one Axial T2 series', () => {
    assert.deepEqual(series.header, ['study_id', 'series_id', 'series_description']);
    for (const study of train.rows) {
      const descriptions = series.rows
        .filter((r) => r.study_id === study.study_id)
        .map((r) => r.series_description)
        .sort();
      assert.deepEqual(descriptions, ['Axial T2', 'Sagittal T1', 'Sagittal T2/STIR']);
    }
    for (const row of series.rows) assert.match(row.series_id!, /^\d{7,10}$/);
  });

  test('one coordinate row per labelled cell, on an existing instance of the right series', () => {
    assert.deepEqual(coordinates.header, ['study_id', 'series_id', 'instance_number', 'condition', 'level', 'x', 'y']);
    const seen = new Set<string>();
    for (const row of coordinates.rows) {
      const condition = CONDITION_LABELS[row.condition!];
      const level = LEVEL_LABELS[row.level!];
      assert.ok(condition && level, `unknown condition/level ${row.condition} ${row.level}`);
      const description = series.rows.find(
        (s) => s.study_id === row.study_id && s.series_id === row.series_id,
      )?.series_description;
      assert.equal(description, condition.series, `${row.condition} labelled on ${description}`);
      assert.ok(existsSync(join(root, 'train_images', row.study_id!, row.series_id!, `${row.instance_number}.dcm`)));
      assert.ok(Number.isFinite(Number(row.x)) && Number.isFinite(Number(row.y)));
      const trainRow = train.rows.find((t) => t.study_id === row.study_id)!;
      assert.notEqual(trainRow[`${condition.column}_${level}`], '', 'coordinate for an unlabelled cell');
      seen.add(`${row.study_id} ${condition.column}_${level}`);
    }
    const labelled = train.rows.flatMap((t) =>
      train.header
        .slice(1)
        .filter((c) => t[c] !== '')
        .map((c) => `${t.study_id} ${c}`),
    );
    assert.equal(seen.size, labelled.length);
    assert.equal(coordinates.rows.length, labelled.length);
  });

  test('every DICOM file passes dciodvfy without errors', (t) => {
    if (!hasDciodvfy()) {
      t.skip('dciodvfy (Debian package dicom3tools) is not installed');
      return;
    }
    const files = dicomFiles(root);
    assert.ok(files.length >= (13 * 2 + 15) * STUDIES, `only ${files.length} DICOM files`);
    assert.deepEqual(dciodvfyProblems(files), []);
  });
});

function dicomFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.dcm'))
    .map((name) => join(dir, name))
    .sort();
}

// pydicom reads every series back (an independent reader), checks pixel type and geometry, and measures the
// bright pixels (CSF on T2, fat on T1) in a box around each labelled point: that is what a grade must change.
const PYDICOM_CHECK = String.raw`
import csv, json, os, sys
import numpy as np
import pydicom

root = sys.argv[1]
problems = []
def problem(text): problems.append(text)

descriptions = {(r['study_id'], r['series_id']): r['series_description'] for r in csv.DictReader(open(os.path.join(root, 'train_series_descriptions.csv')))}
images = {}
for (study, series), description in descriptions.items():
    folder = os.path.join(root, 'train_images', study, series)
    names = sorted(os.listdir(folder), key=lambda n: int(n[:-4]))
    if [int(n[:-4]) for n in names] != list(range(1, len(names) + 1)):
        problem(f'{folder}: instance files are not 1..n: {names}')
    datasets = [pydicom.dcmread(os.path.join(folder, n)) for n in names]
    expected = {'Axial T2': (15, 15), 'Sagittal T1': (13, 15), 'Sagittal T2/STIR': (13, 15)}[description]
    if not expected[0] <= len(datasets) <= expected[1]:
        problem(f'{folder}: {len(datasets)} slices for {description}')
    for number, ds in enumerate(datasets, start=1):
        where = f'{folder}/{number}.dcm'
        if ds.SeriesDescription != description: problem(f'{where}: SeriesDescription {ds.SeriesDescription!r}')
        if int(ds.InstanceNumber) != number: problem(f'{where}: InstanceNumber {ds.InstanceNumber}')
        if ds.Modality != 'MR' or ds.BitsAllocated != 16 or ds.PixelRepresentation != 0: problem(f'{where}: not 16-bit unsigned MR')
        pixels = ds.pixel_array
        if pixels.dtype != np.uint16 or pixels.shape != (ds.Rows, ds.Columns): problem(f'{where}: pixels {pixels.dtype} {pixels.shape}')
        if pixels.max() >= 2 ** ds.BitsStored or pixels.max() < 500: problem(f'{where}: pixel range {pixels.min()}..{pixels.max()}')
        orientation = np.array(ds.ImageOrientationPatient, dtype=float)
        row, column = orientation[:3], orientation[3:]
        if abs(np.linalg.norm(row) - 1) > 1e-4 or abs(np.linalg.norm(column) - 1) > 1e-4 or abs(row @ column) > 1e-4:
            problem(f'{where}: ImageOrientationPatient not orthonormal')
        if float(ds.PixelSpacing[0]) != float(ds.PixelSpacing[1]) or not 0.6 <= float(ds.PixelSpacing[0]) <= 0.9:
            problem(f'{where}: PixelSpacing {ds.PixelSpacing}')
    # Consecutive slices with the same orientation must step along the normal by SpacingBetweenSlices.
    for previous, current in zip(datasets, datasets[1:]):
        if list(previous.ImageOrientationPatient) != list(current.ImageOrientationPatient): continue
        orientation = np.array(current.ImageOrientationPatient, dtype=float)
        normal = np.cross(orientation[:3], orientation[3:])
        step = np.array(current.ImagePositionPatient, dtype=float) - np.array(previous.ImagePositionPatient, dtype=float)
        along = step @ normal
        if abs(abs(along) - float(current.SpacingBetweenSlices)) > 1e-3 or np.linalg.norm(step - along * normal) > 1e-3:
            problem(f'{folder}: instance {current.InstanceNumber} is {step} from the previous, not SpacingBetweenSlices along the normal')
    images[(study, series)] = datasets

grades = {r['study_id']: r for r in csv.DictReader(open(os.path.join(root, 'train.csv')))}
columns = {'Spinal Canal Stenosis': 'spinal_canal_stenosis', 'Left Neural Foraminal Narrowing': 'left_neural_foraminal_narrowing',
           'Right Neural Foraminal Narrowing': 'right_neural_foraminal_narrowing', 'Left Subarticular Stenosis': 'left_subarticular_stenosis',
           'Right Subarticular Stenosis': 'right_subarticular_stenosis'}
# Box half-sizes in mm (along rows = x, along columns = y) and the brightness threshold as a share of the slice's 99th percentile.
boxes = {'Spinal Canal Stenosis': (6, 3, 0.6), 'Left Neural Foraminal Narrowing': (3, 6, 0.6), 'Right Neural Foraminal Narrowing': (3, 6, 0.6),
         'Left Subarticular Stenosis': (3, 3, 0.6), 'Right Subarticular Stenosis': (3, 3, 0.6)}
measurements = []
for r in csv.DictReader(open(os.path.join(root, 'train_label_coordinates.csv'))):
    ds = images[(r['study_id'], r['series_id'])][int(r['instance_number']) - 1]
    pixels = ds.pixel_array.astype(float)
    spacing = float(ds.PixelSpacing[0])
    x, y = float(r['x']), float(r['y'])
    if not (0 <= x < ds.Columns and 0 <= y < ds.Rows): problem(f'coordinate outside the image: {r}')
    half_x, half_y, share = boxes[r['condition']]
    box = pixels[int(round(y - half_y / spacing)):int(round(y + half_y / spacing)) + 1, int(round(x - half_x / spacing)):int(round(x + half_x / spacing)) + 1]
    bright = int((box > share * np.percentile(pixels, 99)).sum())
    level = r['level'].lower().replace('/', '_')
    measurements.append({'condition': r['condition'], 'grade': grades[r['study_id']][columns[r['condition']] + '_' + level], 'bright': bright})
print(json.dumps({'problems': problems, 'measurements': measurements}))
`;

function pythonWithPydicom(): string | undefined {
  for (const python of ['/usr/bin/python3', 'python3']) {
    const probe = spawnSync(python, ['-c', 'import pydicom, numpy'], { encoding: 'utf8' });
    if (probe.status === 0) return python;
  }
  return undefined;
}

describe('pixels and geometry read back with pydicom', () => {
  let report: { problems: string[]; measurements: { condition: string; grade: string; bright: number }[] } | undefined;
  const python = pythonWithPydicom();

  before(() => {
    if (python === undefined) return;
    const result = spawnSync(python, ['-c', PYDICOM_CHECK, root], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    assert.equal(result.status, 0, result.stderr);
    report = JSON.parse(result.stdout);
  });

  test('16-bit unsigned pixels, consistent geometry, instances stepping by SpacingBetweenSlices', (t) => {
    if (report === undefined) return t.skip('python3 with pydicom and numpy (Debian python3-pydicom) is not installed');
    assert.deepEqual(report.problems, []);
  });

  for (const [family, conditions] of [
    ['spinal canal (CSF on sagittal T2)', ['Spinal Canal Stenosis']],
    ['neural foramina (fat on sagittal T1)', ['Left Neural Foraminal Narrowing', 'Right Neural Foraminal Narrowing']],
    ['lateral recesses (CSF on axial T2)', ['Left Subarticular Stenosis', 'Right Subarticular Stenosis']],
  ] as const) {
    test(`Severe levels show far fewer bright pixels than Normal/Mild ones: ${family}`, (t) => {
      if (report === undefined) return t.skip('python3 with pydicom and numpy is not installed');
      const bright = (grade: string) =>
        report!.measurements
          .filter((m) => (conditions as readonly string[]).includes(m.condition) && m.grade === grade)
          .map((m) => m.bright);
      const severe = bright('Severe');
      const normal = bright('Normal/Mild');
      assert.ok(
        severe.length > 0 && normal.length > 0,
        `need both grades among the ${STUDIES} studies of seed ${SEED}`,
      );
      const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
      assert.ok(Math.max(...severe) < Math.min(...normal), `severe ${severe} vs normal ${normal}`);
      assert.ok(mean(severe) < 0.4 * mean(normal), `mean severe ${mean(severe)} vs normal ${mean(normal)}`);
    });
  }
});

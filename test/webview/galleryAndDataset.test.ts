// The pieces that render images: the run gallery (predictions on their labelled slices) and the dataset preview,
// on a small synthetic RSNA-layout dataset whose CSVs the test reads itself.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import {
  buildSampleInput,
  GRADE_COLOURS,
  indexDataset,
  readDatasetTables,
  SeriesImages,
  type DatasetTables,
  type InputSettings,
  type Sample,
} from '../../core/data';
import { generateSyntheticDataset } from '../../core/data/synthetic/generate';
import { readDicomFile } from '../../core/dicom';
import { datasetSlice, datasetTree, seriesSlices } from '../../extension/panels/datasetPreviewModel';
import { datasetSummary } from '../../extension/panels/datasetSummary';
import { RunGallery } from '../../extension/panels/runGallery';
import { readRunFolder } from '../../extension/panels/runFolderModel';

const GRADES = ['Normal/Mild', 'Moderate', 'Severe'];
const dir = mkdtempSync(join(tmpdir(), 'radlab-gallery-'));
const root = join(dir, 'dataset');
const runDir = join(dir, 'runs', 'demo', '20260101-000000-resnet18');
/** The run's input: 40 mm squares resized to 48 pixels (not the slice's size nor a multiple of it). */
const input: InputSettings = { mode: 'crop', crop_mm: 40, slices: 1, size: 48, window: 'auto' };
let tables: DatasetTables;
let samples: Sample[];

async function pngSize(dataUrl: string): Promise<[number, number]> {
  assert.match(dataUrl, /^data:image\/png;base64,/);
  const meta = await sharp(Buffer.from(dataUrl.slice(dataUrl.indexOf(',') + 1), 'base64')).metadata();
  return [meta.width!, meta.height!];
}

before(async () => {
  await generateSyntheticDataset(root, { studies: 2, seed: 3 });
  tables = await readDatasetTables(root);
  samples = (await indexDataset(root, { condition: 'spinal_canal_stenosis' })).samples;
  mkdirSync(join(runDir, 'results'), { recursive: true });
  writeFileSync(
    join(runDir, 'experiment.resolved.yaml'),
    `name: demo\ndata:\n  root: ${root}\n  condition: spinal_canal_stenosis\n  input: { mode: crop, crop_mm: ${input.crop_mm}, size: ${input.size}, window: auto }\n`,
  );
  // Every other prediction is wrong (the next grade round), the rest right; plus one row of a study not in the dataset.
  const rows = samples.map(
    (s, i) => `${s.id},${s.grade},${i % 2 === 1 ? GRADES[(s.gradeIndex + 1) % 3] : s.grade},0.5,0.3,0.2`,
  );
  rows.push('999_spinal_canal_stenosis_l1_l2,Normal/Mild,Severe,0.2,0.2,0.6');
  writeFileSync(
    join(runDir, 'results', 'predictions.csv'),
    `row_id,true_label,predicted_label,prob_normal_mild,prob_moderate,prob_severe\n${rows.join('\n')}\n`,
  );
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('run gallery', () => {
  it('shows a page of mistakes as the inputs the model saw: size x size, pixel for pixel what training builds', async () => {
    const { predictions, data } = readRunFolder(runDir);
    const gallery = new RunGallery(predictions, data);
    const mistakes = Math.floor(samples.length / 2) + 1;
    const query = {
      page: 0,
      sort: 'file',
      mistakesOnly: true,
      trueGrade: null,
      predictedGrade: null,
      level: null,
    } as const;
    const page = await gallery.page(query, 4);
    assert.equal(page.total, mistakes);
    assert.equal(page.inputSize, input.size);
    assert.deepEqual(
      page.items.map((item) => item.rowId),
      [samples[1]!.id, samples[3]!.id, samples[5]!.id, samples[7]!.id],
    );
    const images = new SeriesImages();
    for (const [k, item] of page.items.entries()) {
      assert.equal(item.imageError, null);
      const png = Buffer.from(item.crop!.slice(item.crop!.indexOf(',') + 1), 'base64');
      const { data: grey, info } = await sharp(png).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
      assert.deepEqual([info.width, info.height], [input.size, input.size]);
      // The trainer's own input for the sample (its first channel: a 2D input repeats the grey slice).
      const trained = await buildSampleInput(samples[2 * k + 1]!, input, images);
      assert.deepEqual(
        [...grey],
        Array.from({ length: input.size ** 2 }, (_, p) => trained[3 * p]),
      );
    }
    const last = await gallery.page({ ...query, page: Math.floor((mistakes - 1) / 4) }, 4);
    const missing = last.items.at(-1)!;
    assert.equal(missing.rowId, '999_spinal_canal_stenosis_l1_l2');
    assert.equal(missing.crop, null);
    assert.match(missing.imageError!, /999_spinal_canal_stenosis_l1_l2 is not a sample of the dataset/);
  });

  it('opens the full slice with a title naming truth and prediction', async () => {
    const gallery = new RunGallery(readRunFolder(runDir).predictions, readRunFolder(runDir).data);
    const sample = samples[1]!;
    const slice = await gallery.slice(sample.id);
    assert.equal(
      slice.title,
      `${sample.studyId} ${sample.level}: true ${sample.grade}, predicted ${GRADES[(sample.gradeIndex + 1) % 3]} · the dashed square is the model's input (40 mm, resized to 48 px)`,
    );
    const [width, height] = await pngSize(slice.png);
    assert.ok(Math.max(width, height) >= 512);
    // The input square, 40 mm around the point, is drawn dashed in the true grade's colour along its top edge.
    const meta = (await readDicomFile(sample.file)).meta;
    const scale = width / meta.columns;
    const side = Math.round(40 / meta.pixelSpacing![1]);
    const left = Math.round(sample.x - side / 2) * scale;
    const top = Math.round(Math.round(40 / meta.pixelSpacing![0]) / -2 + sample.y) * scale;
    const { data: rgb } = await sharp(Buffer.from(slice.png.slice(slice.png.indexOf(',') + 1), 'base64'))
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const colour = GRADE_COLOURS[sample.grade].match(/[0-9a-f]{2}/gi)!.map((hex) => parseInt(hex, 16));
    const edge = Array.from({ length: Math.floor(side * scale) - 4 }, (_, i) => {
      const at = 3 * (Math.round(top) * width + Math.round(left) + 2 + i);
      return colour.every((value, c) => Math.abs(rgb[at + c]! - value) <= 40);
    });
    const drawn = edge.filter(Boolean).length / edge.length;
    assert.ok(drawn > 0.4 && drawn < 0.8, `the top edge is dashed in the grade's colour (${drawn.toFixed(2)} of it)`);
    await assert.rejects(gallery.slice('nope'), /nope is not in results\/predictions.csv/);
  });

  it('opens a prediction in the DICOM viewer on its labelled file, with the input square, level and probabilities', async () => {
    const gallery = new RunGallery(readRunFolder(runDir).predictions, readRunFolder(runDir).data);
    const sample = samples[1]!;
    const { file, focus } = await gallery.focus(sample.id, 'run-a');
    // The labelled instance of train_label_coordinates.csv, found by study, series and instance number on disk.
    const coordinates = tables.coordinates.find(
      (c) => c.studyId === sample.studyId && c.level === sample.level && c.condition === 'spinal_canal_stenosis',
    )!;
    assert.equal(
      file,
      join(root, 'train_images', sample.studyId, coordinates.seriesId, `${coordinates.instanceNumber}.dcm`),
    );
    const meta = (await readDicomFile(file)).meta;
    const predicted = GRADES[(sample.gradeIndex + 1) % 3]!;
    const [width, height] = [Math.round(40 / meta.pixelSpacing![1]), Math.round(40 / meta.pixelSpacing![0])];
    assert.deepEqual(focus, {
      instanceNumber: coordinates.instanceNumber,
      x: coordinates.x,
      y: coordinates.y,
      box: { left: Math.round(coordinates.x - width / 2), top: Math.round(coordinates.y - height / 2), width, height },
      label: `${sample.level} · true ${sample.grade} · predicted ${predicted}`,
      colour: GRADE_COLOURS[predicted as keyof typeof GRADE_COLOURS],
      probabilities: [
        { grade: 'Normal/Mild', probability: 0.5 },
        { grade: 'Moderate', probability: 0.3 },
        { grade: 'Severe', probability: 0.2 },
      ],
      source: 'run-a',
    });
    await assert.rejects(gallery.focus('nope', 'run-a'), /nope is not in results\/predictions.csv/);
  });
});

describe('dataset summary', () => {
  const csv = (name: string) =>
    readFileSync(join(root, name), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(','));

  it("counts train.csv's grades per condition and level, and the samples a run gets", () => {
    const [header, ...rows] = csv('train.csv');
    const summary = datasetSummary(tables);
    assert.equal(summary.studies, rows.length);
    for (const condition of summary.conditions) {
      for (const level of condition.levels) {
        const column = header!.indexOf(`${condition.condition}_${level.level.toLowerCase().replace('/', '_')}`);
        const cells = rows.map((row) => row[column] ?? '');
        assert.deepEqual(
          { ...level.grades, ungraded: level.ungraded },
          {
            'Normal/Mild': cells.filter((c) => c === 'Normal/Mild').length,
            Moderate: cells.filter((c) => c === 'Moderate').length,
            Severe: cells.filter((c) => c === 'Severe').length,
            ungraded: cells.filter((c) => c === '').length,
          },
          `${condition.condition} ${level.level}`,
        );
      }
    }
    const canal = summary.conditions.find((c) => c.condition === 'spinal_canal_stenosis')!;
    for (const level of canal.levels) {
      assert.equal(level.samples, samples.filter((sample) => sample.level === level.level).length, level.level);
    }
  });

  it("lists what the scan skips with the index's reasons", () => {
    // A labelled image deleted: the scan skips the levels marked on it as a missing image.
    const sample = samples[0]!;
    const image = readFileSync(sample.file);
    rmSync(sample.file);
    try {
      const canal = datasetSummary(tables).conditions.find((c) => c.condition === 'spinal_canal_stenosis')!;
      const missing = canal.skipped.find((item) => item.reason === 'missing-image');
      // Every level whose point is on that slice (a sagittal slice can hold several).
      assert.equal(missing?.count, samples.filter((s) => s.file === sample.file).length);
      assert.equal(missing?.meaning, 'the labelled DICOM file is not in train_images');
      assert.equal(missing?.example, `study ${sample.studyId} ${sample.level}: ${sample.file}`);
    } finally {
      writeFileSync(sample.file, image);
    }
  });

  it("splits the studies by the experiment's data.split, or takes split.csv when the dataset has one", () => {
    const experiment = {
      file: 'a.experiment.yaml',
      text: 'name: a\ndata:\n  split: { train: 0.5, val: 0, test: 0.5, seed: 42 }\n',
    };
    // Two studies: 2 x 0.5 = 1 each for train and test.
    assert.deepEqual(datasetSummary(tables, experiment).split, {
      source: 'data.split of a.experiment.yaml (0.5 / 0 / 0.5, seed 42)',
      studies: { train: 1, val: 0, test: 1 },
    });
    const [first, second] = csv('train.csv')
      .slice(1)
      .map((row) => row[0]);
    const splitFile = join(root, 'split.csv');
    writeFileSync(splitFile, `study_id,split\n${first},val\n${second},val\n`);
    try {
      assert.deepEqual(datasetSummary(tables, experiment).split, {
        source: splitFile,
        studies: { train: 0, val: 2, test: 0 },
      });
      writeFileSync(splitFile, `study_id,split\n${first},holdout\n`);
      const bad = datasetSummary(tables).split;
      assert.ok('error' in bad);
      assert.match(bad.error, /split\.csv line 2: expected study_id and a split of train, val, test/);
    } finally {
      rmSync(splitFile);
    }
  });
});

describe('dataset preview', () => {
  const csv = (name: string) =>
    readFileSync(join(root, name), 'utf8')
      .trim()
      .split('\n')
      .slice(1)
      .map((line) => line.split(','));

  it('lists studies with the series the descriptions file names', () => {
    const tree = datasetTree(tables);
    const series = csv('train_series_descriptions.csv');
    assert.deepEqual(
      tree.studies.map((s) => s.studyId),
      [...new Set(series.map((r) => r[0]))],
    );
    for (const study of tree.studies) {
      assert.deepEqual(
        study.series.map((s) => `${s.seriesId} ${s.description}`),
        series.filter((r) => r[0] === study.studyId).map((r) => `${r[1]} ${r[2]}`),
      );
    }
  });

  it("lists a series' instances in order, its labelled ones, and draws a labelled slice", async () => {
    const sample = samples[0]!;
    const slices = await seriesSlices(tables, sample.studyId, sample.seriesId);
    assert.ok(slices.instances.length > 1);
    assert.deepEqual(
      slices.instances,
      [...slices.instances].sort((a, b) => a - b),
    );
    const labelled = csv('train_label_coordinates.csv').filter(
      (r) => r[0] === sample.studyId && r[1] === sample.seriesId,
    );
    assert.deepEqual(
      slices.labelled,
      [...new Set(labelled.map((r) => Number(r[2])))].sort((a, b) => a - b),
    );
    const slice = await datasetSlice(tables, sample.studyId, sample.seriesId, sample.instanceNumber);
    const onSlice = labelled.filter((r) => Number(r[2]) === sample.instanceNumber);
    assert.deepEqual(
      slice.markers.map((m) => [m.x, m.y]),
      onSlice.map((r) => [Number(r[5]), Number(r[6])]),
    );
    // Each label names its condition in full and the grade train.csv gives it.
    const train = csv('train.csv');
    const header = readFileSync(join(root, 'train.csv'), 'utf8').split('\n')[0]!.split(',');
    const gradeOf = (condition: string, level: string) =>
      train.find((r) => r[0] === sample.studyId)![
        header.indexOf(`${condition}_${level.toLowerCase().replace('/', '_')}`)
      ];
    assert.deepEqual(
      slice.markers.map((m) => m.label),
      onSlice.map(
        (r) => `${r[4]} ${r[3]!.toLowerCase()} · ${gradeOf(r[3]!.toLowerCase().replaceAll(' ', '_'), r[4]!)}`,
      ),
    );
    assert.match(slice.markers[0]!.label, /^L\d\/(L|S)\d spinal canal stenosis · (Normal\/Mild|Moderate|Severe)$/);
    await pngSize(slice.png);
    await assert.rejects(
      seriesSlices(tables, sample.studyId, '123'),
      /cannot list .*123 \(ENOENT\): is the series in train_images\?/,
    );
  });
});

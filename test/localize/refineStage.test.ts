// The localizer's refinement stage: its square and targets worked out by hand (the square is a grading crop's
// region; a training square's centre moves by the jitter in mm, the target stays on the marked point), an
// untrained refiner leaving each level at its square's centre, and a few epochs of training on a small synthetic
// dataset bringing squares placed off the generator's marks back towards them on series it never trained on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { indexTables } from '../../core/data/datasetIndex';
import { readDatasetTables } from '../../core/data/datasetTables';
import { LEVELS } from '../../core/data/lsdcVocabulary';
import { mulberry32 } from '../../core/data/random';
import { inputRegion } from '../../core/data/sampleInput';
import { ensureSyntheticDataset } from '../../core/data/synthetic/dataset';
import { releaseEngine, selectEngine } from '../../core/engine/selectEngine';
import { loadExamples, seriesTargets, type LocalizerExample } from '../../core/localize/localizerData';
import { refineRegion } from '../../core/localize/localizerInput';
import { LevelLocalizer } from '../../core/localize/localizerModel';
import {
  jitteredSquare,
  refineBatches,
  refineInPlane,
  refineItems,
  trainLocalizerEpoch,
  type LocalizerSettings,
  type RefineSettings,
} from '../../core/localize/trainLocalizer';
import { makeOptimizer } from '../../core/train/makeOptimizer';
import { makeSchedule } from '../../core/train/schedule';
import type { DicomImage } from '../../core/dicom';
import { greyImage } from '../helpers/greyImage';

const REFINE: RefineSettings = { cropMm: 40, size: 32, jitterMm: 10 };

function settings(refine: RefineSettings): LocalizerSettings & { refine: RefineSettings } {
  return {
    input: { size: 64, window: 'auto' },
    normalize: 'imagenet',
    batchSize: 8,
    seed: 1,
    reframe: { shift: 0, scale: 0 },
    refine,
  };
}

function example(slice: DicomImage, points: ({ x: number; y: number } | null)[]): LocalizerExample {
  return {
    studyId: '1',
    seriesId: '2',
    folder: '.',
    points: points.map((point) => (point === null ? null : { instanceNumber: 1, ...point })),
    series: { folder: '.', slices: [], offsets: [0], unit: 'mm', middle: 0, unreadable: [] },
    image: slice,
    trueSlices: points.map(() => 0),
  };
}

describe('the refinement square', () => {
  it('is the grading crop of crop_mm around the point, with rows and columns spaced apart', () => {
    // Rows 0.5 mm, columns 0.8 mm: 40 mm is 50 columns and 80 rows, starting at round(100.3 - 25), round(60.2 - 40).
    const slice = greyImage(256, 256, [0.5, 0.8]);
    const region = refineRegion(slice, 100.3, 60.2, 40);
    assert.deepEqual(region, { left: 75, top: 20, width: 50, height: 80 });
    assert.deepEqual(region, inputRegion(slice, { mode: 'crop', crop_mm: 40 }, 100.3, 60.2));
  });

  it('moves a training square by the jitter in mm and keeps the target on the marked point', () => {
    const slice = greyImage(256, 256, [0.5, 0.8]);
    // A random source stuck at 0.75 draws +5 mm along both axes from [-10, 10]: 6.25 columns and 10 rows.
    const framed = jitteredSquare(settings(REFINE))(
      { example: example(slice, [null, { x: 100.3, y: 60.2 }]), level: 1 },
      () => 0.75,
    );
    // Centre (106.55, 70.2): left round(81.55) = 82, top round(30.2) = 30; the point is 18.8 of 50 columns and
    // 30.7 of 80 rows into the square (pixel centres at +0.5).
    assert.equal(framed.targets[0], null);
    const [u, v] = framed.targets[1]!;
    assert.ok(Math.abs(u - 18.8 / 50) < 1e-12 && Math.abs(v - 30.7 / 80) < 1e-12, `${u}, ${v}`);
    assert.equal(framed.input.length, 32 * 32 * 3);
  });

  it('trains on every marked level of series that have a PixelSpacing', () => {
    const spaced = example(greyImage(64, 64, [1, 1]), [{ x: 1, y: 2 }, null, { x: 3, y: 4 }]);
    const unspaced = example(greyImage(64, 64, null), [{ x: 1, y: 2 }, null, null]);
    assert.deepEqual(
      refineItems([spaced, unspaced]).map(({ example: of, level }) => [of === spaced, level]),
      [
        [true, 0],
        [true, 2],
      ],
    );
  });
});

describe('applying the refinement stage', () => {
  before(async () => {
    await selectEngine({ engine: 'wasm', threads: 1 });
  });
  after(() => releaseEngine());

  it('leaves each level at its square centre when untrained, and a slice without PixelSpacing at its coarse point', async () => {
    // The last layer starts at zero, so the output is the origin (0.5, 0.5) of the square: left - 0.5 + 25 and
    // top - 0.5 + 40 in slice pixels for the square above (the half pixel is where the grading crop's rounding puts
    // its centre).
    const refiner = LevelLocalizer.create('resnet18', { embedding: 8, hidden: [16], dropout: 0 }, [0, 1], 3);
    try {
      const coarse = [
        [
          { x: 100.3, y: 60.2 },
          { x: 120, y: 140 },
        ],
        [
          { x: 7, y: 8 },
          { x: 9, y: 10 },
        ],
      ];
      const refined = await refineInPlane(
        refiner,
        [greyImage(256, 256, [0.5, 0.8]), greyImage(64, 64, null)],
        coarse,
        settings(REFINE),
      );
      assert.deepEqual(refined[0], [
        { x: 99.5, y: 59.5 },
        { x: 119.5, y: 139.5 },
      ]);
      assert.deepEqual(refined[1], coarse[1]);
    } finally {
      refiner.dispose();
    }
  });
});

describe('training the refinement stage', { timeout: 300_000 }, () => {
  let workspace: string;
  let examples: LocalizerExample[];
  before(async () => {
    await selectEngine({ engine: 'wasm', threads: 1 });
    workspace = mkdtempSync(join(tmpdir(), 'radlab-refine-'));
    const root = join(workspace, 'dataset');
    await ensureSyntheticDataset(root, { studies: 8, seed: 21 });
    const tables = await readDatasetTables(root);
    const index = indexTables(tables, { condition: 'spinal_canal_stenosis', series: 'auto' });
    examples = (await loadExamples(seriesTargets(index.samples, LEVELS))).examples;
  });
  after(() => {
    releaseEngine();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('brings squares placed off the marks closer to them on held-out series', async () => {
    const train = examples.slice(0, 6);
    const held = examples.slice(6);
    const refine = settings({ cropMm: 40, size: 32, jitterMm: 8 });
    const refiner = LevelLocalizer.create('resnet18', { embedding: 8, hidden: [32], dropout: 0 }, [0, 1, 2, 3, 4], 5);
    try {
      const variables = [...refiner.network.backbone.parameters, ...refiner.network.head.parameters].map(
        (p) => p.variable,
      );
      const optimizer = makeOptimizer({ name: 'adamw', lr: 1e-3, weight_decay: 0.01, momentum: 0.9 });
      const rate = makeSchedule({ name: 'constant', peak: 1e-3 });
      const stage = {
        items: refineItems(train),
        frame: jitteredSquare(refine),
        batches: refineBatches(refine),
        shuffle: true,
      };
      const random = mulberry32(9);
      let firstStep = 0;
      for (let epoch = 1; epoch <= 10; epoch++) {
        const outcome = await trainLocalizerEpoch(
          refiner,
          optimizer,
          variables,
          stage,
          random,
          epoch,
          { rate, firstStep },
          {
            onBatch: () => {},
            shouldStop: () => false,
          },
        );
        firstStep += outcome.steps;
      }
      // Every held-out level starts 6 mm off its mark along both axes (8.5 mm away), in alternating directions.
      const distance = (a: { x: number; y: number }, b: { x: number; y: number }, spacing: [number, number]) =>
        Math.hypot((a.x - b.x) * spacing[1], (a.y - b.y) * spacing[0]);
      // The clean synthetic data marks every level.
      const marks = held.map((one) => one.points.map((point) => point!));
      assert.equal(marks.flat().length, 10);
      const starts = held.map((one, i) =>
        marks[i]!.map((mark, level) => {
          const [rowSpacing, columnSpacing] = one.image.meta.pixelSpacing!;
          const sign = (i + level) % 2 === 0 ? 1 : -1;
          return { x: mark.x + (sign * 6) / columnSpacing, y: mark.y - (sign * 6) / rowSpacing };
        }),
      );
      const refined = await refineInPlane(
        refiner,
        held.map((one) => one.image),
        starts,
        refine,
      );
      const before: number[] = [];
      const after: number[] = [];
      held.forEach((one, i) =>
        marks[i]!.forEach((mark, level) => {
          before.push(distance(starts[i]![level]!, mark, one.image.meta.pixelSpacing!));
          after.push(distance(refined[i]![level]!, mark, one.image.meta.pixelSpacing!));
        }),
      );
      const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
      assert.ok(median(after) < 0.75 * median(before), `median ${median(after)} mm after, ${median(before)} mm before`);
    } finally {
      refiner.dispose();
    }
  });
});

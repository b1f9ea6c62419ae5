// Training and applying the localizer's two stages. The coarse stage sees the whole middle slice: each epoch
// visits every training series once, framed afresh (the square is shifted by up to `shift` of its side and scaled
// by 1 ± `scale`, the targets moved with it exactly, as they are fractions of that square), so a few dozen series
// give a new set of positions every epoch. The refinement stage sees a small square of the slice around each
// level's coarse position, at several times the resolution, and regresses where in that square the level is; it
// trains on squares centred at the marked point plus a random offset as large as the coarse stage's errors. Both
// minimise the mean absolute error of the fractions over the marked points. The slice is not read from the image:
// each level's slice is the one nearest the mean offset from the stack centre that the level's marks have in the
// training series (slicePrior), which is where readers mark them.
import * as tf from '@tensorflow/tfjs-core';
import { uniform, type Random } from '../data/random';
import type { InputSettings } from '../data/sampleInput';
import type { DicomImage, PixelRegion } from '../dicom';
import { prepareBatch } from '../train/augment';
import { chunk } from '../train/batches';
import type { LearningRateSchedule } from '../train/schedule';
import type { SlotOptimizer } from '../train/slotOptimizer';
import type { LocalizerExample } from './localizerData';
import {
  fromFraction,
  LOCALIZER_CHANNELS,
  localizerInput,
  localizerRegion,
  NO_REFRAMING,
  refineRegion,
  toFraction,
  type Reframing,
} from './localizerInput';
import type { LevelPosition } from './localizerMetrics';
import type { LevelLocalizer } from './localizerModel';
import { nearestSlice, type SeriesSlices } from './seriesSlices';

/** The refinement stage's square: its side in mm, its input size in pixels, and its training jitter. */
export interface RefineSettings {
  cropMm: number;
  size: number;
  /** Largest offset, in mm along each axis, of a training square's centre from the marked point. */
  jitterMm: number;
}

export interface LocalizerSettings {
  input: Pick<InputSettings, 'size' | 'window'>;
  normalize: 'imagenet' | 'none';
  batchSize: number;
  seed: number;
  /** Largest shift of the square, as a fraction of its side, and largest relative change of its side. */
  reframe: { shift: number; scale: number };
  /** Absent: the coarse stage alone. */
  refine?: RefineSettings;
}

export const DEFAULT_REFRAME = { shift: 0.1, scale: 0.15 } as const;

/** Per level: the mean offset (series.unit) of the marked slices from the stack centre; 0 where none is marked. */
export function slicePrior(examples: readonly LocalizerExample[], levels: number): number[] {
  return Array.from({ length: levels }, (_, level) => {
    const offsets = examples
      .filter((example) => example.trueSlices[level]! >= 0)
      .map((example) => example.series.offsets[example.trueSlices[level]!]!);
    return offsets.length === 0 ? 0 : offsets.reduce((a, b) => a + b, 0) / offsets.length;
  });
}

/** The slice a level is expected on: the one nearest the prior's offset. */
export function priorSlice(series: SeriesSlices, prior: number): number {
  return nearestSlice(series.offsets, prior);
}

function shuffled<T>(items: readonly T[], random: Random): T[] {
  const order = [...items];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** The input shape of a stage's batches: square side in pixels, normalisation and batch size. */
export interface StageBatches {
  size: number;
  normalize: 'imagenet' | 'none';
  batchSize: number;
}

/** The coarse stage's batches. */
export function coarseBatches(settings: LocalizerSettings): StageBatches {
  return { size: settings.input.size, normalize: settings.normalize, batchSize: settings.batchSize };
}

/** The refinement stage's batches: its own square size, the coarse stage's normalisation and batch size. */
export function refineBatches(settings: LocalizerSettings & { refine: RefineSettings }): StageBatches {
  return { size: settings.refine.size, normalize: settings.normalize, batchSize: settings.batchSize };
}

function batchTensor(inputs: readonly Uint8Array[], batches: StageBatches): tf.Tensor4D {
  const bytes = batches.size * batches.size * LOCALIZER_CHANNELS;
  const pixels = new Uint8Array(inputs.length * bytes);
  inputs.forEach((input, i) => pixels.set(input, i * bytes));
  return prepareBatch(pixels, [inputs.length, batches.size, batches.size, LOCALIZER_CHANNELS], {
    normalize: batches.normalize,
  });
}

/** One training item made into a model input and, per level, the (u, v) fractions it is trained to (null: none). */
export interface FramedInput {
  input: Uint8Array;
  targets: (readonly [number, number] | null)[];
}

/** How a stage makes a training item into an input, with this epoch's random draws. */
export type Framing<T> = (item: T, random: Random) => FramedInput;

/** The coarse stage's training framing: the middle slice reframed at random, every marked level a target. */
export function reframedSlice(settings: LocalizerSettings): Framing<LocalizerExample> {
  return (example, random) => {
    const reframing: Reframing = {
      shiftX: uniform(random, -settings.reframe.shift, settings.reframe.shift),
      shiftY: uniform(random, -settings.reframe.shift, settings.reframe.shift),
      scale: 1 + uniform(random, -settings.reframe.scale, settings.reframe.scale),
    };
    const region = localizerRegion(example.image, reframing);
    return {
      input: localizerInput(example.image, region, settings.input),
      targets: example.points.map((point) => (point === null ? null : toFraction(region, point.x, point.y))),
    };
  };
}

/** One marked level of a series: what the refinement stage trains on. */
export interface RefineItem {
  example: LocalizerExample;
  level: number;
}

/** Every marked level of series whose slice has a PixelSpacing (the square is measured in mm). */
export function refineItems(examples: readonly LocalizerExample[]): RefineItem[] {
  return examples
    .filter((example) => example.image.meta.pixelSpacing !== null)
    .flatMap((example) => example.points.flatMap((point, level) => (point === null ? [] : [{ example, level }])));
}

/**
 * The refinement stage's training framing: a square centred at the marked point moved by up to `jitterMm` along
 * each axis (the coarse stage's error, which the square must learn to undo), the point's own level the only target.
 */
export function jitteredSquare(
  settings: Pick<LocalizerSettings, 'input'> & { refine: RefineSettings },
): Framing<RefineItem> {
  const { cropMm, size, jitterMm } = settings.refine;
  return ({ example, level }, random) => {
    const point = example.points[level]!;
    const [rowSpacing, columnSpacing] = example.image.meta.pixelSpacing!;
    const x = point.x + uniform(random, -jitterMm, jitterMm) / columnSpacing;
    const y = point.y + uniform(random, -jitterMm, jitterMm) / rowSpacing;
    const region = refineRegion(example.image, x, y, cropMm);
    return {
      input: localizerInput(example.image, region, { size, window: settings.input.window }),
      targets: example.points.map((_, other) => (other === level ? toFraction(region, point.x, point.y) : null)),
    };
  };
}

export interface LocalizerEpoch {
  loss: number;
  steps: number;
  stopped: boolean;
}

/** One pass over a stage's training items in a random order, framed afresh. */
export async function trainLocalizerEpoch<T>(
  localizer: LevelLocalizer,
  optimizer: SlotOptimizer,
  variables: tf.Variable[],
  /** shuffle: visit the items in a new order each epoch, else in their given order. */
  stage: { items: readonly T[]; frame: Framing<T>; batches: StageBatches; shuffle: boolean },
  random: Random,
  epoch: number,
  schedule: { rate: LearningRateSchedule; firstStep: number },
  hooks: { onBatch(step: number, steps: number, loss: number): void; shouldStop(): boolean },
): Promise<LocalizerEpoch> {
  // The permutation is drawn either way, so the framings' draws do not depend on the choice.
  const order = shuffled(stage.items, random);
  const batches = chunk(stage.shuffle ? order : stage.items, stage.batches.batchSize);
  const levels = localizer.levelIndices.length;
  let lossSum = 0;
  let seen = 0;
  let step = 0;
  for (const batch of batches) {
    if (hooks.shouldStop()) return { loss: seen > 0 ? lossSum / seen : 0, steps: step, stopped: true };
    optimizer.learningRate = schedule.rate.rateAt(schedule.firstStep + step);
    const targets = new Float32Array(batch.length * levels * 2);
    const mask = new Float32Array(batch.length * levels * 2);
    const inputs = batch.map((item, i) => {
      const framed = stage.frame(item, random);
      framed.targets.forEach((target, level) => {
        if (target === null) return;
        const at = (i * levels + level) * 2;
        targets.set(target, at);
        mask.set([1, 1], at);
      });
      return framed.input;
    });
    const marked = mask.reduce((a, b) => a + b, 0);
    if (marked === 0) continue;
    const images = batchTensor(inputs, stage.batches);
    const target = tf.tensor3d(targets, [batch.length, levels, 2]);
    const weights = tf.tensor3d(mask, [batch.length, levels, 2]);
    const { value, grads } = tf.variableGrads(
      () =>
        tf.div(tf.sum(tf.mul(tf.abs(tf.sub(localizer.forward(images, true), target)), weights)), marked) as tf.Scalar,
      variables,
    );
    const loss = (await value.data())[0]!;
    optimizer.applyGradients(grads);
    tf.dispose([value, images, target, weights, ...Object.values(grads)]);
    if (!Number.isFinite(loss)) {
      throw new Error(
        `the localizer's training loss became ${loss} at epoch ${epoch}, step ${step + 1}: training diverged. Lower train.optimizer.lr or set train.grad_clip.`,
      );
    }
    lossSum += loss * batch.length;
    seen += batch.length;
    step += 1;
    hooks.onBatch(step, batches.length, loss);
  }
  return { loss: seen > 0 ? lossSum / seen : 0, steps: step, stopped: false };
}

/** Every level's (x, y) in slice pixels as the model reads each square (of which a caller may want one level). */
async function locateInSquares(
  localizer: LevelLocalizer,
  squares: readonly { image: DicomImage; region: PixelRegion }[],
  window: InputSettings['window'],
  batches: StageBatches,
): Promise<{ x: number; y: number }[][]> {
  const located: { x: number; y: number }[][] = [];
  for (const batch of chunk(squares, batches.batchSize)) {
    const inputs = batch.map(({ image, region }) => localizerInput(image, region, { size: batches.size, window }));
    const output = tf.tidy(() => localizer.forward(batchTensor(inputs, batches), false));
    const fractions = (await output.array()) as number[][][];
    output.dispose();
    fractions.forEach((levels, k) =>
      located.push(
        levels.map(([u, v]) => {
          const [x, y] = fromFraction(batch[k]!.region, u!, v!);
          return { x, y };
        }),
      ),
    );
  }
  return located;
}

/** Where the coarse stage puts each level on each series' middle slice (pixels of that slice). */
export async function locateInPlane(
  localizer: LevelLocalizer,
  images: readonly DicomImage[],
  settings: LocalizerSettings,
): Promise<{ x: number; y: number }[][]> {
  const squares = images.map((image) => ({ image, region: localizerRegion(image, NO_REFRAMING) }));
  return locateInSquares(localizer, squares, settings.input.window, coarseBatches(settings));
}

/**
 * Where the refinement stage moves each level from its coarse position: the square around that position, read at
 * that level. A slice without PixelSpacing keeps its coarse positions (the square is measured in mm).
 */
export async function refineInPlane(
  refiner: LevelLocalizer,
  images: readonly DicomImage[],
  coarse: readonly (readonly { x: number; y: number }[])[],
  settings: LocalizerSettings & { refine: RefineSettings },
): Promise<{ x: number; y: number }[][]> {
  const squares = images.flatMap((image, i) =>
    image.meta.pixelSpacing === null
      ? []
      : coarse[i]!.map(({ x, y }) => ({ image, region: refineRegion(image, x, y, settings.refine.cropMm) })),
  );
  const located = await locateInSquares(refiner, squares, settings.input.window, refineBatches(settings));
  let next = 0;
  return images.map((image, i) =>
    image.meta.pixelSpacing === null ? [...coarse[i]!] : coarse[i]!.map((_, level) => located[next++]![level]!),
  );
}

/** Each level's full position on a series: in-plane from the model, slice from the prior. */
export function levelPositions(
  series: SeriesSlices,
  inPlane: readonly { x: number; y: number }[],
  prior: readonly number[],
): LevelPosition[] {
  return inPlane.map(({ x, y }, level) => {
    const slice = priorSlice(series, prior[level]!);
    return { slice, instanceNumber: series.slices[slice]!.instanceNumber, x, y };
  });
}

/** A trained localizer: the coarse stage, and the refinement stage when it has one. */
export interface LocalizerStages {
  coarse: LevelLocalizer;
  refiner?: LevelLocalizer;
}

/**
 * Each level's position on each series (in-plane on its middle slice `image`, slice from the prior): the coarse
 * stage's, and the refined one where the localizer has a refinement stage (else the coarse one again).
 */
export async function locateLevels(
  stages: LocalizerStages,
  series: readonly { series: SeriesSlices; image: DicomImage }[],
  settings: LocalizerSettings,
  prior: readonly number[],
): Promise<{ coarse: LevelPosition[][]; refined: LevelPosition[][] }> {
  const images = series.map(({ image }) => image);
  const coarse = await locateInPlane(stages.coarse, images, settings);
  const refined =
    stages.refiner === undefined || settings.refine === undefined
      ? coarse
      : await refineInPlane(stages.refiner, images, coarse, { ...settings, refine: settings.refine });
  const positions = (inPlane: { x: number; y: number }[][]) =>
    inPlane.map((levels, i) => levelPositions(series[i]!.series, levels, prior));
  return { coarse: positions(coarse), refined: positions(refined) };
}

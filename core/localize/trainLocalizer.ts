// Training and applying the localizer. Each epoch visits every training series once, framed afresh: the square
// around the middle slice is shifted by up to `shift` of its side and scaled by 1 ± `scale`, and the targets are
// moved with it exactly (they are fractions of that square), so a few dozen series give a new set of positions
// every epoch. The loss is the mean absolute error of the fractions over the marked points. The slice is not
// read from the image: each level's slice is the one nearest the mean offset from the stack centre that the
// level's marks have in the training series (slicePrior), which is where readers mark them.
import * as tf from '@tensorflow/tfjs-core';
import { deriveSeed, mulberry32, uniform, type Random } from '../data/random';
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
  toFraction,
  type Reframing,
} from './localizerInput';
import type { LevelPosition } from './localizerMetrics';
import type { LevelLocalizer } from './localizerModel';
import { nearestSlice, type SeriesSlices } from './seriesSlices';

export interface LocalizerSettings {
  input: Pick<InputSettings, 'size' | 'window'>;
  normalize: 'imagenet' | 'none';
  batchSize: number;
  seed: number;
  /** Largest shift of the square, as a fraction of its side, and largest relative change of its side. */
  reframe: { shift: number; scale: number };
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

function batchTensor(inputs: readonly Uint8Array[], settings: LocalizerSettings): tf.Tensor4D {
  const { size } = settings.input;
  const bytes = size * size * LOCALIZER_CHANNELS;
  const pixels = new Uint8Array(inputs.length * bytes);
  inputs.forEach((input, i) => pixels.set(input, i * bytes));
  return prepareBatch(pixels, [inputs.length, size, size, LOCALIZER_CHANNELS], { normalize: settings.normalize });
}

export interface LocalizerEpoch {
  loss: number;
  steps: number;
  stopped: boolean;
}

export async function trainLocalizerEpoch(
  localizer: LevelLocalizer,
  optimizer: SlotOptimizer,
  variables: tf.Variable[],
  examples: readonly LocalizerExample[],
  settings: LocalizerSettings,
  epoch: number,
  schedule: { rate: LearningRateSchedule; firstStep: number },
  hooks: { onBatch(step: number, steps: number, loss: number): void; shouldStop(): boolean },
): Promise<LocalizerEpoch> {
  const random = mulberry32(deriveSeed(settings.seed, 'localizer-epoch', epoch));
  const batches = chunk(
    shuffled(examples, random).map((_, i) => i),
    settings.batchSize,
  ).map((positions) => positions.map((i) => examples[i]!));
  const levels = localizer.levelIndices.length;
  let lossSum = 0;
  let seen = 0;
  let step = 0;
  for (const batch of batches) {
    if (hooks.shouldStop()) return { loss: seen > 0 ? lossSum / seen : 0, steps: step, stopped: true };
    optimizer.learningRate = schedule.rate.rateAt(schedule.firstStep + step);
    const targets = new Float32Array(batch.length * levels * 2);
    const mask = new Float32Array(batch.length * levels * 2);
    const inputs = batch.map((example, i) => {
      const reframing: Reframing = {
        shiftX: uniform(random, -settings.reframe.shift, settings.reframe.shift),
        shiftY: uniform(random, -settings.reframe.shift, settings.reframe.shift),
        scale: 1 + uniform(random, -settings.reframe.scale, settings.reframe.scale),
      };
      const region = localizerRegion(example.image, reframing);
      example.points.forEach((point, level) => {
        if (point === null) return;
        const [u, v] = toFraction(region, point.x, point.y);
        const at = (i * levels + level) * 2;
        targets.set([u, v], at);
        mask.set([1, 1], at);
      });
      return localizerInput(example.image, region, settings.input);
    });
    const marked = mask.reduce((a, b) => a + b, 0);
    if (marked === 0) continue;
    const images = batchTensor(inputs, settings);
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

/** Where the model puts each level on each series' middle slice (pixels of that slice). */
export async function locateInPlane(
  localizer: LevelLocalizer,
  images: readonly DicomImage[],
  settings: LocalizerSettings,
): Promise<{ x: number; y: number }[][]> {
  const located: { x: number; y: number }[][] = [];
  for (const batch of chunk(
    images.map((_, i) => i),
    settings.batchSize,
  )) {
    const regions: PixelRegion[] = batch.map((i) => localizerRegion(images[i]!, NO_REFRAMING));
    const inputs = batch.map((i, k) => localizerInput(images[i]!, regions[k]!, settings.input));
    const output = tf.tidy(() => localizer.forward(batchTensor(inputs, settings), false));
    const fractions = (await output.array()) as number[][][];
    output.dispose();
    fractions.forEach((levels, k) =>
      located.push(
        levels.map(([u, v]) => {
          const [x, y] = fromFraction(regions[k]!, u!, v!);
          return { x, y };
        }),
      ),
    );
  }
  return located;
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

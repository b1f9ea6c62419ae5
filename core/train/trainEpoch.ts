// One pass over the training split: shuffled batches, augmentation, class-weighted loss, gradient clipping and
// the optimizer step, with progress reported per batch. Everything random is drawn from generators seeded by
// (seed, epoch), so an epoch replays identically whether or not the run was interrupted before it.
import * as tf from '@tensorflow/tfjs-core';
import type { SampleCache } from '../data/sampleCache';
import { deriveSeed, mulberry32, shuffled } from '../data/random';
import type { LevelClassifier } from '../models/classifier';
import { classificationReport } from '../metrics/classification';
import type { AugmentSettings } from './augment';
import { chunk, prefetched } from './batches';
import type { LearningRateSchedule } from './schedule';
import type { SlotOptimizer } from './slotOptimizer';
import { StepStopped } from './batchGradients';
import { trainStep } from './trainStep';

export interface EpochSettings {
  epoch: number;
  seed: number;
  batchSize: number;
  /**
   * Images per forward/backward pass: a batch larger than this is split and its gradients accumulated, so the
   * optimizer still steps once per batch (batch-norm statistics are then per micro-batch). Default: the batch size.
   */
  microBatch?: number;
  classWeights: number[] | undefined;
  labelSmoothing: number;
  gradClip: number;
  augment: AugmentSettings;
  normalize: 'imagenet' | 'none';
}

export interface BatchProgress {
  step: number;
  steps: number;
  loss: number;
  imagesPerSecond: number;
}

export interface EpochOutcome {
  loss: number;
  accuracy: number;
  macroF1: number;
  /** Steps run; fewer than planned when the run was stopped. */
  steps: number;
  stopped: boolean;
  /** Share of the epoch's time spent waiting for batches from disk. */
  dataWaitShare: number;
}

/** Raised when the loss stops being a finite number: training diverged and continuing would save garbage. */
export class NonFiniteLossError extends Error {}

export async function trainEpoch(
  model: LevelClassifier,
  optimizer: SlotOptimizer,
  trainable: tf.Variable[],
  cache: SampleCache,
  trainPositions: readonly number[],
  settings: EpochSettings,
  schedule: { rate: LearningRateSchedule; firstStep: number },
  hooks: { onBatch(progress: BatchProgress): void; shouldStop(): boolean },
): Promise<EpochOutcome> {
  const order = shuffled(
    trainPositions.map((_, i) => i),
    mulberry32(deriveSeed(settings.seed, 'shuffle', settings.epoch)),
  );
  const augmentRandom = mulberry32(deriveSeed(settings.seed, 'augment', settings.epoch));
  const batches = chunk(
    order.map((i) => trainPositions[i]!),
    settings.batchSize,
  );
  const started = performance.now();
  let waited = 0;
  let lossSum = 0;
  let seen = 0;
  let step = 0;
  const grades: number[] = [];
  const probabilities: number[][] = [];
  const shape = (n: number) => [n, cache.side, cache.side, cache.channels] as [number, number, number, number];
  for await (const batch of prefetched(cache, batches, (ms) => (waited += ms))) {
    if (hooks.shouldStop()) return outcome(true);
    optimizer.learningRate = schedule.rate.rateAt(schedule.firstStep + step);
    const stepResult = await trainStep(
      model,
      optimizer,
      trainable,
      { pixels: batch.pixels, shape: shape(batch.positions.length), levels: batch.levels, grades: batch.grades },
      {
        classWeights: settings.classWeights,
        labelSmoothing: settings.labelSmoothing,
        gradClip: settings.gradClip,
        augment: { settings: settings.augment, random: augmentRandom },
        normalize: settings.normalize,
        outputSize: cache.size,
        microBatch: settings.microBatch ?? settings.batchSize,
        shouldStop: hooks.shouldStop,
      },
    ).catch((error: unknown) => {
      if (error instanceof StepStopped) return undefined;
      throw error;
    });
    if (stepResult === undefined) return outcome(true);
    const { loss, probabilities: rows } = stepResult;
    if (!Number.isFinite(loss)) {
      throw new NonFiniteLossError(
        `the training loss became ${loss} at epoch ${settings.epoch}, step ${step + 1}: training diverged. ` +
          'Lower train.optimizer.lr, set train.grad_clip (e.g. 1.0), or check the inputs.',
      );
    }
    rows.forEach((row, i) => {
      probabilities.push(row);
      grades.push(batch.grades[i]!);
    });
    lossSum += loss * batch.positions.length;
    seen += batch.positions.length;
    step += 1;
    hooks.onBatch({
      step,
      steps: batches.length,
      loss,
      imagesPerSecond: seen / ((performance.now() - started) / 1000),
    });
  }
  return outcome(false);

  function outcome(stopped: boolean): EpochOutcome {
    const report = seen > 0 ? classificationReport(grades, probabilities) : undefined;
    const elapsed = performance.now() - started;
    return {
      loss: seen > 0 ? lossSum / seen : 0,
      accuracy: report?.accuracy ?? 0,
      macroF1: report?.macro.f1 ?? 0,
      steps: step,
      stopped,
      dataWaitShare: elapsed > 0 ? waited / elapsed : 0,
    };
  }
}

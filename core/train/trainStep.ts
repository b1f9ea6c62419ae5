// One optimizer step on one batch, exactly as `radlab run` trains: uint8 crops → augmented, normalised input;
// forward through backbone and level head; class-weighted loss; gradients; optional global-norm clipping; the
// optimizer update; then the loss and the class probabilities read back (the progress line and the epoch's
// accuracy need them). The read-back is requested after the update is queued, so an engine that runs
// asynchronously (a GPU) has the whole step in flight before the host waits on it, and it is the step's only wait.
//
// `mark`, when given, is called as each phase ends ('data', 'forward', 'backward', 'optimizer', 'readback'): the
// engine benchmark times the phases with it. The CPU engines run kernels when they are called, so a clock read at
// a mark measures the phase; on an asynchronous engine the marks measure only when work is queued.
import * as tf from '@tensorflow/tfjs-core';
import type { Random } from '../data/random';
import type { LevelClassifier } from '../models/classifier';
import { prepareBatch, type AugmentSettings, type BatchShape } from './augment';
import { clipGradientsByGlobalNorm } from './gradClip';
import { batchGradients, type BatchGradients } from './batchGradients';
import type { SlotOptimizer } from './slotOptimizer';

export type StepPhase = 'data' | 'forward' | 'backward' | 'optimizer' | 'readback';
export const STEP_PHASES: readonly StepPhase[] = ['data', 'forward', 'backward', 'optimizer', 'readback'];

export interface StepBatch {
  /** uint8 crops, NHWC, back to back. */
  pixels: Uint8Array;
  shape: BatchShape;
  levels: Int32Array;
  grades: Int32Array;
}

export interface StepSettings {
  classWeights: number[] | undefined;
  labelSmoothing: number;
  /** Global gradient-norm limit; 0 turns clipping off. */
  gradClip: number;
  augment: { settings: AugmentSettings; random: Random };
  normalize: 'imagenet' | 'none';
  /** Side of the model input when the batch's stored images are larger (see PrepareSettings.outputSize). */
  outputSize?: number;
  /** Images per forward/backward pass (see batchGradients); default: the whole batch in one pass. */
  microBatch?: number;
  /** Asked between backbone stages and micro-batches; true abandons the step (StepStopped). */
  shouldStop?: () => boolean;
}

export interface StepOutcome {
  loss: number;
  /** Softmax of the logits, one row of class probabilities per image. */
  probabilities: number[][];
}

export async function trainStep(
  model: LevelClassifier,
  optimizer: SlotOptimizer,
  trainable: tf.Variable[],
  batch: StepBatch,
  settings: StepSettings,
  mark: (phase: StepPhase) => void = () => {},
): Promise<StepOutcome> {
  const images = prepareBatch(batch.pixels, batch.shape, {
    normalize: settings.normalize,
    augment: settings.augment,
    ...(settings.outputSize !== undefined ? { outputSize: settings.outputSize } : {}),
  });
  const levels = tf.tensor1d(batch.levels, 'int32');
  mark('data');
  const lossOptions = {
    ...(settings.classWeights ? { classWeights: settings.classWeights } : {}),
    labelSmoothing: settings.labelSmoothing,
  };
  let gradients: BatchGradients;
  try {
    gradients = await batchGradients(
      model,
      trainable,
      { images, levels, grades: batch.grades },
      {
        loss: lossOptions,
        microBatch: settings.microBatch ?? batch.grades.length,
        afterForward: () => mark('forward'),
        ...(settings.shouldStop ? { shouldStop: settings.shouldStop } : {}),
      },
    );
  } catch (error) {
    tf.dispose([images, levels]);
    throw error;
  }
  const { loss: value, probabilities, grads } = gradients;
  mark('backward');
  try {
    if (settings.gradClip > 0) {
      const clipped = clipGradientsByGlobalNorm(grads, settings.gradClip);
      optimizer.applyGradients(clipped.gradients);
      tf.dispose([clipped.totalNorm, ...Object.values(clipped.gradients)]);
    } else {
      optimizer.applyGradients(grads);
    }
    mark('optimizer');
    const [lossData, flat] = await Promise.all([value.data(), probabilities.data()]);
    const classes = probabilities.shape[1];
    const rows = Array.from({ length: batch.grades.length }, (_, i) =>
      Array.from(flat.subarray(i * classes, (i + 1) * classes)),
    );
    mark('readback');
    return { loss: lossData[0]!, probabilities: rows };
  } finally {
    tf.dispose([value, images, levels, probabilities, ...Object.values(grads)]);
  }
}

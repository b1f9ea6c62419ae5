// The gradients of one optimizer step, computed in memory the engine has:
//
// - The backbone's frozen prefix (its leading stages without a trainable parameter) runs outside the gradient
//   tape, one stage at a time with each stage's intermediates freed as it ends. Its output is a constant to the
//   gradient, so the gradients are the same as with the whole model on the tape, but nothing of the prefix is kept
//   until the step ends.
// - A batch larger than `microBatch` is split into micro-batches whose gradients are summed (gradient
//   accumulation). Each micro-batch's loss is weighted by its share of the batch's total target weight
//   (Σ w_{y_i}, the denominator of the weighted mean), so the summed gradient is exactly the full batch's. Layers
//   that look across a batch — batch norm's statistics — see one micro-batch at a time, as in PyTorch with
//   accumulation.
// - Between stages and micro-batches the event loop gets a turn, so a stop request (a signal handler setting a
//   flag) is seen within one stage rather than after the whole step.
import * as tf from '@tensorflow/tfjs-core';
import type { LevelClassifier } from '../models/classifier';
import { crossEntropyLoss, type CrossEntropySettings } from './loss';

export interface GradientBatch {
  images: tf.Tensor4D;
  levels: tf.Tensor1D;
  /** The target grades, on the host (the micro-batch weights are computed from them). */
  grades: ArrayLike<number>;
}

export interface GradientOptions {
  loss: CrossEntropySettings;
  /** Images per forward/backward pass; the batch is split into passes of at most this many. */
  microBatch: number;
  /** Asked between stages and micro-batches; true abandons the step. */
  shouldStop?: () => boolean;
  /** Called when a pass's forward is done (before its backward), e.g. to time the phases. */
  afterForward?: () => void;
}

export interface BatchGradients {
  /** The batch's loss (the weighted mean over all its images). */
  loss: tf.Scalar;
  /** Softmax of the logits, [batch, classes]. */
  probabilities: tf.Tensor2D;
  /** Summed gradients by variable name; a variable that got none is absent. */
  grads: tf.NamedTensorMap;
}

/** Raised inside a step when a stop was requested; the step's tensors are already released. */
export class StepStopped extends Error {
  constructor() {
    super('the training step was stopped');
  }
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

function targetWeightSum(grades: ArrayLike<number>, from: number, to: number, weights?: readonly number[]): number {
  let sum = 0;
  for (let i = from; i < to; i += 1) sum += weights ? weights[grades[i]!]! : 1;
  return sum;
}

/** The batch's gradients with respect to `trainable`, its loss and its class probabilities. */
export async function batchGradients(
  model: LevelClassifier,
  trainable: readonly tf.Variable[],
  batch: GradientBatch,
  options: GradientOptions,
): Promise<BatchGradients> {
  const size = batch.images.shape[0];
  if (!Number.isInteger(options.microBatch) || options.microBatch < 1) {
    throw new RangeError(`the micro-batch size must be a whole number of at least 1, got ${options.microBatch}`);
  }
  const frozenStages = model.backbone.frozenStageCount(new Set(trainable));
  const weights = options.loss.classWeights;
  const total = targetWeightSum(batch.grades, 0, size, weights);
  const grads: tf.NamedTensorMap = {};
  const losses: tf.Scalar[] = [];
  const probabilities: tf.Tensor2D[] = [];
  const stopCheck = async () => {
    await yieldToEventLoop();
    if (options.shouldStop?.()) throw new StepStopped();
  };
  try {
    for (let from = 0; from < size; from += options.microBatch) {
      const to = Math.min(size, from + options.microBatch);
      const images = size === to - from ? batch.images : tf.slice(batch.images, from, to - from);
      const levels = size === to - from ? batch.levels : tf.slice(batch.levels, from, to - from);
      const targets = tf.tensor1d(
        Array.from({ length: to - from }, (_, i) => batch.grades[from + i]!),
        'int32',
      );
      const pass = model.backbone.beginPass(images, true);
      let x: tf.Tensor = images;
      try {
        for (let stage = 0; stage < frozenStages; stage += 1) {
          const input = x;
          x = tf.tidy(() => pass.runStage(stage, input));
          if (input !== images) input.dispose();
          await stopCheck();
        }
        const prefix = x;
        // This micro-batch's share of the batch's weighted mean; a share of 0 (all its targets weigh 0) adds
        // no gradient, and its own weighted mean would be 0/0.
        const share = total > 0 ? targetWeightSum(batch.grades, from, to, weights) / total : 0;
        let microProbabilities: tf.Tensor2D | undefined;
        const logitsFrom = (features: tf.Tensor) => {
          let y = features;
          for (let stage = frozenStages; stage < pass.stageCount; stage += 1) y = pass.runStage(stage, y);
          const logits = model.head.forward(y as tf.Tensor2D, levels, true);
          microProbabilities = tf.keep(tf.softmax(logits));
          return logits;
        };
        const lossOf = (features: tf.Tensor) => {
          const loss = tf.mul(crossEntropyLoss(logitsFrom(features), targets, options.loss), share) as tf.Scalar;
          options.afterForward?.();
          return loss;
        };
        if (share > 0) {
          const { value, grads: micro } = tf.variableGrads(() => lossOf(prefix), [...trainable]);
          losses.push(value);
          for (const [name, gradient] of Object.entries(micro)) {
            const sum = grads[name];
            grads[name] = sum ? tf.add(sum, gradient) : gradient;
            if (sum) tf.dispose([sum, gradient]);
          }
        } else {
          tf.tidy(() => {
            logitsFrom(prefix);
          });
        }
        probabilities.push(microProbabilities!);
      } finally {
        if (x !== images) x.dispose();
        if (images !== batch.images) tf.dispose([images, levels]);
        targets.dispose();
      }
      if (to < size) await stopCheck();
    }
    const loss = tf.tidy(() => (losses.length > 0 ? tf.addN(losses) : tf.scalar(NaN)) as tf.Scalar);
    const joined = probabilities.length === 1 ? probabilities[0]! : (tf.concat(probabilities, 0) as tf.Tensor2D);
    if (joined !== probabilities[0]) tf.dispose(probabilities);
    tf.dispose(losses);
    return { loss, probabilities: joined, grads };
  } catch (error) {
    tf.dispose([...losses, ...probabilities, ...Object.values(grads)]);
    throw error;
  }
}

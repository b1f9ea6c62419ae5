// Fitting a training step into the engine's memory, decided before the first epoch from what the engine itself
// reports. Two probe passes (micro-batches of 2 and 4 blank images at the run's input size) are measured by tfjs's
// own allocation record (`tf.profile`'s peak bytes): everything a pass keeps until its step ends — the tape's saved
// activations, the gradients of every intermediate, the transient buffers of the engine's gradient kernels — is in
// that peak. The peak grows linearly with the images per pass, so the two probes give a fixed part and a per-image
// part. A third probe runs one optimizer update on copies of the trainable variables, for the update's own peak
// (its slots and the temporaries of its arithmetic). A step's peak is the larger of its two phases:
//
//   gradients: resident (weights, buffers) + the whole batch's input + optimizer slots
//              + fixed + perImage × m + (one more set of gradients when micro-batches are summed)
//   update:    resident + the whole batch's input + gradients + the update's peak (slots included)
//
// The plan keeps the requested micro-batch (batch / accumulate_steps) when it fits the engine's limit, otherwise
// the largest that does (the optimizer still steps once per batch); when not even one image fits, it refuses.
import * as tf from '@tensorflow/tfjs-core';
import { totalmem } from 'node:os';
import type { EngineReport } from '../engine/selectEngine';
import { formatBytes } from '../experiment/format';
import type { ResolvedRun } from '../experiment/resolvedRun';
import type { LevelClassifier } from '../models/classifier';
import { batchGradients } from '../train/batchGradients';
import type { CrossEntropySettings } from '../train/loss';
import type { SlotOptimizer } from '../train/slotOptimizer';

/** WebAssembly's 32-bit addresses: the wasm engine's heap can never grow past 4 GiB. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

export interface MemoryLimit {
  bytes: number;
  /** What the limit is, for messages: "the wasm engine's 4 GiB heap". */
  what: string;
}

/** The memory the engine's tensors can use, where it is known. */
export function engineMemoryLimit(engine: Pick<EngineReport, 'chosen'>): MemoryLimit | undefined {
  if (engine.chosen === 'wasm') return { bytes: WASM_HEAP_BYTES, what: "the wasm engine's 4 GiB heap" };
  if (engine.chosen === 'tfjs-node') return { bytes: totalmem(), what: `this machine's ${formatBytes(totalmem())}` };
  // A GPU engine's memory is the device's, which neither tfjs-node-gpu nor WebGPU reports to tfjs.
  return undefined;
}

const PROBE_IMAGES = [2, 4] as const;

/** The step's own memory in bytes: of the gradient passes, a fixed part and a part per image of a micro-batch. */
export interface StepMemory {
  fixed: number;
  perImage: number;
  /** Peak of one optimizer update above what it starts with (variables and gradients), its slots included. */
  update: number;
}

/**
 * Measures the step's memory with two probe passes; the model's buffers (batch-norm statistics) are restored.
 * The probes use 2 and 4 images: batch norm in training needs more than one value per channel, which a single
 * image cannot give where a backbone's last feature map is 1x1 (small crops).
 */
export async function measureStepMemory(
  model: LevelClassifier,
  trainable: readonly tf.Variable[],
  inputSize: number,
  loss: CrossEntropySettings,
  newOptimizer: () => SlotOptimizer,
): Promise<StepMemory> {
  const buffers = [...model.backbone.buffers, ...model.head.state.buffers].map((buffer) => buffer.variable);
  const saved = buffers.map((variable) => tf.clone(variable));
  const peaks: number[] = [];
  try {
    for (const images of PROBE_IMAGES) {
      const batch = {
        images: tf.zeros([images, inputSize, inputSize, 3]) as tf.Tensor4D,
        levels: tf.zeros([images], 'int32') as tf.Tensor1D,
        grades: new Array<number>(images).fill(0),
      };
      const before = tf.memory().numBytes;
      const profile = await tf.profile(async () => {
        const result = await batchGradients(model, trainable, batch, { loss, microBatch: images });
        tf.dispose([result.loss, result.probabilities, ...Object.values(result.grads)]);
      });
      peaks.push(Math.max(profile.peakBytes, before) - before);
      tf.dispose([batch.images, batch.levels]);
    }
  } finally {
    buffers.forEach((variable, i) => variable.assign(saved[i]!));
    tf.dispose(saved);
  }
  const [small, large] = PROBE_IMAGES;
  const perImage = Math.max(0, (peaks[1]! - peaks[0]!) / (large - small));
  return {
    fixed: Math.max(0, peaks[0]! - perImage * small),
    perImage,
    update: await measureUpdate(trainable, newOptimizer),
  };
}

/** One update of a fresh optimizer on copies of the variables with zero gradients: its peak above the start. */
async function measureUpdate(trainable: readonly tf.Variable[], newOptimizer: () => SlotOptimizer): Promise<number> {
  const copies = trainable.map((variable) => tf.tidy(() => tf.variable(tf.zerosLike(variable), true)));
  const gradients = Object.fromEntries(copies.map((copy) => [copy.name, tf.zerosLike(copy)]));
  const optimizer = newOptimizer();
  try {
    const before = tf.memory().numBytes;
    const profile = await tf.profile(() => optimizer.applyGradients(gradients));
    return Math.max(profile.peakBytes, before) - before;
  } finally {
    optimizer.dispose();
    tf.dispose([...copies, ...Object.values(gradients)]);
  }
}

export interface PlanRequest {
  backbone: string;
  inputSize: number;
  batchSize: number;
  accumulateSteps: number;
  memory: StepMemory;
  /** Tensor bytes held before the step: weights and buffers. */
  residentBytes: number;
  /** Bytes of the trainable parameters (each optimizer slot and each set of gradients is this size). */
  trainableBytes: number;
  /** Optimizer state tensors per trainable parameter (AdamW 2, SGD with momentum 1). */
  optimizerSlots: number;
  limit: MemoryLimit;
}

export interface StepPlan {
  microBatch: number;
  passes: number;
  /** The predicted peak of a step, in bytes, where the engine's limit is known. */
  peakBytes?: number;
  /** Set when the plan splits the batch further than accumulate_steps asked: what to tell the user. */
  note?: string;
}

/** The predicted peak of a step with micro-batches of `microBatch` images. */
export function predictedPeak(request: Omit<PlanRequest, 'limit'>, microBatch: number): number {
  const passes = Math.ceil(request.batchSize / microBatch);
  const held = request.residentBytes + request.batchSize * request.inputSize ** 2 * 3 * 4;
  const gradients =
    request.optimizerSlots * request.trainableBytes +
    request.memory.fixed +
    request.memory.perImage * microBatch +
    (passes > 1 ? request.trainableBytes : 0);
  const update = request.trainableBytes + request.memory.update;
  return held + Math.max(gradients, update);
}

/** The micro-batch a step runs with, or an error naming the limit and what to change when one image is too many. */
export function planStep(request: PlanRequest): StepPlan {
  const asked = Math.ceil(request.batchSize / request.accumulateSteps);
  let microBatch = asked;
  while (microBatch > 1 && predictedPeak(request, microBatch) > request.limit.bytes) microBatch -= 1;
  const peakBytes = predictedPeak(request, microBatch);
  const what = `${request.backbone} at ${request.inputSize} px`;
  if (peakBytes > request.limit.bytes) {
    // The update's peak grows with the trainable parameters only, so smaller inputs would not help it.
    const update = request.trainableBytes + request.memory.update;
    const cause =
      update >= peakBytes - request.residentBytes - request.batchSize * request.inputSize ** 2 * 3 * 4
        ? `, most of it the optimizer update of ${formatBytes(request.trainableBytes)} of trainable parameters ` +
          `(${formatBytes(update)}). Lower model.unfreeze_last_n`
        : '. Lower data.input.size or model.unfreeze_last_n';
    throw new Error(
      `${what} does not fit ${request.limit.what} even one image at a time: a step needs about ` +
        `${formatBytes(peakBytes)}${cause}, or use a smaller backbone.`,
    );
  }
  const passes = Math.ceil(request.batchSize / microBatch);
  const plan: StepPlan = { microBatch, passes, peakBytes };
  if (microBatch < asked) {
    plan.note =
      `${what}: a batch of ${request.batchSize} needs about ${formatBytes(predictedPeak(request, asked))} at ` +
      `${asked} images per pass, more than ${request.limit.what}; training in ${passes} micro-batches of at most ` +
      `${microBatch} (about ${formatBytes(peakBytes)}), with their gradients summed so the optimizer still steps ` +
      'once per batch. Batch-norm statistics are computed per micro-batch.';
  }
  return plan;
}

/**
 * A run's step plan on the engine it runs on: measured and fitted to the engine's limit where the limit is known,
 * otherwise the micro-batch accumulate_steps asks for.
 */
export async function planRunStep(
  run: ResolvedRun,
  engine: Pick<EngineReport, 'chosen'>,
  model: LevelClassifier,
  trainable: readonly tf.Variable[],
  newOptimizer: () => SlotOptimizer,
): Promise<StepPlan> {
  const { batch_size: batchSize, accumulate_steps: accumulateSteps } = run.train;
  const limit = engineMemoryLimit(engine);
  if (limit === undefined) {
    const microBatch = Math.ceil(batchSize / accumulateSteps);
    return { microBatch, passes: Math.ceil(batchSize / microBatch) };
  }
  const memory = await measureStepMemory(model, trainable, run.data.input.size, {}, newOptimizer);
  return planStep({
    backbone: run.model.backbone,
    inputSize: run.data.input.size,
    batchSize,
    accumulateSteps,
    memory,
    residentBytes: tf.memory().numBytes,
    trainableBytes: trainable.reduce((sum, variable) => sum + variable.size * 4, 0),
    optimizerSlots: run.train.optimizer.name === 'adamw' ? 2 : run.train.optimizer.momentum > 0 ? 1 : 0,
    limit,
  });
}

const WASM_MEMORY_FAULT = /memory access out of bounds|out of memory|Cannot enlarge memory|Aborted\(/i;

/** The wasm heap's current size, when the wasm engine runs. */
function wasmHeapBytes(): number | undefined {
  const backend = tf.getBackend() === 'wasm' ? (tf.backend() as { wasm?: { HEAPU8?: Uint8Array } }) : undefined;
  return backend?.wasm?.HEAPU8?.buffer.byteLength;
}

/**
 * A wasm memory fault becomes an error that names the heap, the backbone, the input size and the batch, and what
 * to change; any other error is returned as it was.
 */
export function explainMemoryFault(
  error: unknown,
  step: { backbone: string; inputSize: number; batchSize: number; microBatch: number },
): unknown {
  const message = error instanceof Error ? error.message : String(error);
  if (tf.getBackend() !== 'wasm' || !WASM_MEMORY_FAULT.test(message)) return error;
  const heap = wasmHeapBytes();
  return new Error(
    `the wasm engine ran out of memory training ${step.backbone} at ${step.inputSize} px, batch ` +
      `${step.batchSize} in micro-batches of ${step.microBatch}` +
      `${heap !== undefined ? ` (its heap had grown to ${formatBytes(heap)} of at most ${formatBytes(WASM_HEAP_BYTES)})` : ''}. ` +
      `Set train.accumulate_steps to ${Math.min(step.batchSize, Math.ceil(step.batchSize / step.microBatch) * 2)} ` +
      'or lower data.input.size or model.unfreeze_last_n. (The engine said: ' +
      `${message.split('\n', 1)[0]})`,
  );
}

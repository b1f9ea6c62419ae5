// A run's step memory, measured on its engine before the first epoch. Two probe passes (micro-batches of 1 and 2 blank
// images at the run's input size; 2 and 4 on crops of 32 px or less, for batch norm) are measured by tfjs's own
// allocation record (`tf.profile`'s peak bytes): everything a pass keeps until its step ends — the tape's saved
// activations, the gradients of every intermediate, the transient buffers of the engine's gradient kernels — is in that
// peak. The peak grows linearly with the images per pass, so the two probes give a fixed part and a per-image part. A
// third probe runs one optimizer update on copies of the trainable variables, for the update's own peak (its slots and
// the temporaries of its arithmetic). The plan made from them (experiment/stepPlan) fits the step to the engine's
// limit.
import * as tf from '@tensorflow/tfjs-core';
import type { EngineReport } from '../engine/selectEngine';
import { formatBytes } from '../experiment/format';
import type { ResolvedRun } from '../experiment/resolvedRun';
import {
  engineMemoryLimit,
  optimizerSlots,
  planStep,
  WASM_HEAP_BYTES,
  type StepMemory,
  type StepPlan,
} from '../experiment/stepPlan';
import type { LevelClassifier } from '../models/classifier';
import { batchGradients } from '../train/batchGradients';
import type { CrossEntropySettings } from '../train/loss';
import type { SlotOptimizer } from '../train/slotOptimizer';

// Images in the two probe passes: one and two, which keep the probes far below the heap's limit at the seed's
// sizes (ConvNeXt-T at 224 px with every layer trained ran the wasm heap out at four, and an engine that runs out of
// memory mid-pass cannot go on). Batch norm in training needs two values per channel; every backbone in the registry
// reduces its input by at most 32, so above 32 px its last feature map is at least 2x2 and one image gives them. At
// 32 px and below the probes take two and four images.
function probeImages(inputSize: number): readonly [number, number] {
  return inputSize > 32 ? [1, 2] : [2, 4];
}

/**
 * Measures the step's memory with two probe passes; the model's buffers (batch-norm statistics) are restored.
 */
export async function measureStepMemory(
  model: LevelClassifier,
  trainable: readonly tf.Variable[],
  inputSize: number,
  loss: CrossEntropySettings,
  newOptimizer: () => SlotOptimizer,
): Promise<StepMemory> {
  const probes = probeImages(inputSize);
  const peaks = await probePeaks(model, trainable, inputSize, loss, probes);
  const [small, large] = probes;
  const perImage = Math.max(0, (peaks[1]! - peaks[0]!) / (large - small));
  return {
    fixed: Math.max(0, peaks[0]! - perImage * small),
    perImage,
    update: await measureUpdate(trainable, newOptimizer),
  };
}

/** tfjs's peak bytes above the start for one gradient pass of each probe's number of blank images. */
async function probePeaks(
  model: LevelClassifier,
  trainable: readonly tf.Variable[],
  inputSize: number,
  loss: CrossEntropySettings,
  probes: readonly number[],
): Promise<number[]> {
  const buffers = [...model.backbone.buffers, ...model.head.state.buffers].map((buffer) => buffer.variable);
  const saved = buffers.map((variable) => tf.clone(variable));
  const peaks: number[] = [];
  try {
    for (const images of probes) {
      const batch = {
        images: tf.zeros([images, inputSize, inputSize, 3]) as tf.Tensor4D,
        levels: tf.zeros([images], 'int32') as tf.Tensor1D,
        grades: new Array<number>(images).fill(0),
      };
      const before = tf.memory().numBytes;
      try {
        const profile = await tf.profile(async () => {
          const result = await batchGradients(model, trainable, batch, { loss, microBatch: images });
          tf.dispose([result.loss, result.probabilities, ...Object.values(result.grads)]);
        });
        peaks.push(Math.max(profile.peakBytes, before) - before);
      } finally {
        tf.dispose([batch.images, batch.levels]);
      }
    }
  } finally {
    buffers.forEach((variable, i) => variable.assign(saved[i]!));
    tf.dispose(saved);
  }
  return peaks;
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
    optimizerSlots: optimizerSlots(run.train.optimizer),
    limit,
  });
}

const WASM_MEMORY_FAULT = /memory access out of bounds|out of memory|Cannot enlarge memory|Aborted\(/i;

/** The wasm heap's current size, when the wasm engine runs: it only grows, so it is the process's peak so far. */
export function wasmHeapBytes(): number | undefined {
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

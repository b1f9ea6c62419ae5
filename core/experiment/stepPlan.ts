// Fitting a training step into the engine's memory: from a step's memory (measured on the engine when a run
// starts, or estimated from the model registry while the file is edited), the peak of a step with micro-batches
// of m images, and the plan that keeps it under the engine's limit. A step's peak is the larger of its two phases:
//
//   gradients: resident (weights, buffers) + the whole batch's input + optimizer slots
//              + fixed + perImage × m + (one more set of gradients when micro-batches are summed)
//   update:    resident + the whole batch's input + gradients + the update's peak (slots included)
//
// The plan keeps the requested micro-batch (batch / accumulate_steps) when it fits the engine's limit, otherwise
// the largest that does (the optimizer still steps once per batch); when not even one image fits, it refuses.
import { totalmem } from 'node:os';
import type { EngineName } from '../engine/selectEngine';
import { formatBytes } from './format';

/** WebAssembly's 32-bit addresses: the wasm engine's heap can never grow past 4 GiB. */
export const WASM_HEAP_BYTES = 4 * 2 ** 30;

/**
 * What a plan may give tfjs's tensors of the wasm heap. tfjs counts its tensors only; the heap also holds XNNPACK's
 * packed copies of the weights and its workspaces (measured 60 to 280 MiB beyond tfjs's peak for ConvNeXt-T and
 * ResNet-50 at 128 px, more with a larger model) and the allocator's fragmentation. A ViT-B/16 step planned to
 * 3.97 GiB by tfjs's count trained and then stalled in its validation pass with the heap at its ceiling.
 */
const WASM_TENSOR_BYTES = 3 * 2 ** 30;

export interface MemoryLimit {
  bytes: number;
  /** What the limit is, for messages: "the wasm engine's 4 GiB heap". */
  what: string;
}

/** The memory the engine's tensors can use, where it is known. */
export function engineMemoryLimit(engine: { chosen: EngineName }): MemoryLimit | undefined {
  if (engine.chosen === 'wasm') {
    return { bytes: WASM_TENSOR_BYTES, what: "the 3 GiB the wasm engine's 4 GiB heap leaves for tensors" };
  }
  if (engine.chosen === 'tfjs-node') return { bytes: totalmem(), what: `this machine's ${formatBytes(totalmem())}` };
  // A GPU engine's memory is the device's, which neither tfjs-node-gpu nor WebGPU reports to tfjs.
  return undefined;
}

/** The step's own memory in bytes: of the gradient passes, a fixed part and a part per image of a micro-batch. */
export interface StepMemory {
  fixed: number;
  perImage: number;
  /** Peak of one optimizer update above what it starts with (variables and gradients), its slots included. */
  update: number;
}

/** Optimizer state tensors per trainable parameter: AdamW's two moments, SGD's momentum buffer when it has momentum. */
export function optimizerSlots(optimizer: { name: string; momentum: number }): number {
  return optimizer.name === 'adamw' ? 2 : optimizer.momentum > 0 ? 1 : 0;
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

/** What both phases of a step hold (see above), and each phase's own bytes, with micro-batches of `microBatch`. */
function stepPhases(
  request: Omit<PlanRequest, 'limit'>,
  microBatch: number,
): { held: number; gradients: number; update: number } {
  const passes = Math.ceil(request.batchSize / microBatch);
  return {
    held: request.residentBytes + request.batchSize * request.inputSize ** 2 * 3 * 4,
    gradients:
      request.optimizerSlots * request.trainableBytes +
      request.memory.fixed +
      request.memory.perImage * microBatch +
      (passes > 1 ? request.trainableBytes : 0),
    update: request.trainableBytes + request.memory.update,
  };
}

/** The predicted peak of a step with micro-batches of `microBatch` images. */
export function predictedPeak(request: Omit<PlanRequest, 'limit'>, microBatch: number): number {
  const { held, gradients, update } = stepPhases(request, microBatch);
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
    const { gradients, update } = stepPhases(request, microBatch);
    const cause =
      update >= gradients
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

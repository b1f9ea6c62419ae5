// The engine's memory for a training step, estimated from the model registry's facts: what the editor's hover and
// `radlab validate` show, on every keystroke, without starting an engine. It predicts the three quantities a run
// measures on its engine before training (run/stepMemory) and plans with them (stepPlan):
//
//   per image  the larger of two peaks, each scaled by the input's pixels over the backbone's own input size:
//              - the trainable tail on the gradient tape: the activations PyTorch saves for backward over that
//                tail (the registry's figure; a partly trainable block counts whole, as the trainer puts the whole
//                block on the tape) times what the engine keeps beyond them: tfjs's tape holds every operation's
//                inputs and outputs until the backward pass, and the gradient kernels their own buffers;
//              - the frozen prefix's forward pass, one block at a time off the tape: a share of the whole
//                backbone's activations.
//   fixed      the trainable parameters' bytes times a factor: their gradients and the per-weight buffers of the
//              gradient kernels.
//   update     the optimizer's slots and the update's temporaries: the wasm engine's fused AdamW kernel writes one
//              tensor's new value and moments at a time, which the estimate bounds by one copy of the trainable
//              set (measured: 0.94 of it for ResNet-18's last 32 tensors, whose largest is a quarter of them).
//              Engines without the fused kernel update in groups (train/slotOptimizer) and hold more, but their
//              memory has no limit RadLab plans against.
//
// The factors, one set per family, were measured on the wasm engine by bench/seed/stepMemoryFactors.ts (AdamW):
// within a family they agree to a few percent across input sizes and variants (ResNet-50 and -152, ConvNeXt-T and
// -B, ViT-Ti and -B, Swin-T and -B, BEiT-S and -B, EfficientNetV2-S and -M). Where they do not, the seed's
// variant sets the factor: ResNet-18's basic blocks keep about an eighth more per image than ResNet-50's
// bottlenecks, so its estimate errs low by about that (measured 2026-12-02 after the fused AdamW kernel). The
// frozen prefix's share is the smallest measured in the family (a deeper variant has a smaller one), so with no
// backbone tensor trainable the estimate can err low for a shallow variant.
import { estimateTrainingMemory, requireFacts, type BackboneFamily } from '../models/registry';
import type { PlanRequest, StepMemory } from './stepPlan';

const FLOAT32_BYTES = 4;

interface FamilyFactors {
  /** Engine bytes per image over PyTorch's saved activations of the same trainable tail. */
  activations: number;
  /** The frozen prefix's forward peak per image over PyTorch's saved activations of the whole backbone. */
  frozenForward: number;
  /** The fixed part of a gradient pass over the trainable parameters' bytes. */
  fixed: number;
}

const FAMILY_FACTORS: Record<BackboneFamily, FamilyFactors> = {
  resnet: { activations: 4.6, frozenForward: 0.3, fixed: 2.05 },
  convnext: { activations: 10.6, frozenForward: 0.37, fixed: 2.15 },
  efficientnet_v2: { activations: 4.2, frozenForward: 0.1, fixed: 2.0 },
  vit: { activations: 11.05, frozenForward: 0.41, fixed: 2.0 },
  swin: { activations: 10.6, frozenForward: 0.69, fixed: 1.8 },
  beit: { activations: 10.8, frozenForward: 0.37, fixed: 2.7 },
};

export interface StepShape {
  backbone: string;
  inputSize: number;
  /** Trailing backbone parameter tensors that train; the backbone's count or more (or Infinity) is all of it. */
  trainableTensors: number;
  head: { levels: number; embedding: number; hidden: readonly number[]; classes: number };
  /** Optimizer state tensors per trainable parameter (AdamW 2, SGD with momentum 1). */
  optimizerSlots: number;
}

/** Parameters of the level head (layer by layer as core/models/levelHead builds it) on `featureWidth` features. */
function levelHeadParams(featureWidth: number, head: StepShape['head']): number {
  let params = head.levels * head.embedding;
  let width = featureWidth + head.embedding;
  for (const size of head.hidden) {
    params += width * size + size + 2 * size; // Linear (weight, bias), LayerNorm (scale, shift)
    width = size;
  }
  return params + width * head.classes + head.classes;
}

/** What a run's step plan needs besides the batch and the limit, estimated without the engine. */
export type StepMemoryEstimate = Pick<PlanRequest, 'memory' | 'residentBytes' | 'trainableBytes' | 'optimizerSlots'>;

export function estimateStepMemory(shape: StepShape): StepMemoryEstimate {
  const facts = requireFacts(shape.backbone);
  const tail = estimateTrainingMemory(shape.backbone, 1, Math.min(shape.trainableTensors, facts.paramTensors));
  const factors = FAMILY_FACTORS[facts.family];
  const headBytes = levelHeadParams(facts.featureWidth, shape.head) * FLOAT32_BYTES;
  const trainableBytes = tail.gradientBytes + headBytes;
  const pixels = (shape.inputSize / facts.inputSize) ** 2;
  const memory: StepMemory = {
    fixed: factors.fixed * trainableBytes,
    perImage:
      Math.max(factors.activations * tail.activationBytes, factors.frozenForward * facts.activationBytesPerImage) *
      pixels,
    update: (shape.optimizerSlots + 1) * trainableBytes,
  };
  return {
    memory,
    residentBytes: tail.weightsBytes + headBytes,
    trainableBytes,
    optimizerSlots: shape.optimizerSlots,
  };
}

// The one place backbone facts live. The figures are measured from the reference PyTorch implementations by
// test/fixtures/models/make_registry_facts.py and shipped in backboneFacts.generated.ts; this module only looks them
// up and derives answers from them (which blocks `unfreeze_last_n` reaches, a training-memory estimate).
import { closest, distance } from 'fastest-levenshtein';
import { GENERATED_BACKBONE_FACTS, GENERATED_BACKBONE_NAMES } from './backboneFacts.generated';

export const BACKBONE_NAMES = GENERATED_BACKBONE_NAMES;
export type BackboneName = (typeof BACKBONE_NAMES)[number];
export type BackboneFamily = 'resnet' | 'convnext' | 'vit' | 'swin' | 'beit' | 'efficientnet_v2';

/** Consecutive parameter tensors of one block (a residual block, transformer layer, stem or final norm). */
export interface BackboneTailGroup {
  /** Module path in the reference implementation, e.g. `layer4.2`, `features.7.2`, `encoder.layer.11`. */
  block: string;
  tensors: number;
  params: number;
  /** Bytes autograd saves per image when this group and every group after it are trainable (the rest frozen). */
  activationBytesPerImage: number;
}

export interface BackboneFacts {
  name: BackboneName;
  family: BackboneFamily;
  /** Where the architecture (and its pretrained weights) comes from. */
  source: 'torchvision' | 'huggingface';
  /** One line, e.g. "ResNet-152, torchvision". */
  description: string;
  /** Parameters of the backbone without its ImageNet classification head. */
  params: number;
  /** Parameter tensors without the head, in the reference implementation's order; `unfreeze_last_n` counts these. */
  paramTensors: number;
  /** Square input side the reference weights were trained and evaluated at. */
  inputSize: number;
  /** Width of the pooled feature vector the backbone hands to a head. */
  featureWidth: number;
  /**
   * Giga multiply-adds of one forward pass at `inputSize` without the head, in torchvision's convention: its model
   * table's "GFLOPS" column counts multiply-adds of convolutions, linear layers and attention matmuls (resnet152
   * 11.51). Strict floating-point operations are twice this.
   */
  gflops: number;
  /** Bytes autograd saves per image for backward when the whole backbone is trainable. */
  activationBytesPerImage: number;
  /** The last parameter tensors grouped by block, from the end, in whole blocks covering at least 128 tensors. */
  tail: readonly BackboneTailGroup[];
}

const FACTS_BY_NAME = new Map<string, BackboneFacts>(GENERATED_BACKBONE_FACTS.map((facts) => [facts.name, facts]));

export function isBackboneName(name: string): name is BackboneName {
  return FACTS_BY_NAME.has(name);
}

export function backboneFacts(name: BackboneName): BackboneFacts;
export function backboneFacts(name: string): BackboneFacts | undefined;
export function backboneFacts(name: string): BackboneFacts | undefined {
  return FACTS_BY_NAME.get(name);
}

/** The known backbone nearest to a misspelt name, or undefined when none is plausibly meant. */
export function suggestBackbone(name: string): BackboneName | undefined {
  const candidate = closest(name.toLowerCase(), [...BACKBONE_NAMES]) as BackboneName;
  // Within a third of the longer name's length: 'resnet15' -> 'resnet152', but 'densenet' matches nothing.
  const limit = Math.max(2, Math.floor(Math.max(name.length, candidate.length) / 3));
  return distance(name.toLowerCase(), candidate) <= limit ? candidate : undefined;
}

/** The facts of a known backbone; an unknown name is a RangeError naming the nearest known one. */
export function requireFacts(name: string): BackboneFacts {
  const facts = backboneFacts(name);
  if (facts === undefined) {
    const suggestion = suggestBackbone(name);
    throw new RangeError(
      `unknown backbone '${name}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}; ` +
        `known backbones: ${BACKBONE_NAMES.join(', ')}`,
    );
  }
  return facts;
}

/** Where a backbone's official ImageNet weights are published. */
export interface ImagenetWeights {
  /** HTTPS address of the checkpoint. */
  url: string;
  /** Name of the file in the weights cache: torchvision's own file name, which ends in its SHA-256 prefix. */
  file: string;
}

const TORCHVISION_MODELS = 'https://download.pytorch.org/models/';

// torchvision's DEFAULT weights for each architecture (torchvision.models.<Name>_Weights.DEFAULT), and for BEiT
// the checkpoint of the Hugging Face model the architecture reproduces. ViT-Ti/16, ViT-S/16 and BEiT-S/16 are
// configurations neither source publishes ImageNet weights for.
const IMAGENET_WEIGHTS: Partial<Record<BackboneName, ImagenetWeights>> = {
  resnet18: torchvision('resnet18-f37072fd.pth'),
  resnet50: torchvision('resnet50-11ad3fa6.pth'),
  resnet152: torchvision('resnet152-f82ba261.pth'),
  convnext_tiny: torchvision('convnext_tiny-983f1562.pth'),
  convnext_base: torchvision('convnext_base-6075fbad.pth'),
  vit_b_16: torchvision('vit_b_16-c867db91.pth'),
  swin_t: torchvision('swin_t-704ceda3.pth'),
  swin_b: torchvision('swin_b-68c6b09e.pth'),
  efficientnet_v2_s: torchvision('efficientnet_v2_s-dd5fe13b.pth'),
  efficientnet_v2_m: torchvision('efficientnet_v2_m-dc08266a.pth'),
  beit_b_16: {
    url: 'https://huggingface.co/microsoft/beit-base-patch16-224/resolve/main/pytorch_model.bin',
    file: 'beit_b_16-microsoft-beit-base-patch16-224.bin',
  },
};

function torchvision(file: string): ImagenetWeights {
  return { url: `${TORCHVISION_MODELS}${file}`, file };
}

/** The official ImageNet weights of a backbone, or undefined when none are published for it. */
export function imagenetWeights(name: string): ImagenetWeights | undefined {
  return isBackboneName(name) ? IMAGENET_WEIGHTS[name] : undefined;
}

// Counts above the backbone's tensor count are accepted and mean the whole backbone.
function requireTensorCount(n: number): void {
  if (!(Number.isInteger(n) || n === Infinity) || n < 0) {
    throw new RangeError(`the number of trainable tensors must be a whole number, 0 or more, got ${n}`);
  }
}

/** Where the last `n` tensors end, walking the tail groups from the end. */
interface TailReach {
  whole: readonly BackboneTailGroup[];
  /** The group the count ends inside, and how many of its tensors it takes. */
  partial?: { group: BackboneTailGroup; tensors: number };
  /** Tensors beyond the recorded tail (only when `n` exceeds what the tail covers). */
  beyondTail: number;
}

function reachOf(facts: BackboneFacts, n: number): TailReach {
  const whole: BackboneTailGroup[] = [];
  let remaining = n;
  for (const group of facts.tail) {
    if (remaining === 0) {
      return { whole, beyondTail: 0 };
    }
    if (remaining < group.tensors) {
      return { whole, partial: { group, tensors: remaining }, beyondTail: 0 };
    }
    whole.push(group);
    remaining -= group.tensors;
  }
  return { whole, beyondTail: remaining };
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/**
 * Which blocks the last `n` parameter tensors of a backbone reach, e.g. for resnet152 and 32:
 * "the last 32 tensors: layer4.2 (9), layer4.1 (9), layer4.0 (12), part of layer3.35 (2 of 9)".
 */
export function describeUnfrozen(name: string, n: number): string {
  const facts = requireFacts(name);
  requireTensorCount(n);
  if (n === 0) {
    return 'no tensors: the whole backbone is frozen';
  }
  if (n >= facts.paramTensors) {
    return `all ${plural(facts.paramTensors, 'tensor')}: the whole backbone is trainable`;
  }
  const reach = reachOf(facts, n);
  const parts = reach.whole.map((group) => `${group.block} (${group.tensors})`);
  if (reach.partial) {
    parts.push(`part of ${reach.partial.group.block} (${reach.partial.tensors} of ${reach.partial.group.tensors})`);
  }
  if (reach.beyondTail > 0) {
    parts.push(`and ${plural(reach.beyondTail, 'more tensor')} before ${reach.whole[reach.whole.length - 1]!.block}`);
  }
  return `the last ${plural(n, 'tensor')}: ${parts.join(', ')}`;
}

export interface TrainingMemoryEstimate {
  /** Parameters that get gradients; a partly trainable block counts whole (see below). */
  trainableParams: number;
  weightsBytes: number;
  gradientBytes: number;
  optimizerBytes: number;
  activationBytes: number;
  totalBytes: number;
}

const FLOAT32_BYTES = 4;
// AdamW keeps two float32 moments per trainable parameter.
const ADAMW_STATE_BYTES = 2 * FLOAT32_BYTES;

/**
 * A rough estimate of the backbone's memory while training in float32 with AdamW, when its last
 * `trainableTensors` parameter tensors are trainable (as `unfreeze_last_n`; the backbone's tensor count or more
 * means all of it):
 *   all weights + a gradient and two AdamW moments per trainable parameter
 *   + batch x the bytes PyTorch's autograd saved for backward per image with those tensors trainable.
 * The activation figure was measured on the reference implementation at batch 1, once per tail block; a count
 * ending inside a block is rounded up to the whole block, and one beyond the recorded tail counts the whole
 * backbone, so the estimate errs high. It leaves out the head, the input batch, the transient buffers of the
 * forward pass and the engine's own overhead and allocator slack, and another engine (tfjs) may keep somewhat
 * different tensors for backward: treat it as the order of magnitude to expect, not a guarantee.
 */
export function estimateTrainingMemory(
  name: string,
  batchSize: number,
  trainableTensors: number,
): TrainingMemoryEstimate {
  const facts = requireFacts(name);
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`the batch size must be a whole number of at least 1, got ${batchSize}`);
  }
  requireTensorCount(trainableTensors);
  let trainableParams = 0;
  let activationBytesPerImage = 0;
  if (trainableTensors >= facts.paramTensors) {
    trainableParams = facts.params;
    activationBytesPerImage = facts.activationBytesPerImage;
  } else if (trainableTensors > 0) {
    const reach = reachOf(facts, trainableTensors);
    if (reach.beyondTail > 0) {
      trainableParams = facts.params;
      activationBytesPerImage = facts.activationBytesPerImage;
    } else {
      const covered = reach.partial ? [...reach.whole, reach.partial.group] : reach.whole;
      trainableParams = covered.reduce((sum, group) => sum + group.params, 0);
      activationBytesPerImage = covered[covered.length - 1]!.activationBytesPerImage;
    }
  }
  const weightsBytes = facts.params * FLOAT32_BYTES;
  const gradientBytes = trainableParams * FLOAT32_BYTES;
  const optimizerBytes = trainableParams * ADAMW_STATE_BYTES;
  const activationBytes = batchSize * activationBytesPerImage;
  return {
    trainableParams,
    weightsBytes,
    gradientBytes,
    optimizerBytes,
    activationBytes,
    totalBytes: weightsBytes + gradientBytes + optimizerBytes + activationBytes,
  };
}

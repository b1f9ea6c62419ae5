// Checkpoint names -> RadLab model names. Our backbones are named as their reference implementation: torchvision
// for ResNet, ConvNeXt, ViT, Swin and EfficientNetV2, Hugging Face's BeitModel for BEiT. Checkpoints in those
// namings load 1:1; two Hugging Face namings are translated:
//
// Hugging Face Swin (SwinModel / SwinForImageClassification, e.g. microsoft/swin-base-patch4-window7-224) ->
// torchvision swin_* (HF stage i holds blocks j and then its PatchMerging; torchvision interleaves them in
// `features`: stage i's blocks are features.(2i+1), its merging layer features.(2i+2)):
//   [swin.]embeddings.patch_embeddings.projection.*          -> features.0.0.*
//   [swin.]embeddings.norm.*                                 -> features.0.2.*
//   [swin.]encoder.layers.i.blocks.j.layernorm_before.*      -> features.(2i+1).j.norm1.*
//   ...attention.self.{query,key,value}.{weight,bias}        -> ...attn.qkv.{weight,bias} (concatenated q, k, v on
//                                                               dim 0, the order torchvision splits qkv in)
//   ...attention.self.relative_position_bias_table           -> ...attn.relative_position_bias_table
//   ...attention.output.dense.*                              -> ...attn.proj.*
//   ...layernorm_after.*                                     -> ...norm2.*
//   ...intermediate.dense.*                                  -> ...mlp.0.*
//   ...output.dense.*                                        -> ...mlp.3.*
//   [swin.]encoder.layers.i.downsample.{reduction,norm}.*    -> features.(2i+2).{reduction,norm}.*
//   [swin.]layernorm.*                                       -> norm.*
//   classifier.*                                             -> head.*
// PatchMerging needs no column permutation of `reduction.weight`: both torchvision (_patch_merging_pad) and HF
// (SwinPatchMerging.forward) concatenate the 2x2 neighbours as [x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2],
// x[1::2, 1::2]] (rows then columns) before the same LayerNorm(4C) and Linear(4C, 2C). Both build the relative
// position index with the same formula, so the bias tables transfer unchanged.
//
// Hugging Face BEiT (BeitForImageClassification, e.g. microsoft/beit-base-patch16-224): `beit.` is stripped; the
// classifier is its head.
import type { BackboneFamily } from '../registry';
import type { CheckpointTensor } from './tensorData';

export type CheckpointNaming = 'reference' | 'huggingface-swin' | 'huggingface-beit';

export interface RenamedCheckpoint {
  naming: CheckpointNaming;
  /** Tensors under model names, values still in PyTorch's layout. */
  tensors: Map<string, CheckpointTensor>;
  /** Model name -> the checkpoint names it came from, for names that changed. */
  renamedFrom: Map<string, string[]>;
}

const SWIN_BLOCK_PARTS: readonly [RegExp, string][] = [
  [/^layernorm_before\.(.+)$/, 'norm1.$1'],
  [/^attention\.self\.(relative_position_bias_table|relative_position_index)$/, 'attn.$1'],
  [/^attention\.output\.dense\.(.+)$/, 'attn.proj.$1'],
  [/^layernorm_after\.(.+)$/, 'norm2.$1'],
  [/^intermediate\.dense\.(.+)$/, 'mlp.0.$1'],
  [/^output\.dense\.(.+)$/, 'mlp.3.$1'],
];

/** The torchvision name of one HF Swin name, or undefined when it has no counterpart (it is then kept as is). */
function swinName(hfName: string): string | undefined {
  const name = hfName.startsWith('swin.') ? hfName.slice('swin.'.length) : hfName;
  let match: RegExpMatchArray | null;
  if ((match = name.match(/^embeddings\.patch_embeddings\.projection\.(.+)$/))) return `features.0.0.${match[1]}`;
  if ((match = name.match(/^embeddings\.norm\.(.+)$/))) return `features.0.2.${match[1]}`;
  if ((match = name.match(/^layernorm\.(.+)$/))) return `norm.${match[1]}`;
  if ((match = name.match(/^classifier\.(.+)$/))) return `head.${match[1]}`;
  if ((match = name.match(/^encoder\.layers\.(\d+)\.downsample\.((?:reduction|norm)\..+)$/))) {
    return `features.${2 * Number(match[1]) + 2}.${match[2]}`;
  }
  if ((match = name.match(/^encoder\.layers\.(\d+)\.blocks\.(\d+)\.(.+)$/))) {
    const block = `features.${2 * Number(match[1]) + 1}.${match[2]}`;
    for (const [pattern, replacement] of SWIN_BLOCK_PARTS) {
      if (pattern.test(match[3]!)) return `${block}.${match[3]!.replace(pattern, replacement)}`;
    }
  }
  return undefined;
}

const QKV_PARTS = ['query', 'key', 'value'] as const;
const SWIN_QKV =
  /^(?:swin\.)?encoder\.layers\.(\d+)\.blocks\.(\d+)\.attention\.self\.(query|key|value)\.(weight|bias)$/;

function concatenateRows(parts: CheckpointTensor[], where: string): CheckpointTensor {
  const [first] = parts;
  const sameTail = parts.every(
    (part) =>
      part.shape.length === first!.shape.length &&
      part.shape.slice(1).every((size, axis) => size === first!.shape[axis + 1]),
  );
  if (!sameTail) {
    throw new RangeError(
      `${where}: query, key and value have shapes ${parts.map((part) => `[${part.shape}]`).join(', ')}, which cannot be stacked`,
    );
  }
  const values = new Float32Array(parts.reduce((sum, part) => sum + part.values.length, 0));
  let offset = 0;
  for (const part of parts) {
    values.set(part.values, offset);
    offset += part.values.length;
  }
  const rows = parts.reduce((sum, part) => sum + part.shape[0]!, 0);
  return { dtype: first!.dtype, shape: [rows, ...first!.shape.slice(1)], values };
}

function renameHuggingFaceSwin(tensors: ReadonlyMap<string, CheckpointTensor>): RenamedCheckpoint {
  const out = new Map<string, CheckpointTensor>();
  const renamedFrom = new Map<string, string[]>();
  // q, k, v of one block and kind, collected to be stacked into qkv.
  const qkvGroups = new Map<string, Map<string, string>>();
  for (const [name, tensor] of tensors) {
    const qkv = name.match(SWIN_QKV);
    if (qkv) {
      const target = `features.${2 * Number(qkv[1]) + 1}.${qkv[2]}.attn.qkv.${qkv[4]}`;
      const group = qkvGroups.get(target) ?? new Map<string, string>();
      group.set(qkv[3]!, name);
      qkvGroups.set(target, group);
      continue;
    }
    const target = swinName(name);
    out.set(target ?? name, tensor);
    if (target !== undefined && target !== name) {
      renamedFrom.set(target, [name]);
    }
  }
  for (const [target, group] of qkvGroups) {
    if (QKV_PARTS.every((part) => group.has(part))) {
      const sources = QKV_PARTS.map((part) => group.get(part)!);
      out.set(
        target,
        concatenateRows(
          sources.map((source) => tensors.get(source)!),
          target,
        ),
      );
      renamedFrom.set(target, sources);
    } else {
      // An incomplete triple cannot form qkv: keep the parts under their own names so the report lists them.
      group.forEach((source) => out.set(source, tensors.get(source)!));
    }
  }
  return { naming: 'huggingface-swin', tensors: out, renamedFrom };
}

function renameHuggingFaceBeit(tensors: ReadonlyMap<string, CheckpointTensor>): RenamedCheckpoint {
  const out = new Map<string, CheckpointTensor>();
  const renamedFrom = new Map<string, string[]>();
  for (const [name, tensor] of tensors) {
    const target = name.startsWith('beit.') ? name.slice('beit.'.length) : name;
    out.set(target, tensor);
    if (target !== name) {
      renamedFrom.set(target, [name]);
    }
  }
  return { naming: 'huggingface-beit', tensors: out, renamedFrom };
}

function isHuggingFaceSwin(names: readonly string[]): boolean {
  return names.some((name) =>
    /^(?:swin\.)?(?:embeddings\.patch_embeddings\.|encoder\.layers\.\d+\.blocks\.)/.test(name),
  );
}

/** Renames a checkpoint's tensors to the names the family's model declares. */
export function renameCheckpoint(
  tensors: ReadonlyMap<string, CheckpointTensor>,
  family: BackboneFamily,
): RenamedCheckpoint {
  const names = [...tensors.keys()];
  if (family === 'swin' && isHuggingFaceSwin(names)) {
    return renameHuggingFaceSwin(tensors);
  }
  if (family === 'beit' && names.some((name) => name.startsWith('beit.'))) {
    return renameHuggingFaceBeit(tensors);
  }
  return { naming: 'reference', tensors: new Map(tensors), renamedFrom: new Map() };
}

/** Prefixes of each family's ImageNet classification head (in model naming): checkpoints carry it, backbones don't. */
const HEAD_PREFIXES: Readonly<Record<BackboneFamily, readonly string[]>> = {
  resnet: ['fc.'],
  convnext: ['classifier.2.'],
  vit: ['heads.'],
  swin: ['head.'],
  efficientnet_v2: ['classifier.1.'],
  beit: ['classifier.'],
};

export function isClassificationHead(name: string, family: BackboneFamily): boolean {
  return HEAD_PREFIXES[family].some((prefix) => name.startsWith(prefix));
}

/**
 * Buffers a model computes from its configuration (relative position indices, attention masks): never taken from a
 * checkpoint, so they are left out of the comparison on both sides.
 */
export function isDerivedBuffer(name: string): boolean {
  return /(?:^|\.)(?:relative_position_index|attn_mask)$/.test(name);
}

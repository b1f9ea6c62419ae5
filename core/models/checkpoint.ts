// Whole-classifier checkpoints as .safetensors with PyTorch names and layouts: `backbone.<torch name>` and
// `head.<name>`, batch-norm statistics included, so the file opens in PyTorch (safetensors.torch.load_file) and
// loads into the equivalent nn.Module.
import type { LevelClassifier } from './classifier';
import { readSafetensors, writeSafetensors, type TensorToWrite } from './safetensors';
import { exportState, importState } from './stateDict';

export const CHECKPOINT_FORMAT = 'radlab-level-classifier/1';
const BACKBONE_PREFIX = 'backbone.';
const HEAD_PREFIX = 'head.';

export async function saveClassifier(
  path: string,
  model: LevelClassifier,
  metadata: Record<string, string> = {},
): Promise<void> {
  const tensors: TensorToWrite[] = [
    ...exportState(model.backbone.state, BACKBONE_PREFIX),
    ...exportState(model.head.state, HEAD_PREFIX),
  ].map((tensor) => ({ ...tensor, dtype: tensor.dtype === 'int64' ? 'I64' : 'F32' }));
  await writeSafetensors(path, tensors, {
    ...metadata,
    format: CHECKPOINT_FORMAT,
    backbone: model.backbone.name,
    head: JSON.stringify(model.head.config),
  });
}

/** Loads a checkpoint saved by saveClassifier into a classifier of the same architecture. */
export async function loadClassifier(path: string, model: LevelClassifier): Promise<Record<string, string>> {
  const { tensors, metadata } = await readSafetensors(path);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${path}: not a RadLab classifier checkpoint (format ${JSON.stringify(metadata.format)})`);
  }
  if (metadata.backbone !== model.backbone.name) {
    throw new Error(`${path}: holds a ${metadata.backbone} classifier, the model is ${model.backbone.name}`);
  }
  importState(model.backbone.state, tensors, { source: path, prefix: BACKBONE_PREFIX });
  importState(model.head.state, tensors, { source: path, prefix: HEAD_PREFIX });
  return metadata;
}

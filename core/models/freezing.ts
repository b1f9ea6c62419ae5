// Which parameters train.
//
// `freeze_backbone: true` freezes the backbone except its last `unfreeze_last_n` parameter tensors, counted in
// the reference PyTorch implementation's registration order (the order of model.parameters(), which is the
// order the backbone declares them in); the head always trains. For resnet152 and 32 that is layer4.2 (9),
// layer4.1 (9), layer4.0 (12) and the last 2 of layer3.35 (bn3.weight, bn3.bias), as the registry's
// describeUnfrozen says. Batch-norm running statistics are buffers, not parameters: a batch norm whose scale is
// frozen runs in inference mode during training, so its statistics stay those of the loaded weights.
import type * as tf from '@tensorflow/tfjs-core';
import type { LevelClassifier } from './classifier';
import type { ParamRecord } from './module';

export interface FreezeOptions {
  freezeBackbone: boolean;
  /** Trailing backbone tensors left trainable when the backbone is frozen; at least 0, may exceed the count. */
  unfreezeLastN: number;
}

/** The trainable parameter records: the chosen backbone tail (in PyTorch order) then every head parameter. */
export function trainableParameters(model: LevelClassifier, options: FreezeOptions): ParamRecord[] {
  const { unfreezeLastN } = options;
  if (!Number.isInteger(unfreezeLastN) || unfreezeLastN < 0) {
    throw new RangeError(`unfreeze_last_n must be a whole number, 0 or more, got ${unfreezeLastN}`);
  }
  const backbone = model.backbone.parameters;
  const fromBackbone = options.freezeBackbone
    ? backbone.slice(Math.max(0, backbone.length - unfreezeLastN))
    : [...backbone];
  return [...fromBackbone, ...model.head.parameters];
}

/**
 * Freezes the model for training: marks the backbone parameters left out of training as frozen (their batch
 * norms then keep their running statistics) and returns the trainable ones, as trainableParameters.
 */
export function freezeModel(model: LevelClassifier, options: FreezeOptions): ParamRecord[] {
  const trainable = trainableParameters(model, options);
  const kept = new Set(trainable);
  model.backbone.setFrozen(model.backbone.parameters.filter((parameter) => !kept.has(parameter)));
  return trainable;
}

/** Freezes the model (freezeModel) and returns the variables an optimizer should update (its varList). */
export function trainableVariables(model: LevelClassifier, options: FreezeOptions): tf.Variable[] {
  return freezeModel(model, options).map((parameter) => parameter.variable);
}

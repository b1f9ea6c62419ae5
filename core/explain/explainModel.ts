// Which saliency method explains which backbone family. Convolutional backbones get Grad-CAM, on the step gradCam.ts
// picks (the last stage when the input is large enough). ViT and BEiT attend globally, so attention rollout follows
// every layer's attention from the pooled feature back to the patches.
//
// Swin gets Grad-CAM on its stages' token maps rather than rollout: its attention is confined to windows that
// shift between blocks, and patch merging replaces each 2x2 group of tokens by one between stages, so there is no
// single token set whose attention matrices could be multiplied through the network; a rollout would have to
// invent how to carry relevance through merging and across windows. Each stage keeps a 2-D grid of tokens (the last
// 7x7 for a 224 input), exactly the kind of map Grad-CAM needs, and Grad-CAM, unlike rollout, says which grade the evidence
// is for.
import type * as tf from '@tensorflow/tfjs-core';
import type { LevelClassifier } from '../models/classifier';
import { requireFacts, type BackboneFamily } from '../models/registry';
import { attentionRollout, type TokenPooling } from './attentionRollout';
import { gradCam, type GradCamStep } from './gradCam';
import type { SaliencyMap } from './saliencyMap';

const ROLLOUT_POOLING: Partial<Record<BackboneFamily, TokenPooling>> = { vit: 'class-token', beit: 'patch-mean' };

/**
 * The saliency map of a registry backbone's classifier for one image [1, H, W, 3] (normalised) and level index;
 * `step` picks Grad-CAM's step (see gradCam.ts) and does not apply to attention rollout.
 */
export function explainImage(
  model: LevelClassifier,
  image: tf.Tensor4D,
  level: number,
  grade?: number,
  step: GradCamStep = 'auto',
): SaliencyMap {
  const pooling = ROLLOUT_POOLING[requireFacts(model.backbone.name).family];
  return pooling === undefined
    ? gradCam(model, image, level, grade, step)
    : attentionRollout(model, image, level, pooling, grade);
}

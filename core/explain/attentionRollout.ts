// Attention rollout (Abnar & Zuidema 2020) for transformers with global self-attention (ViT, BEiT): per layer the
// heads' attention weights are averaged, the residual connection added as 0.5 W + 0.5 I (rows renormalised), and
// the layers multiplied from the first, R = A_L ... A_1, so R[i, j] is how much input token j reaches output token
// i through every layer. The pooled feature decides which output rows count: ViT's is the class token (row 0), BEiT's
// is the mean of the patch tokens (the mean of rows 1..). The map is that row's weight on each patch, on the patch
// grid. Rollout follows attention only, so it is the same for every grade; the level embedding enters after the
// backbone and does not change it either (the logits and probabilities reported do depend on it).
import * as tf from '@tensorflow/tfjs-core';
import type { LevelClassifier } from '../models/classifier';
import { checkSingleImage, explainedGrade, saliencyMap, type SaliencyMap } from './saliencyMap';

/** How the backbone pools its tokens into the feature the head sees. */
export type TokenPooling = 'class-token' | 'patch-mean';

export function attentionRollout(
  model: LevelClassifier,
  image: tf.Tensor4D,
  level: number,
  pooling: TokenPooling,
  grade?: number,
): SaliencyMap {
  checkSingleImage(image, level, model.head.levels);
  const layers: tf.Tensor2D[] = [];
  const keepHeadMean = (weights: tf.Tensor4D) => {
    layers.push(tf.keep(tf.squeeze(tf.mean(weights, 1), [0]) as tf.Tensor2D));
  };
  try {
    const logits = tf.tidy(() => {
      const pass = model.backbone.beginPass(image, false, keepHeadMean);
      let x: tf.Tensor = image;
      for (let index = 0; index < pass.stageCount; index += 1) x = pass.runStage(index, x);
      return [...model.head.forward(x as tf.Tensor2D, tf.tensor1d([level], 'int32'), false).dataSync()];
    });
    if (layers.length === 0) {
      throw new Error(`${model.backbone.name} has no global self-attention to roll out; explain it with Grad-CAM`);
    }
    const tokens = layers[0]!.shape[0];
    const grid = Math.round(Math.sqrt(tokens - 1));
    if (grid * grid !== tokens - 1) {
      throw new Error(`${model.backbone.name}: ${tokens} tokens are not a class token and a square patch grid`);
    }
    const coarse = tf.tidy(() => {
      const identity = tf.eye(tokens);
      let rollout: tf.Tensor2D = identity;
      for (const weights of layers) {
        const mixed = tf.add(tf.mul(weights, 0.5), tf.mul(identity, 0.5));
        rollout = tf.matMul(tf.div(mixed, tf.sum(mixed, 1, true)), rollout);
      }
      const patches = tf.slice(rollout, [0, 1], [tokens, tokens - 1]);
      const row =
        pooling === 'class-token' ? tf.slice(patches, [0, 0], [1, -1]) : tf.mean(tf.slice(patches, [1, 0]), 0);
      return tf.reshape(row, [1, grid, grid, 1]) as tf.Tensor4D;
    });
    try {
      return saliencyMap('attention-rollout', { logits, coarse }, explainedGrade(logits, grade), image.shape);
    } finally {
      coarse.dispose();
    }
  } finally {
    tf.dispose(layers);
  }
}

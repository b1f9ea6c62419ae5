// The localizer network: a registry backbone and the level head, as for grading, with two outputs per level
// instead of three grades. The backbone runs once per image; its features are paired with each level's embedding,
// and the head regresses that level's (x, y) as fractions of the input square (localizerInput.ts).
//
// Why regression and not heatmaps: every backbone here ends in global pooling at stride 32, so a heatmap would
// need a decoder the backbones do not have; with coordinate channels in the input, regressing from the pooled
// features trains in a few hundred CPU steps and reaches sub-pixel precision on the synthetic data.
import * as tf from '@tensorflow/tfjs-core';
import { LevelClassifier } from '../models/classifier';

export const COORDINATES_PER_LEVEL = 2;

export interface LocalizerHead {
  embedding: number;
  hidden: number[];
  dropout: number;
}

export class LevelLocalizer {
  /** `levelIndices` are the levels' positions in LEVELS (what the level embedding is indexed by). */
  constructor(
    readonly network: LevelClassifier,
    readonly levelIndices: readonly number[],
    /** Per level, the (x, y) fractions the head's output is added to: the mean marked position in training. */
    readonly origin: readonly (readonly [number, number])[] = levelIndices.map(() => [0.5, 0.5]),
  ) {}

  static create(
    backbone: string,
    head: LocalizerHead,
    levelIndices: readonly number[],
    seed: number,
    origin?: readonly (readonly [number, number])[],
  ): LevelLocalizer {
    const network = LevelClassifier.create(
      backbone,
      {
        levels: 5,
        embedding: head.embedding,
        hidden: head.hidden,
        dropout: head.dropout,
        classes: COORDINATES_PER_LEVEL,
      },
      seed,
    );
    // The last layer starts at zero, so training starts from the mean positions rather than from random offsets.
    for (const parameter of network.head.parameters) {
      if (parameter.name.startsWith('classifier.')) parameter.variable.assign(tf.zerosLike(parameter.variable));
    }
    return new LevelLocalizer(network, levelIndices, origin);
  }

  /** Fractions [N, levels, 2] (x then y) for images NHWC float32 (normalised). */
  forward(images: tf.Tensor4D, training: boolean): tf.Tensor3D {
    const count = images.shape[0];
    const levels = this.levelIndices.length;
    const features = this.network.backbone.forward(images, training);
    const pairs = count * levels;
    const imageOf = tf.tensor1d(
      Array.from({ length: pairs }, (_, k) => Math.floor(k / levels)),
      'int32',
    );
    const levelOf = tf.tensor1d(
      Array.from({ length: pairs }, (_, k) => this.levelIndices[k % levels]!),
      'int32',
    );
    const out = this.network.head.forward(tf.gather(features, imageOf) as tf.Tensor2D, levelOf, training);
    // Offsets from the mean position: an untrained network starts at the mean-position baseline, not anywhere.
    const origin = tf.tensor3d(this.origin.flat(), [1, levels, COORDINATES_PER_LEVEL]);
    return tf.add(tf.reshape(out, [count, levels, COORDINATES_PER_LEVEL]), origin);
  }

  dispose(): void {
    this.network.dispose();
  }
}

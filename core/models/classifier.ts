// The trained model: backbone features + level embedding head -> severity logits.
import type * as tf from '@tensorflow/tfjs-core';
import { defineBackbone } from './build';
import { LevelHead, type LevelHeadConfig } from './levelHead';
import type { Backbone } from './module';

export class LevelClassifier {
  constructor(
    readonly backbone: Backbone,
    readonly head: LevelHead,
  ) {
    if (head.config.featureWidth !== backbone.featureWidth) {
      throw new RangeError(
        `the head expects ${head.config.featureWidth} features but ${backbone.name} gives ${backbone.featureWidth}`,
      );
    }
  }

  /** A registry backbone and a head sized for it, both initialised from `seed` (backbone: seed, head: seed + 1). */
  static create(backboneName: string, head: Omit<LevelHeadConfig, 'featureWidth'>, seed: number): LevelClassifier {
    const backbone = defineBackbone(backboneName).initialize(seed);
    const levelHead = new LevelHead({ ...head, featureWidth: backbone.featureWidth }).initialize(seed + 1);
    return new LevelClassifier(backbone, levelHead);
  }

  /** Logits [N, classes] for images NHWC float32 (normalised) and their level indices [N] int32. */
  forward(images: tf.Tensor4D, levels: tf.Tensor1D, training: boolean): tf.Tensor2D {
    return this.head.forward(this.backbone.forward(images, training), levels, training);
  }

  dispose(): void {
    this.backbone.dispose();
    this.head.dispose();
  }
}

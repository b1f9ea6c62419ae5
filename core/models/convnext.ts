// ConvNeXt (torchvision), without the final Linear: the classifier's LayerNorm (classifier.0) stays, applied to
// the pooled features.
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, ModelState, StageList, type ForwardContext, type Scope } from './module';
import { Conv2d, LayerNorm, Linear, gelu, globalAveragePool, stochasticDepth } from './layers';
import { constant, truncatedNormal, zeros } from './random';

export interface ConvnextConfig {
  /** Channels per stage. */
  dims: readonly number[];
  /** Blocks per stage. */
  depths: readonly number[];
  /** Stochastic depth rate of the last block (it rises linearly from 0). */
  stochasticDepth?: number;
  /** Initial layer-scale value. */
  layerScale?: number;
}

export const CONVNEXT_VARIANTS = {
  convnext_tiny: { dims: [96, 192, 384, 768], depths: [3, 3, 9, 3], stochasticDepth: 0.1 },
  convnext_base: { dims: [128, 256, 512, 1024], depths: [3, 3, 27, 3], stochasticDepth: 0.5 },
} as const satisfies Record<string, ConvnextConfig>;

const EPS = 1e-6;
// torchvision: trunc_normal_(std=0.02) for every Conv2d and Linear weight, zero biases.
const WEIGHT_INIT = truncatedNormal(0.02);

function conv(scope: Scope, inChannels: number, outChannels: number, kernel: number, stride: number): Conv2d {
  return new Conv2d(scope, { inChannels, outChannels, kernel, stride, weightInit: WEIGHT_INIT, biasInit: zeros });
}

type Stage = (x: tf.Tensor4D, context: ForwardContext) => tf.Tensor4D;

function convnextBlock(scope: Scope, dim: number, layerScaleInit: number, dropRate: number): Stage {
  // CNBlock registers layer_scale itself, so it comes before its children's parameters.
  const layerScale = scope.param('layer_scale', [dim, 1, 1], 'plain', constant(layerScaleInit));
  const body = scope.child('block');
  const depthwise = new Conv2d(body.child(0), {
    inChannels: dim,
    outChannels: dim,
    kernel: 7,
    padding: 3,
    groups: dim,
    weightInit: WEIGHT_INIT,
    biasInit: zeros,
  });
  const norm = new LayerNorm(body.child(2), dim, EPS);
  const expand = new Linear(body.child(3), dim, 4 * dim, { weightInit: WEIGHT_INIT, biasInit: zeros });
  const project = new Linear(body.child(5), 4 * dim, dim, { weightInit: WEIGHT_INIT, biasInit: zeros });
  return (x, context) => {
    let y = project.apply(gelu(expand.apply(norm.apply(depthwise.apply(x)))));
    y = tf.mul(y, tf.reshape(layerScale.variable, [dim]));
    return tf.add(stochasticDepth(y, dropRate, context), x);
  };
}

export function convnext(config: ConvnextConfig, name = 'convnext'): Backbone {
  const { dims, depths } = config;
  if (dims.length !== depths.length || dims.length === 0) {
    throw new RangeError(`convnext needs as many depths as dims, got ${depths.length} and ${dims.length}`);
  }
  const state = new ModelState();
  const features = state.scope().child('features');
  const stemConv = conv(features.child(0).child(0), 3, dims[0]!, 4, 4);
  const stemNorm = new LayerNorm(features.child(0).child(1), dims[0]!, EPS);
  const totalBlocks = depths.reduce((sum, depth) => sum + depth, 0);
  const maxDrop = config.stochasticDepth ?? 0;
  const stages = new StageList(state);
  stages.add((images: tf.Tensor4D) => stemNorm.apply(stemConv.apply(images)));
  let blockId = 0;
  dims.forEach((dim, stage) => {
    const stageScope = features.child(1 + 2 * stage);
    for (let index = 0; index < depths[stage]!; index += 1) {
      const dropRate = totalBlocks > 1 ? (maxDrop * blockId) / (totalBlocks - 1) : 0;
      stages.add(convnextBlock(stageScope.child(index), dim, config.layerScale ?? 1e-6, dropRate));
      blockId += 1;
    }
    const next = dims[stage + 1];
    if (next !== undefined) {
      const downsampleScope = features.child(2 + 2 * stage);
      const norm = new LayerNorm(downsampleScope.child(0), dim, EPS);
      const reduce = conv(downsampleScope.child(1), dim, next, 2, 2);
      stages.add((x: tf.Tensor4D) => reduce.apply(norm.apply(x)));
    }
  });
  const width = dims[dims.length - 1]!;
  const finalNorm = new LayerNorm(state.scope().child('classifier').child(0), width, EPS);
  stages.add((x: tf.Tensor4D) => finalNorm.apply(globalAveragePool(x)));
  return new Backbone(name, width, state, stages);
}

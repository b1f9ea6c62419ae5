// EfficientNetV2 (torchvision's EfficientNet with FusedMBConv and MBConv stages), without the classifier: the
// features are the pooled output of the last 1x1 convolution. The classifier's Dropout is left to the head.
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, ModelState, StageList, type ForwardContext, type Scope } from './module';
import { BatchNorm2d, Conv2d, globalAveragePool, silu, stochasticDepth } from './layers';
import { kaimingNormalFanOut, zeros } from './random';

export interface EfficientnetStage {
  /** FusedMBConv (a full 3x3 conv expands) or MBConv (1x1 expand, depthwise 3x3, squeeze-excitation). */
  kind: 'fused' | 'mb';
  expandRatio: number;
  kernel: number;
  /** Stride of the stage's first block. */
  stride: number;
  inChannels: number;
  outChannels: number;
  layers: number;
}

export interface EfficientnetConfig {
  stages: readonly EfficientnetStage[];
  lastChannels: number;
  /** Stochastic depth rate, scaled by block index / block count. */
  stochasticDepth?: number;
}

const stage = (
  kind: 'fused' | 'mb',
  expandRatio: number,
  kernel: number,
  stride: number,
  inChannels: number,
  outChannels: number,
  layers: number,
): EfficientnetStage => ({ kind, expandRatio, kernel, stride, inChannels, outChannels, layers });

// torchvision's _efficientnet_conf, in its (expand, kernel, stride, in, out, layers) order.
export const EFFICIENTNET_VARIANTS = {
  efficientnet_v2_s: {
    stages: [
      stage('fused', 1, 3, 1, 24, 24, 2),
      stage('fused', 4, 3, 2, 24, 48, 4),
      stage('fused', 4, 3, 2, 48, 64, 4),
      stage('mb', 4, 3, 2, 64, 128, 6),
      stage('mb', 6, 3, 1, 128, 160, 9),
      stage('mb', 6, 3, 2, 160, 256, 15),
    ],
    lastChannels: 1280,
    stochasticDepth: 0.2,
  },
  efficientnet_v2_m: {
    stages: [
      stage('fused', 1, 3, 1, 24, 24, 3),
      stage('fused', 4, 3, 2, 24, 48, 5),
      stage('fused', 4, 3, 2, 48, 80, 5),
      stage('mb', 4, 3, 2, 80, 160, 7),
      stage('mb', 6, 3, 1, 160, 176, 14),
      stage('mb', 6, 3, 2, 176, 304, 18),
      stage('mb', 6, 3, 1, 304, 512, 5),
    ],
    lastChannels: 1280,
    stochasticDepth: 0.2,
  },
} as const satisfies Record<string, EfficientnetConfig>;

// EfficientNetV2 uses BatchNorm2d(eps=1e-3) throughout.
const BN_EPS = 1e-3;

type Block = (x: tf.Tensor4D, context: ForwardContext) => tf.Tensor4D;

/** torchvision's _make_divisible(value, 8): round to a multiple of 8, never more than 10% down. */
function makeDivisible(value: number, divisor = 8): number {
  let rounded = Math.max(divisor, Math.floor((value + divisor / 2) / divisor) * divisor);
  if (rounded < 0.9 * value) {
    rounded += divisor;
  }
  return rounded;
}

/** Conv2dNormActivation: conv (no bias) -> BatchNorm -> SiLU (or no activation). */
function convNormActivation(
  scope: Scope,
  inChannels: number,
  outChannels: number,
  kernel: number,
  options: { stride?: number; depthwise?: boolean; activation: boolean },
): Block {
  const conv = new Conv2d(scope.child(0), {
    inChannels,
    outChannels,
    kernel,
    stride: options.stride ?? 1,
    padding: (kernel - 1) / 2,
    groups: options.depthwise ? inChannels : 1,
    bias: false,
    // torchvision: kaiming_normal_(mode='fan_out'), fan_out = weight.size(0) x kernel area (depthwise too).
    weightInit: kaimingNormalFanOut(outChannels * kernel * kernel),
  });
  const norm = new BatchNorm2d(scope.child(1), outChannels, BN_EPS);
  return (x, context) => {
    const y = norm.apply(conv.apply(x), context);
    return options.activation ? silu(y) : y;
  };
}

function squeezeExcitation(scope: Scope, channels: number, squeezed: number): Block {
  const init = { bias: true, biasInit: zeros };
  const fc1 = new Conv2d(scope.child('fc1'), {
    inChannels: channels,
    outChannels: squeezed,
    kernel: 1,
    weightInit: kaimingNormalFanOut(squeezed),
    ...init,
  });
  const fc2 = new Conv2d(scope.child('fc2'), {
    inChannels: squeezed,
    outChannels: channels,
    kernel: 1,
    weightInit: kaimingNormalFanOut(channels),
    ...init,
  });
  return (x) => tf.mul(x, tf.sigmoid(fc2.apply(silu(fc1.apply(tf.mean(x, [1, 2], true))))));
}

function block(scope: Scope, config: EfficientnetStage, inChannels: number, stride: number, dropRate: number): Block {
  const body = scope.child('block');
  const expanded = makeDivisible(inChannels * config.expandRatio);
  const { kernel, outChannels } = config;
  const parts: Block[] = [];
  if (config.kind === 'fused') {
    if (expanded !== inChannels) {
      parts.push(convNormActivation(body.child(0), inChannels, expanded, kernel, { stride, activation: true }));
      parts.push(convNormActivation(body.child(1), expanded, outChannels, 1, { activation: false }));
    } else {
      parts.push(convNormActivation(body.child(0), inChannels, outChannels, kernel, { stride, activation: true }));
    }
  } else {
    let index = 0;
    if (expanded !== inChannels) {
      parts.push(convNormActivation(body.child(index++), inChannels, expanded, 1, { activation: true }));
    }
    parts.push(
      convNormActivation(body.child(index++), expanded, expanded, kernel, {
        stride,
        depthwise: true,
        activation: true,
      }),
    );
    parts.push(squeezeExcitation(body.child(index++), expanded, Math.max(1, Math.floor(inChannels / 4))));
    parts.push(convNormActivation(body.child(index++), expanded, outChannels, 1, { activation: false }));
  }
  const residual = stride === 1 && inChannels === outChannels;
  return (x, context) => {
    let y = x;
    for (const part of parts) {
      y = part(y, context);
    }
    return residual ? tf.add(stochasticDepth(y, dropRate, context), x) : y;
  };
}

export function efficientnet(config: EfficientnetConfig, name = 'efficientnet_v2'): Backbone {
  const { stages, lastChannels } = config;
  if (stages.length === 0) {
    throw new RangeError('efficientnet needs at least one stage');
  }
  const state = new ModelState();
  const features = state.scope().child('features');
  const stem = convNormActivation(features.child(0), 3, stages[0]!.inChannels, 3, { stride: 2, activation: true });
  const totalBlocks = stages.reduce((sum, s) => sum + s.layers, 0);
  const steps = new StageList(state);
  steps.add(stem);
  let blockId = 0;
  stages.forEach((settings, stageIndex) => {
    for (let index = 0; index < settings.layers; index += 1) {
      const inChannels = index === 0 ? settings.inChannels : settings.outChannels;
      const stride = index === 0 ? settings.stride : 1;
      const dropRate = ((config.stochasticDepth ?? 0) * blockId) / totalBlocks;
      steps.add(block(features.child(1 + stageIndex).child(index), settings, inChannels, stride, dropRate));
      blockId += 1;
    }
  });
  const last = stages[stages.length - 1]!.outChannels;
  const head = convNormActivation(features.child(1 + stages.length), last, lastChannels, 1, { activation: true });
  steps.add((x: tf.Tensor4D, context: ForwardContext) => globalAveragePool(head(x, context)));
  return new Backbone(name, lastChannels, state, steps);
}

// ResNet (torchvision's v1.5: the stride sits on the 3x3 convolution of a bottleneck), without the final fc.
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, ModelState, StageList, type ForwardContext, type Scope } from './module';
import { BatchNorm2d, Conv2d, globalAveragePool } from './layers';
import { kaimingNormalFanOut } from './random';

export interface ResnetConfig {
  block: 'basic' | 'bottleneck';
  /** Blocks per stage (four stages). */
  layers: readonly [number, number, number, number];
  /** Base width per stage; a bottleneck's output is 4x its width. */
  widths: readonly [number, number, number, number];
  stemWidth: number;
}

export const RESNET_VARIANTS = {
  resnet18: { block: 'basic', layers: [2, 2, 2, 2], widths: [64, 128, 256, 512], stemWidth: 64 },
  resnet50: { block: 'bottleneck', layers: [3, 4, 6, 3], widths: [64, 128, 256, 512], stemWidth: 64 },
  resnet152: { block: 'bottleneck', layers: [3, 8, 36, 3], widths: [64, 128, 256, 512], stemWidth: 64 },
} as const satisfies Record<string, ResnetConfig>;

type Block = (x: tf.Tensor4D, context: ForwardContext) => tf.Tensor4D;

// torchvision initialises every convolution with kaiming_normal_(mode='fan_out', nonlinearity='relu').
function conv(scope: Scope, inChannels: number, outChannels: number, kernel: number, stride = 1): Conv2d {
  return new Conv2d(scope, {
    inChannels,
    outChannels,
    kernel,
    stride,
    padding: (kernel - 1) / 2,
    bias: false,
    weightInit: kaimingNormalFanOut(outChannels * kernel * kernel),
  });
}

function downsampleOf(scope: Scope, inChannels: number, outChannels: number, stride: number): Block | undefined {
  if (stride === 1 && inChannels === outChannels) {
    return undefined;
  }
  const projection = conv(scope.child(0), inChannels, outChannels, 1, stride);
  const norm = new BatchNorm2d(scope.child(1), outChannels);
  return (x, context) => norm.apply(projection.apply(x), context);
}

function basicBlock(scope: Scope, inChannels: number, width: number, stride: number): Block {
  const conv1 = conv(scope.child('conv1'), inChannels, width, 3, stride);
  const bn1 = new BatchNorm2d(scope.child('bn1'), width);
  const conv2 = conv(scope.child('conv2'), width, width, 3);
  const bn2 = new BatchNorm2d(scope.child('bn2'), width);
  const downsample = downsampleOf(scope.child('downsample'), inChannels, width, stride);
  return (x, context) => {
    const y = bn2.apply(conv2.apply(tf.relu(bn1.apply(conv1.apply(x), context))), context);
    return tf.relu(tf.add(y, downsample ? downsample(x, context) : x) as tf.Tensor4D);
  };
}

function bottleneckBlock(scope: Scope, inChannels: number, width: number, stride: number): Block {
  const out = width * 4;
  const conv1 = conv(scope.child('conv1'), inChannels, width, 1);
  const bn1 = new BatchNorm2d(scope.child('bn1'), width);
  const conv2 = conv(scope.child('conv2'), width, width, 3, stride);
  const bn2 = new BatchNorm2d(scope.child('bn2'), width);
  const conv3 = conv(scope.child('conv3'), width, out, 1);
  const bn3 = new BatchNorm2d(scope.child('bn3'), out);
  const downsample = downsampleOf(scope.child('downsample'), inChannels, out, stride);
  return (x, context) => {
    let y = tf.relu(bn1.apply(conv1.apply(x), context));
    y = tf.relu(bn2.apply(conv2.apply(y), context));
    y = bn3.apply(conv3.apply(y), context);
    return tf.relu(tf.add(y, downsample ? downsample(x, context) : x) as tf.Tensor4D);
  };
}

export function resnet(config: ResnetConfig, name = 'resnet'): Backbone {
  const state = new ModelState();
  const root = state.scope();
  const stem = conv(root.child('conv1'), 3, config.stemWidth, 7, 2);
  const stemNorm = new BatchNorm2d(root.child('bn1'), config.stemWidth);
  const stages = new StageList(state);
  stages.add((images: tf.Tensor4D, context) =>
    tf.maxPool(tf.relu(stemNorm.apply(stem.apply(images), context)), 3, 2, 1),
  );
  const makeBlock = config.block === 'basic' ? basicBlock : bottleneckBlock;
  const expansion = config.block === 'basic' ? 1 : 4;
  let channels = config.stemWidth;
  config.layers.forEach((count, stage) => {
    for (let index = 0; index < count; index += 1) {
      const stride = stage > 0 && index === 0 ? 2 : 1;
      stages.add(makeBlock(root.child(`layer${stage + 1}`).child(index), channels, config.widths[stage]!, stride));
      channels = config.widths[stage]! * expansion;
    }
  });
  stages.add(globalAveragePool);
  return new Backbone(name, channels, state, stages);
}

// The building blocks the backbones and the head share, each declaring its parameters under a scope with
// PyTorch's names and computing with tfjs-core ops only (every op here has a gradient on every backend; no strided
// slices). Activations are NHWC for images and [..., features] for tokens, so every norm works on the last axis.
import * as tf from '@tensorflow/tfjs-core';
import type { ForwardContext, Parameter, Scope, Buffer } from './module';
import { ones, torchDefault, zeros, type Initializer } from './random';
import { batchNormTraining } from './batchNormTraining';

export interface Conv2dOptions {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  /** Zero padding on every side, as PyTorch's integer `padding`. */
  padding?: number;
  /** 1, or the channel count for a depthwise convolution. */
  groups?: number;
  bias?: boolean;
  /** Defaults to PyTorch's own Conv2d initialisation. */
  weightInit?: Initializer;
  biasInit?: Initializer;
}

export class Conv2d {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;
  private readonly stride: number;
  private readonly padding: number;
  private readonly depthwise: boolean;

  constructor(scope: Scope, options: Conv2dOptions) {
    const { inChannels, outChannels, kernel, stride = 1, padding = 0, groups = 1, bias = true } = options;
    this.depthwise = groups !== 1;
    if (this.depthwise && (groups !== inChannels || outChannels !== inChannels)) {
      throw new RangeError(
        `${scope.prefix}: only plain (groups 1) and depthwise (groups = in = out channels) convolutions exist here, ` +
          `got groups ${groups} for ${inChannels} -> ${outChannels}`,
      );
    }
    const inPerGroup = inChannels / groups;
    const fanIn = inPerGroup * kernel * kernel;
    this.weight = scope.param(
      'weight',
      [outChannels, inPerGroup, kernel, kernel],
      this.depthwise ? 'depthwise' : 'conv2d',
      options.weightInit ?? torchDefault(fanIn),
    );
    this.bias = bias ? scope.param('bias', [outChannels], 'plain', options.biasInit ?? torchDefault(fanIn)) : undefined;
    this.stride = stride;
    this.padding = padding;
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    const filter = this.weight.variable as tf.Tensor4D;
    let y = this.depthwise
      ? tf.depthwiseConv2d(x, filter, this.stride, this.padding)
      : tf.conv2d(x, filter, this.stride, this.padding);
    if (this.bias !== undefined) {
      y = tf.add(y, this.bias.variable);
    }
    return y;
  }
}

export interface LinearOptions {
  bias?: boolean;
  weightInit?: Initializer;
  biasInit?: Initializer;
}

export class Linear {
  readonly weight: Parameter;
  readonly bias: Parameter | undefined;

  constructor(
    scope: Scope,
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {},
  ) {
    const weightInit = options.weightInit ?? torchDefault(inFeatures);
    this.weight = scope.param('weight', [outFeatures, inFeatures], 'linear', weightInit);
    this.bias =
      options.bias === false
        ? undefined
        : scope.param('bias', [outFeatures], 'plain', options.biasInit ?? torchDefault(inFeatures));
  }

  /** Acts on the last axis of a tensor of any rank >= 2. */
  apply<T extends tf.Tensor>(x: T): T {
    return linear(x, this.weight.variable, this.bias?.variable);
  }
}

/** x[..., in] . weight[in, out] (+ bias) on the last axis. */
export function linear<T extends tf.Tensor>(x: T, weight: tf.Tensor, bias: tf.Tensor | undefined): T {
  const inFeatures = weight.shape[0]!;
  const outFeatures = weight.shape[1]!;
  let y: tf.Tensor = tf.matMul(tf.reshape(x, [-1, inFeatures]), weight as tf.Tensor2D);
  if (bias !== undefined) {
    y = tf.add(y, bias);
  }
  return tf.reshape(y, [...x.shape.slice(0, -1), outFeatures]) as T;
}

/** LayerNorm over the last axis (PyTorch's nn.LayerNorm, and LayerNorm2d on NHWC). */
export class LayerNorm {
  readonly weight: Parameter;
  readonly bias: Parameter;

  constructor(
    scope: Scope,
    size: number,
    private readonly eps: number,
  ) {
    this.weight = scope.param('weight', [size], 'plain', ones);
    this.bias = scope.param('bias', [size], 'plain', zeros);
  }

  apply<T extends tf.Tensor>(x: T): T {
    const { mean, variance } = tf.moments(x, -1, true);
    const normalised = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, this.eps)));
    return tf.add(tf.mul(normalised, this.weight.variable), this.bias.variable) as T;
  }
}

/**
 * BatchNorm2d on NHWC. Training normalises with the batch statistics and moves the running ones by `momentum`
 * (the variance unbiased, as PyTorch does); evaluation uses the running statistics. A batch norm whose scale is
 * frozen runs as in evaluation during training too (PyTorch's usual `.eval()` on a frozen backbone): its
 * statistics stay those of the weights it was loaded with, and the frozen layers after it keep seeing the inputs
 * they were trained on.
 */
export class BatchNorm2d {
  readonly weight: Parameter;
  readonly bias: Parameter;
  readonly runningMean: Buffer;
  readonly runningVar: Buffer;
  readonly batchesTracked: Buffer;

  constructor(
    scope: Scope,
    readonly channels: number,
    private readonly eps = 1e-5,
    private readonly momentum = 0.1,
  ) {
    this.weight = scope.param('weight', [channels], 'plain', ones);
    this.bias = scope.param('bias', [channels], 'plain', zeros);
    this.runningMean = scope.buffer('running_mean', [channels], 'float32', () => new Float32Array(channels));
    this.runningVar = scope.buffer('running_var', [channels], 'float32', () => new Float32Array(channels).fill(1));
    this.batchesTracked = scope.buffer('num_batches_tracked', [], 'int64', () => new Int32Array(1));
  }

  apply(x: tf.Tensor4D, context: ForwardContext): tf.Tensor4D {
    if (context.training && !context.frozen.has(this.weight)) {
      return batchNormTraining(
        x,
        this.weight.variable as tf.Tensor1D,
        this.bias.variable as tf.Tensor1D,
        this.eps,
        (mean, variance) => this.updateRunningStatistics(mean, variance, x.size / this.channels),
      );
    }
    // Fold the running statistics into one scale and one shift per channel: two full-size ops instead of four.
    const scale = tf.mul(this.weight.variable, tf.rsqrt(tf.add(this.runningVar.variable, this.eps)));
    const shift = tf.sub(this.bias.variable, tf.mul(this.runningMean.variable, scale));
    return tf.add(tf.mul(x, scale), shift);
  }

  private updateRunningStatistics(mean: tf.Tensor, variance: tf.Tensor, count: number): void {
    if (count < 2) {
      throw new RangeError(`batch norm in training needs more than one value per channel, got ${count}`);
    }
    const m = this.momentum;
    tf.tidy(() => {
      this.runningMean.variable.assign(tf.add(tf.mul(this.runningMean.variable, 1 - m), tf.mul(mean, m)));
      const unbiased = tf.mul(variance, count / (count - 1));
      this.runningVar.variable.assign(tf.add(tf.mul(this.runningVar.variable, 1 - m), tf.mul(unbiased, m)));
      this.batchesTracked.variable.assign(tf.add(this.batchesTracked.variable, tf.scalar(1, 'int32')));
    });
  }
}

/** GELU with the exact erf form (PyTorch's nn.GELU default). */
export function gelu<T extends tf.Tensor>(x: T): T {
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1)) as T;
}

/** SiLU (swish): x * sigmoid(x). */
export function silu<T extends tf.Tensor>(x: T): T {
  return tf.mul(x, tf.sigmoid(x)) as T;
}

/** Inverted dropout, active in training only. */
export function dropout<T extends tf.Tensor>(x: T, rate: number, context: ForwardContext): T {
  if (!context.training || rate === 0) {
    return x;
  }
  return tf.dropout(x, rate, undefined, context.nextSeed()) as T;
}

/**
 * Stochastic depth ("row" mode, torchvision's StochasticDepth): in training, drops a residual branch for a whole
 * sample with probability `rate` and scales the survivors by 1 / (1 - rate).
 */
export function stochasticDepth<T extends tf.Tensor>(x: T, rate: number, context: ForwardContext): T {
  if (!context.training || rate === 0) {
    return x;
  }
  const noiseShape = [x.shape[0]!, ...x.shape.slice(1).map(() => 1)];
  return tf.dropout(x, rate, noiseShape, context.nextSeed()) as T;
}

/** [B, S, heads*d] -> [B*heads, S, d]. */
export function splitHeads(x: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [batch, tokens, width] = x.shape;
  const perHead = width / heads;
  return tf.reshape(tf.transpose(tf.reshape(x, [batch, tokens, heads, perHead]), [0, 2, 1, 3]), [
    batch * heads,
    tokens,
    perHead,
  ]);
}

/** [B*heads, S, d] -> [B, S, heads*d]. */
export function mergeHeads(x: tf.Tensor3D, heads: number): tf.Tensor3D {
  const [batchHeads, tokens, perHead] = x.shape;
  const batch = batchHeads / heads;
  return tf.reshape(tf.transpose(tf.reshape(x, [batch, heads, tokens, perHead]), [0, 2, 1, 3]), [
    batch,
    tokens,
    heads * perHead,
  ]);
}

/**
 * Scaled dot-product attention over [B, S, E] queries, keys and values split into `heads`. `adjustScores` gets
 * the scores as [B, heads, S, S] (after scaling) to add position biases or masks before the softmax.
 */
export function multiHeadAttention(
  q: tf.Tensor3D,
  k: tf.Tensor3D,
  v: tf.Tensor3D,
  heads: number,
  adjustScores?: (scores: tf.Tensor4D) => tf.Tensor4D,
  /** Receives the attention weights [batch, heads, query, key] (see ForwardContext.observeAttention). */
  observeWeights?: (weights: tf.Tensor4D) => void,
): tf.Tensor3D {
  const [batch, tokens, width] = q.shape;
  const scale = 1 / Math.sqrt(width / heads);
  let scores = tf.reshape(tf.matMul(splitHeads(tf.mul(q, scale), heads), splitHeads(k, heads), false, true), [
    batch,
    heads,
    tokens,
    tokens,
  ]) as tf.Tensor4D;
  if (adjustScores !== undefined) {
    scores = adjustScores(scores);
  }
  const softmax = tf.softmax(scores) as tf.Tensor4D;
  observeWeights?.(softmax);
  const weights = tf.reshape(softmax, [batch * heads, tokens, tokens]) as tf.Tensor3D;
  return mergeHeads(tf.matMul(weights, splitHeads(v, heads)), heads);
}

/** Mean over the spatial axes of NHWC: [N, H, W, C] -> [N, C]. */
export function globalAveragePool(x: tf.Tensor4D): tf.Tensor2D {
  return tf.mean(x, [1, 2]);
}

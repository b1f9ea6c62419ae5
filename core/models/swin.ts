// Swin Transformer v1 (torchvision's SwinTransformer), without the head Linear: final LayerNorm, then the mean over
// the token grid. Windows, shifts and patch merging are written with pad/reshape/transpose/slice/concat (no
// strided slices, which have no gradient in tfjs).
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, ModelState, StageList, type ForwardContext, type Scope } from './module';
import { Conv2d, LayerNorm, Linear, gelu, globalAveragePool, multiHeadAttention, stochasticDepth } from './layers';
import { truncatedNormal, zeros } from './random';

export interface SwinConfig {
  patchSize: number;
  embedDim: number;
  /** Blocks per stage; the width doubles and the grid halves from one stage to the next. */
  depths: readonly number[];
  heads: readonly number[];
  windowSize: number;
  /** Stochastic depth rate of the last block (it rises linearly from 0). */
  stochasticDepth?: number;
}

export const SWIN_VARIANTS = {
  swin_t: {
    patchSize: 4,
    embedDim: 96,
    depths: [2, 2, 6, 2],
    heads: [3, 6, 12, 24],
    windowSize: 7,
    stochasticDepth: 0.2,
  },
  swin_b: {
    patchSize: 4,
    embedDim: 128,
    depths: [2, 2, 18, 2],
    heads: [4, 8, 16, 32],
    windowSize: 7,
    stochasticDepth: 0.5,
  },
} as const satisfies Record<string, SwinConfig>;

const EPS = 1e-5;
// torchvision re-initialises every Linear of the model with trunc_normal_(std=0.02) and zero biases.
const LINEAR_INIT = { weightInit: truncatedNormal(0.02), biasInit: zeros };
// torchvision's attention mask value for token pairs from different regions of a shifted window.
const MASKED = -100;

/**
 * For every (query, key) token pair of a window (row-major tokens), the row of the bias table holding their
 * relative offset: (dy + w - 1) * (2w - 1) + (dx + w - 1), flattened query-major, as torchvision's buffer.
 */
export function swinRelativePositionIndex(window: number): Int32Array {
  const tokens = window * window;
  const index = new Int32Array(tokens * tokens);
  for (let a = 0; a < tokens; a += 1) {
    for (let b = 0; b < tokens; b += 1) {
      const dy = Math.floor(a / window) - Math.floor(b / window) + window - 1;
      const dx = (a % window) - (b % window) + window - 1;
      index[a * tokens + b] = dy * (2 * window - 1) + dx;
    }
  }
  return index;
}

/** Python slice bounds [start:end] on a length-n axis, negative values counting from the end. */
function sliceRange(start: number, end: number | null, n: number): [number, number] {
  const clamp = (value: number): number => (value < 0 ? Math.max(0, n + value) : Math.min(value, n));
  return [clamp(start), end === null ? n : clamp(end)];
}

/**
 * The additive mask of shifted-window attention, [windows, 1, N, N]: after the cyclic shift, tokens of one window
 * that came from different regions of the padded map must not attend to each other. Built the way torchvision
 * builds it (region ids painted over slices in the same order), so the edge cases agree.
 */
export function swinAttentionMask(
  paddedHeight: number,
  paddedWidth: number,
  window: number,
  shiftY: number,
  shiftX: number,
): Float32Array {
  const region = new Int32Array(paddedHeight * paddedWidth);
  const ySlices: [number, number | null][] = [
    [0, -window],
    [-window, -shiftY],
    [-shiftY, null],
  ];
  const xSlices: [number, number | null][] = [
    [0, -window],
    [-window, -shiftX],
    [-shiftX, null],
  ];
  let count = 0;
  for (const [yStart, yEnd] of ySlices) {
    for (const [xStart, xEnd] of xSlices) {
      const [y0, y1] = sliceRange(yStart, yEnd, paddedHeight);
      const [x0, x1] = sliceRange(xStart, xEnd, paddedWidth);
      for (let y = y0; y < y1; y += 1) {
        region.fill(count, y * paddedWidth + x0, y * paddedWidth + Math.max(x0, x1));
      }
      count += 1;
    }
  }
  const rows = paddedHeight / window;
  const cols = paddedWidth / window;
  const tokens = window * window;
  const mask = new Float32Array(rows * cols * tokens * tokens);
  for (let r = 0; r < rows; r += 1) {
    for (let c = 0; c < cols; c += 1) {
      const ids: number[] = [];
      for (let i = 0; i < tokens; i += 1) {
        ids.push(region[(r * window + Math.floor(i / window)) * paddedWidth + c * window + (i % window)]!);
      }
      const base = (r * cols + c) * tokens * tokens;
      for (let q = 0; q < tokens; q += 1) {
        for (let k = 0; k < tokens; k += 1) {
          mask[base + q * tokens + k] = ids[q] === ids[k] ? 0 : MASKED;
        }
      }
    }
  }
  return mask;
}

/** torch.roll along one axis: element i moves to i + shift (mod n). */
function roll(x: tf.Tensor4D, shift: number, axis: 1 | 2): tf.Tensor4D {
  const n = x.shape[axis];
  const s = ((shift % n) + n) % n;
  if (s === 0) {
    return x;
  }
  const head = x.shape.slice() as [number, number, number, number];
  head[axis] = n - s;
  const tailBegin: [number, number, number, number] = [0, 0, 0, 0];
  tailBegin[axis] = n - s;
  return tf.concat([tf.slice(x, tailBegin), tf.slice(x, [0, 0, 0, 0], head)], axis);
}

type Block = (x: tf.Tensor4D, context: ForwardContext) => tf.Tensor4D;

function shiftedWindowAttention(scope: Scope, dim: number, heads: number, window: number, shift: number) {
  // ShiftedWindowAttention registers its table (and index buffer) itself, so they precede qkv and proj.
  const tableShape = [(2 * window - 1) ** 2, heads];
  const table = scope.param('relative_position_bias_table', tableShape, 'plain', truncatedNormal(0.02));
  const tokens = window * window;
  const index = scope.buffer('relative_position_index', [tokens * tokens], 'int64', () =>
    swinRelativePositionIndex(window),
  );
  const qkv = new Linear(scope.child('qkv'), dim, 3 * dim, LINEAR_INIT);
  const proj = new Linear(scope.child('proj'), dim, dim, LINEAR_INIT);
  return (x: tf.Tensor4D): tf.Tensor4D => {
    const [batch, height, width, channels] = x.shape;
    const padBottom = (window - (height % window)) % window;
    const padRight = (window - (width % window)) % window;
    let y =
      padBottom + padRight > 0
        ? tf.pad(x, [
            [0, 0],
            [0, padBottom],
            [0, padRight],
            [0, 0],
          ])
        : x;
    const paddedHeight = height + padBottom;
    const paddedWidth = width + padRight;
    // A window covering the whole axis makes shifting pointless; torchvision then skips it.
    const shiftY = window >= paddedHeight ? 0 : shift;
    const shiftX = window >= paddedWidth ? 0 : shift;
    y = roll(roll(y, -shiftY, 1), -shiftX, 2);
    const rows = paddedHeight / window;
    const cols = paddedWidth / window;
    const windows = rows * cols;
    const partitioned = tf.reshape(
      tf.transpose(tf.reshape(y, [batch * rows, window, cols, window, channels]), [0, 2, 1, 3, 4]),
      [batch * windows, tokens, channels],
    ) as tf.Tensor3D;
    const [q, k, v] = tf.split(qkv.apply(partitioned), 3, 2) as [tf.Tensor3D, tf.Tensor3D, tf.Tensor3D];
    const bias = tf.transpose(
      tf.reshape(tf.gather(table.variable, index.variable), [tokens, tokens, heads]),
      [2, 0, 1],
    );
    const attended = multiHeadAttention(q, k, v, heads, (scores) => {
      const biased = tf.add(scores, bias) as tf.Tensor4D;
      if (shiftY + shiftX === 0) {
        return biased;
      }
      const mask = tf.tensor4d(swinAttentionMask(paddedHeight, paddedWidth, window, shiftY, shiftX), [
        windows,
        1,
        tokens,
        tokens,
      ]);
      return tf.reshape(tf.add(tf.reshape(biased, [batch, windows, heads, tokens, tokens]), mask), biased.shape);
    });
    const merged = tf.reshape(
      tf.transpose(tf.reshape(proj.apply(attended), [batch * rows, cols, window, window, channels]), [0, 2, 1, 3, 4]),
      [batch, paddedHeight, paddedWidth, channels],
    ) as tf.Tensor4D;
    const unshifted = roll(roll(merged, shiftY, 1), shiftX, 2);
    return padBottom + padRight > 0 ? tf.slice(unshifted, [0, 0, 0, 0], [batch, height, width, channels]) : unshifted;
  };
}

function swinBlock(scope: Scope, dim: number, heads: number, window: number, shift: number, dropRate: number): Block {
  const norm1 = new LayerNorm(scope.child('norm1'), dim, EPS);
  const attention = shiftedWindowAttention(scope.child('attn'), dim, heads, window, shift);
  const norm2 = new LayerNorm(scope.child('norm2'), dim, EPS);
  const fc1 = new Linear(scope.child('mlp').child(0), dim, 4 * dim, LINEAR_INIT);
  const fc2 = new Linear(scope.child('mlp').child(3), 4 * dim, dim, LINEAR_INIT);
  return (x, context) => {
    const y = tf.add(x, stochasticDepth(attention(norm1.apply(x)), dropRate, context));
    return tf.add(y, stochasticDepth(fc2.apply(gelu(fc1.apply(norm2.apply(y)))), dropRate, context));
  };
}

/** Concatenates each 2x2 patch's tokens (order (0,0), (1,0), (0,1), (1,1) as torchvision), norm, then 4C -> 2C. */
function patchMerging(scope: Scope, dim: number): Block {
  // PatchMerging assigns `reduction` before `norm`.
  const reduction = new Linear(scope.child('reduction'), 4 * dim, 2 * dim, { ...LINEAR_INIT, bias: false });
  const norm = new LayerNorm(scope.child('norm'), 4 * dim, EPS);
  return (x) => {
    const [batch, height, width, channels] = x.shape;
    const padded =
      (height % 2) + (width % 2) > 0
        ? tf.pad(x, [
            [0, 0],
            [0, height % 2],
            [0, width % 2],
            [0, 0],
          ])
        : x;
    const rows = Math.ceil(height / 2);
    const cols = Math.ceil(width / 2);
    // [B*rows, dy, cols, dx, C] -> [B*rows, cols, dx, dy, C]: channel block dx*2 + dy.
    const grouped = tf.transpose(tf.reshape(padded, [batch * rows, 2, cols, 2, channels]), [0, 2, 3, 1, 4]);
    return reduction.apply(norm.apply(tf.reshape(grouped, [batch, rows, cols, 4 * channels]) as tf.Tensor4D));
  };
}

export function swin(config: SwinConfig, name = 'swin'): Backbone {
  const { patchSize, embedDim, depths, heads, windowSize } = config;
  if (depths.length !== heads.length || depths.length === 0) {
    throw new RangeError(`swin needs as many head counts as depths, got ${heads.length} and ${depths.length}`);
  }
  const state = new ModelState();
  const features = state.scope().child('features');
  const patchify = new Conv2d(features.child(0).child(0), {
    inChannels: 3,
    outChannels: embedDim,
    kernel: patchSize,
    stride: patchSize,
  });
  const patchNorm = new LayerNorm(features.child(0).child(2), embedDim, EPS);
  const totalBlocks = depths.reduce((sum, depth) => sum + depth, 0);
  const maxDrop = config.stochasticDepth ?? 0;
  const stages = new StageList(state);
  stages.add((images: tf.Tensor4D) => patchNorm.apply(patchify.apply(images)));
  let blockId = 0;
  let dim = embedDim;
  depths.forEach((depth, stage) => {
    dim = embedDim * 2 ** stage;
    for (let index = 0; index < depth; index += 1) {
      const shift = index % 2 === 0 ? 0 : Math.floor(windowSize / 2);
      const dropRate = totalBlocks > 1 ? (maxDrop * blockId) / (totalBlocks - 1) : 0;
      stages.add(
        swinBlock(features.child(1 + 2 * stage).child(index), dim, heads[stage]!, windowSize, shift, dropRate),
      );
      blockId += 1;
    }
    if (stage < depths.length - 1) {
      stages.add(patchMerging(features.child(2 + 2 * stage), dim));
    }
  });
  const finalNorm = new LayerNorm(state.scope().child('norm'), dim, EPS);
  stages.add((x: tf.Tensor4D) => globalAveragePool(finalNorm.apply(x)));
  return new Backbone(name, dim, state, stages);
}

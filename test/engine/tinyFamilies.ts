// Tiny models with the op mix of each backbone family, written with tfjs-core ops only, so a training step can
// be compared between the cpu backend and the wasm engine. Not the product's models: just their building blocks.
import * as tf from '@tensorflow/tfjs-core';
import { seededValues } from './backendCompare';

export type Params = Record<string, tf.Tensor>;
export type ParamShapes = Record<string, number[]>;

export interface TinyModel {
  name: string;
  shapes: ParamShapes;
  forward: (p: Params, x: tf.Tensor4D) => tf.Tensor2D;
}

export const imageShape: [number, number, number, number] = [2, 16, 16, 3];
export const classes = 3;

/** Seeded initial values, scaled by fan-in; scale/shift parameters start near 1 and 0. */
export function initialValues(shapes: ParamShapes, seed: number): Record<string, Float32Array> {
  const out: Record<string, Float32Array> = {};
  Object.entries(shapes).forEach(([name, shape], i) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const raw = seededValues(size, seed * 1000 + i + 1);
    const fanIn = shape.length > 1 ? shape.slice(0, -1).reduce((a, b) => a * b, 1) : 1;
    const isScale = /(gamma|scale)$/.test(name);
    const spread = shape.length > 1 ? 1.5 / Math.sqrt(fanIn) : 0.1;
    out[name] = raw.map((v) => (isScale ? 1 + 0.1 * v : spread * v));
  });
  return out;
}

const conv = (x: tf.Tensor4D, w: tf.Tensor, stride: number, pad: 'same' | 'valid' = 'same'): tf.Tensor4D =>
  tf.conv2d(x, w as tf.Tensor4D, stride, pad);
const depthwise = (x: tf.Tensor4D, w: tf.Tensor, stride: number): tf.Tensor4D =>
  tf.depthwiseConv2d(x, w as tf.Tensor4D, stride, 'same');

function batchNorm(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor4D {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-5))), gamma), beta) as tf.Tensor4D;
}

function layerNorm<T extends tf.Tensor>(x: T, gamma: tf.Tensor, beta: tf.Tensor): T {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, 1e-6))), gamma), beta) as T;
}

const gelu = (x: tf.Tensor): tf.Tensor => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
const silu = (x: tf.Tensor): tf.Tensor => tf.mul(x, tf.sigmoid(x));

/** x[..., in] @ w[in, out] + b for any rank of x. */
function dense(x: tf.Tensor, w: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const inner = x.shape[x.rank - 1]!;
  const flat = tf.matMul(tf.reshape(x, [-1, inner]), w as tf.Tensor2D);
  return tf.add(tf.reshape(flat, [...x.shape.slice(0, -1), w.shape[1]!]), b);
}

/** Multi-head self-attention over [B, T, C] with an optional additive bias [heads, T, T]. */
function attention(x: tf.Tensor3D, p: Params, prefix: string, heads: number, bias?: tf.Tensor): tf.Tensor3D {
  const [b, t, c] = x.shape;
  const d = c / heads;
  const split = (w: string): tf.Tensor4D =>
    tf.transpose(
      tf.reshape<tf.Rank.R4>(dense(x, p[`${prefix}.${w}`]!, p[`${prefix}.${w}b`]!), [b, t, heads, d]),
      [0, 2, 1, 3],
    );
  const q = split('q');
  const k = split('k');
  const v = split('v');
  let scores: tf.Tensor4D = tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(d));
  if (bias) scores = tf.add(scores, bias);
  const mixed = tf.matMul(tf.softmax(scores), v);
  const merged = tf.reshape<tf.Rank.R3>(tf.transpose(mixed, [0, 2, 1, 3]), [b, t, c]);
  return dense(merged, p[`${prefix}.o`]!, p[`${prefix}.ob`]!) as tf.Tensor3D;
}

function attentionShapes(prefix: string, c: number): ParamShapes {
  const out: ParamShapes = {};
  for (const w of ['q', 'k', 'v', 'o']) {
    out[`${prefix}.${w}`] = [c, c];
    out[`${prefix}.${w}b`] = [c];
  }
  return out;
}

function mlpShapes(prefix: string, c: number, hidden: number): ParamShapes {
  return {
    [`${prefix}.w1`]: [c, hidden],
    [`${prefix}.b1`]: [hidden],
    [`${prefix}.w2`]: [hidden, c],
    [`${prefix}.b2`]: [c],
  };
}

const mlp = (x: tf.Tensor, p: Params, prefix: string): tf.Tensor =>
  dense(gelu(dense(x, p[`${prefix}.w1`]!, p[`${prefix}.b1`]!)), p[`${prefix}.w2`]!, p[`${prefix}.b2`]!);

const norm = (prefix: string, c: number): ParamShapes => ({ [`${prefix}.gamma`]: [c], [`${prefix}.beta`]: [c] });
const ln = <T extends tf.Tensor>(x: T, p: Params, prefix: string): T =>
  layerNorm(x, p[`${prefix}.gamma`]!, p[`${prefix}.beta`]!);
const bn = (x: tf.Tensor4D, p: Params, prefix: string): tf.Tensor4D =>
  batchNorm(x, p[`${prefix}.gamma`]!, p[`${prefix}.beta`]!);
const head = (x: tf.Tensor, p: Params): tf.Tensor2D => dense(x, p['head.w']!, p['head.b']!) as tf.Tensor2D;
const headShapes = (c: number): ParamShapes => ({ 'head.w': [c, classes], 'head.b': [classes] });

export const resnet: TinyModel = {
  name: 'ResNet block (BN, max pool, strided 1x1 shortcut)',
  shapes: {
    stem: [3, 3, 3, 8],
    ...norm('stem.bn', 8),
    'b1.c1': [3, 3, 8, 8],
    ...norm('b1.bn1', 8),
    'b1.c2': [3, 3, 8, 8],
    ...norm('b1.bn2', 8),
    'b2.c1': [3, 3, 8, 16],
    ...norm('b2.bn1', 16),
    'b2.c2': [3, 3, 16, 16],
    ...norm('b2.bn2', 16),
    'b2.down': [1, 1, 8, 16],
    ...norm('b2.bnd', 16),
    ...headShapes(16),
  },
  forward: (p, x) => {
    let h = tf.relu(bn(conv(x, p.stem!, 2), p, 'stem.bn'));
    h = tf.maxPool(h, 3, 2, 'same');
    const r1 = bn(conv(tf.relu(bn(conv(h, p['b1.c1']!, 1), p, 'b1.bn1')), p['b1.c2']!, 1), p, 'b1.bn2');
    h = tf.relu(tf.add(h, r1)) as tf.Tensor4D;
    const r2 = bn(conv(tf.relu(bn(conv(h, p['b2.c1']!, 2), p, 'b2.bn1')), p['b2.c2']!, 1), p, 'b2.bn2');
    h = tf.relu(tf.add(bn(conv(h, p['b2.down']!, 2), p, 'b2.bnd'), r2)) as tf.Tensor4D;
    return head(tf.mean(h, [1, 2]), p);
  },
};

export const convnext: TinyModel = {
  name: 'ConvNeXt block (patchify stem, depthwise 7x7, LayerNorm, GELU, layer scale)',
  shapes: {
    stem: [4, 4, 3, 8],
    'stem.b': [8],
    ...norm('stem.ln', 8),
    'blk.dw': [7, 7, 8, 1],
    'blk.dwb': [8],
    ...norm('blk.ln', 8),
    ...mlpShapes('blk.mlp', 8, 32),
    'blk.scale': [8],
    ...norm('down.ln', 8),
    down: [2, 2, 8, 16],
    'down.b': [16],
    ...norm('final.ln', 16),
    ...headShapes(16),
  },
  forward: (p, x) => {
    let h = ln(tf.add(conv(x, p.stem!, 4, 'valid'), p['stem.b']!) as tf.Tensor4D, p, 'stem.ln');
    const branch = mlp(ln(tf.add(depthwise(h, p['blk.dw']!, 1), p['blk.dwb']!), p, 'blk.ln'), p, 'blk.mlp');
    h = tf.add(h, tf.mul(branch, p['blk.scale']!)) as tf.Tensor4D;
    h = tf.add(conv(ln(h, p, 'down.ln'), p.down!, 2, 'valid'), p['down.b']!) as tf.Tensor4D;
    return head(ln(tf.mean(h, [1, 2]), p, 'final.ln'), p);
  },
};

function patchTokens(x: tf.Tensor4D, p: Params, patch: number): tf.Tensor3D {
  const e = tf.add(conv(x, p.patch!, patch, 'valid'), p['patch.b']!) as tf.Tensor4D;
  const [b, gh, gw, c] = e.shape;
  return tf.reshape<tf.Rank.R3>(e, [b, gh * gw, c]);
}

function withClassToken(tokens: tf.Tensor3D, cls: tf.Tensor): tf.Tensor3D {
  const [b, , c] = tokens.shape;
  return tf.concat([tf.add(tf.zeros([b, 1, c]), cls) as tf.Tensor3D, tokens], 1);
}

const classToken = (h: tf.Tensor3D): tf.Tensor =>
  tf.reshape(tf.slice(h, [0, 0, 0], [-1, 1, -1]), [h.shape[0], h.shape[2]]);

export const vit: TinyModel = {
  name: 'ViT block (class token, attention, GELU MLP)',
  shapes: {
    patch: [4, 4, 3, 8],
    'patch.b': [8],
    cls: [1, 1, 8],
    pos: [1, 17, 8],
    ...norm('ln1', 8),
    ...attentionShapes('attn', 8),
    ...norm('ln2', 8),
    ...mlpShapes('mlp', 8, 16),
    ...norm('lnf', 8),
    ...headShapes(8),
  },
  forward: (p, x) => {
    let h = tf.add(withClassToken(patchTokens(x, p, 4), p.cls!), p.pos!) as tf.Tensor3D;
    h = tf.add(h, attention(ln(h, p, 'ln1'), p, 'attn', 2)) as tf.Tensor3D;
    h = tf.add(h, mlp(ln(h, p, 'ln2'), p, 'mlp')) as tf.Tensor3D;
    return head(classToken(ln(h, p, 'lnf')), p);
  },
};

/** Relative position index of a ws x ws window: (2ws-1)^2 offsets, as in Swin. */
function windowRelativeIndex(ws: number): Int32Array {
  const index = new Int32Array(ws ** 4);
  for (let a = 0; a < ws * ws; a++) {
    for (let b = 0; b < ws * ws; b++) {
      const dy = Math.floor(a / ws) - Math.floor(b / ws) + ws - 1;
      const dx = (a % ws) - (b % ws) + ws - 1;
      index[a * ws * ws + b] = dy * (2 * ws - 1) + dx;
    }
  }
  return index;
}

/** Cyclic shift along one axis by slicing and concatenating (tfjs has no roll). */
function roll(x: tf.Tensor4D, shift: number, axis: 1 | 2): tf.Tensor4D {
  const size = x.shape[axis];
  const s = ((shift % size) + size) % size;
  if (s === 0) return x;
  const begin = [0, 0, 0, 0];
  const tail = [-1, -1, -1, -1];
  begin[axis] = size - s;
  const head = [-1, -1, -1, -1];
  head[axis] = size - s;
  return tf.concat([tf.slice(x, begin, tail), tf.slice(x, [0, 0, 0, 0], head)], axis);
}

const swinWindow = 4;
const swinHeads = 2;

export const swin: TinyModel = {
  name: 'Swin block (shifted windows by reshape/transpose, roll by slice+concat, relative bias, patch merging)',
  shapes: {
    patch: [2, 2, 3, 8],
    'patch.b': [8],
    ...norm('ln1', 8),
    ...attentionShapes('attn', 8),
    'attn.table': [(2 * swinWindow - 1) ** 2, swinHeads],
    ...norm('ln2', 8),
    ...mlpShapes('mlp', 8, 16),
    ...norm('merge.ln', 32),
    'merge.w': [32, 16],
    'merge.b': [16],
    ...headShapes(16),
  },
  forward: (p, x) => {
    const e = tf.add(conv(x, p.patch!, 2, 'valid'), p['patch.b']!) as tf.Tensor4D;
    const [b, hh, ww, c] = e.shape;
    const ws = swinWindow;
    const shifted = roll(roll(ln(e, p, 'ln1'), -ws / 2, 1), -ws / 2, 2);
    const rowsOfWindows = tf.transpose(tf.reshape(shifted, [b * (hh / ws), ws, ww / ws, ws * c]), [0, 2, 1, 3]);
    const windows = tf.reshape<tf.Rank.R3>(rowsOfWindows, [-1, ws * ws, c]);
    const tokens = ws * ws;
    const bias = tf.transpose(
      tf.reshape(tf.gather(p['attn.table']!, tf.tensor1d(windowRelativeIndex(ws), 'int32')), [
        tokens,
        tokens,
        swinHeads,
      ]),
      [2, 0, 1],
    );
    const attended = attention(windows, p, 'attn', swinHeads, bias);
    const back = tf.reshape<tf.Rank.R4>(
      tf.transpose(tf.reshape(attended, [b * (hh / ws), ww / ws, ws, ws * c]), [0, 2, 1, 3]),
      [b, hh, ww, c],
    );
    let h = tf.add(e, roll(roll(back, ws / 2, 1), ws / 2, 2));
    h = tf.add(h, mlp(ln(h, p, 'ln2'), p, 'mlp'));
    const merged = tf.reshape(tf.transpose(tf.reshape(h, [b, hh / 2, 2, ww / 2, 2 * c]), [0, 1, 3, 2, 4]), [
      b,
      hh / 2,
      ww / 2,
      4 * c,
    ]);
    const reduced = dense(ln(merged, p, 'merge.ln'), p['merge.w']!, p['merge.b']!);
    return head(tf.mean(reduced, [1, 2]), p);
  },
};

/** BEiT's relative position index for a g x g patch grid plus the class token (3 extra table entries). */
function beitRelativeIndex(g: number): { index: Int32Array; tableSize: number } {
  const grid = (2 * g - 1) ** 2;
  const t = g * g + 1;
  const index = new Int32Array(t * t);
  for (let a = 0; a < t; a++) {
    for (let b = 0; b < t; b++) {
      if (a === 0 && b === 0) index[a * t + b] = grid + 2;
      else if (a === 0) index[a * t + b] = grid;
      else if (b === 0) index[a * t + b] = grid + 1;
      else {
        const dy = Math.floor((a - 1) / g) - Math.floor((b - 1) / g) + g - 1;
        const dx = ((a - 1) % g) - ((b - 1) % g) + g - 1;
        index[a * t + b] = dy * (2 * g - 1) + dx;
      }
    }
  }
  return { index, tableSize: grid + 3 };
}

const beitGrid = beitRelativeIndex(4);

export const beit: TinyModel = {
  name: 'BEiT block (relative position bias by gather, layer scale)',
  shapes: {
    patch: [4, 4, 3, 8],
    'patch.b': [8],
    cls: [1, 1, 8],
    ...norm('ln1', 8),
    ...attentionShapes('attn', 8),
    'attn.table': [beitGrid.tableSize, 2],
    'scale1.scale': [8],
    ...norm('ln2', 8),
    ...mlpShapes('mlp', 8, 16),
    'scale2.scale': [8],
    ...norm('lnf', 8),
    ...headShapes(8),
  },
  forward: (p, x) => {
    let h = withClassToken(patchTokens(x, p, 4), p.cls!);
    const t = h.shape[1];
    const bias = tf.transpose(
      tf.reshape(tf.gather(p['attn.table']!, tf.tensor1d(beitGrid.index, 'int32')), [t, t, 2]),
      [2, 0, 1],
    );
    h = tf.add(h, tf.mul(attention(ln(h, p, 'ln1'), p, 'attn', 2, bias), p['scale1.scale']!));
    h = tf.add(h, tf.mul(mlp(ln(h, p, 'ln2'), p, 'mlp'), p['scale2.scale']!));
    return head(tf.mean(ln(h, p, 'lnf'), 1), p);
  },
};

export const efficientnetv2: TinyModel = {
  name: 'EfficientNetV2 blocks (Fused-MBConv, MBConv with depthwise 3x3 and squeeze-excitation, SiLU, ReLU6)',
  shapes: {
    stem: [3, 3, 3, 8],
    ...norm('stem.bn', 8),
    'fused.expand': [3, 3, 8, 16],
    ...norm('fused.bn1', 16),
    'fused.project': [1, 1, 16, 8],
    ...norm('fused.bn2', 8),
    'mb.expand': [1, 1, 8, 32],
    ...norm('mb.bn1', 32),
    'mb.dw': [3, 3, 32, 1],
    ...norm('mb.bn2', 32),
    'se.w1': [32, 4],
    'se.b1': [4],
    'se.w2': [4, 32],
    'se.b2': [32],
    'mb.project': [1, 1, 32, 16],
    ...norm('mb.bn3', 16),
    top: [1, 1, 16, 24],
    ...norm('top.bn', 24),
    ...headShapes(24),
  },
  forward: (p, x) => {
    let h = silu(bn(conv(x, p.stem!, 2), p, 'stem.bn')) as tf.Tensor4D;
    const fused = bn(
      conv(silu(bn(conv(h, p['fused.expand']!, 1), p, 'fused.bn1')) as tf.Tensor4D, p['fused.project']!, 1),
      p,
      'fused.bn2',
    );
    h = tf.add(h, fused);
    let m = silu(bn(conv(h, p['mb.expand']!, 1), p, 'mb.bn1')) as tf.Tensor4D;
    m = silu(bn(depthwise(m, p['mb.dw']!, 2), p, 'mb.bn2')) as tf.Tensor4D;
    const squeeze = silu(dense(tf.mean(m, [1, 2]), p['se.w1']!, p['se.b1']!));
    const excite = tf.sigmoid(dense(squeeze, p['se.w2']!, p['se.b2']!));
    m = tf.mul(m, tf.reshape(excite, [m.shape[0], 1, 1, m.shape[3]]));
    h = bn(conv(m, p['mb.project']!, 1), p, 'mb.bn3');
    h = tf.clipByValue(bn(conv(h, p.top!, 1), p, 'top.bn'), 0, 6);
    return head(tf.mean(h, [1, 2]), p);
  },
};

export const tinyFamilies: TinyModel[] = [resnet, convnext, vit, swin, beit, efficientnetv2];

export function crossEntropy(logits: tf.Tensor2D, labels: number[]): tf.Scalar {
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
  return tf.neg(tf.mean(tf.sum(tf.mul(onehot, tf.logSoftmax(logits)), 1))) as tf.Scalar;
}

// The input gradient of a strided convolution (dense or depthwise) without a strided scatter: input positions
// split into stride*stride phases by position mod stride; each phase receives a stride-1 correlation of dy with
// the filter taps that reach it (flipped), and the phases are interleaved back with reshapes. This keeps the work
// in XNNPACK convolutions, which wasm runs fast, instead of a naive transposed-conv loop. Each phase computes
// exactly the input rows and columns it owns (the padding never gets a gradient computed), so a stride-1 gradient
// is one convolution of the input's size.
import * as tf from '@tensorflow/tfjs-core';
import { cropForPads, type Pads } from './tensorArgs';

export type Stride1Correlation = (
  dy: tf.Tensor4D,
  subFilter: tf.Tensor4D,
  padding: [[0, 0], [number, number], [number, number], [0, 0]],
) => tf.Tensor4D;

/** Reverses one axis by slicing taps and concatenating them backwards (wasm's Reverse is a slow element loop). */
function flipAxis(x: tf.Tensor4D, axis: 0 | 1): tf.Tensor4D {
  const n = x.shape[axis];
  if (n === 1) return x;
  const taps: tf.Tensor4D[] = [];
  for (let i = n - 1; i >= 0; i--) {
    taps.push(tf.slice(x, axis === 0 ? [i, 0, 0, 0] : [0, i, 0, 0], axis === 0 ? [1, -1, -1, -1] : [-1, 1, -1, -1]));
  }
  return tf.concat(taps, axis);
}

/**
 * For every phase (r, c), the taps r, r+s, r+2s, ... of each filter axis, flipped, as [M, M2, A, B] filters
 * (M = ceil(K/s); taps past the filter's end are zero). With the filter zero-padded to M*s and flipped once,
 * phase r's flipped taps are the flipped filter's taps (s-1-r), (s-1-r)+s, ...: a plain slice after a reshape.
 */
function phaseFilters(filter: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D[][] {
  const [kh, kw, a, b] = filter.shape;
  const m = Math.ceil(kh / sh);
  const m2 = Math.ceil(kw / sw);
  const padded = tf.pad(filter, [
    [0, m * sh - kh],
    [0, m2 * sw - kw],
    [0, 0],
    [0, 0],
  ]);
  const flipped = flipAxis(flipAxis(padded, 0), 1);
  const byRowPhase = tf.reshape(flipped, [m, sh, m2 * sw * a * b]);
  const out: tf.Tensor4D[][] = [];
  for (let r = 0; r < sh; r++) {
    const rows = tf.reshape(tf.slice(byRowPhase, [0, sh - 1 - r, 0], [m, 1, -1]), [m, m2, sw, a * b]);
    const row: tf.Tensor4D[] = [];
    for (let c = 0; c < sw; c++) {
      row.push(tf.reshape<tf.Rank.R4>(tf.slice(rows, [0, 0, sw - 1 - c, 0], [m, m2, 1, -1]), [m, m2, a, b]));
    }
    out.push(row);
  }
  return out;
}

/**
 * Where phase q (input positions q, q+s, q+2s, …) reads dy along one axis: its taps are those k ≡ q + pad (mod s),
 * i.e. phase r = (q + pad) mod s of phaseFilters, and its u-th position reads dy[u + c - M + 1 … u + c] with
 * c = (q + pad - r) / s. As the pads of a stride-1 correlation producing `length` positions from dy's `outLength`.
 */
function phasePads(q: number, pad: number, stride: number, taps: number, length: number, outLength: number) {
  const r = (q + pad) % stride;
  const c = (q + pad - r) / stride;
  return { r, before: taps - 1 - c, after: length + c - outLength };
}

/**
 * @param filter the filter laid out for the stride-1 correlation over dy: [KH, KW, dyChannels->..., out]
 * @param outChannels channels of each phase's correlation output
 * @returns the gradient with respect to the input, [N, H, W, outChannels]
 */
export function inputGradientByPhases(
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  info: tf.backend_util.Conv2DInfo,
  outChannels: number,
  correlate: Stride1Correlation,
): tf.Tensor4D {
  const { strideHeight: sh, strideWidth: sw } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, batchSize: n } = info;
  const { top, left } = info.padInfo;
  // Every phase computes ceil(H/s) rows (the last ones past H, when s does not divide H, are cut at the end).
  const rows = Math.ceil(h / sh);
  const cols = Math.ceil(w / sw);
  // Every phase gets ceil(K/s) taps; taps past the filter's end are zeros and add nothing.
  const filters = phaseFilters(filter, sh, sw);
  const tapsH = filters[0]![0]!.shape[0];
  const tapsW = filters[0]![0]!.shape[1];
  const rowPhases: tf.Tensor4D[] = [];
  for (let qRow = 0; qRow < sh; qRow++) {
    const vertical = phasePads(qRow, top, sh, tapsH, rows, oh);
    const colPhases: tf.Tensor4D[] = [];
    for (let qCol = 0; qCol < sw; qCol++) {
      const horizontal = phasePads(qCol, left, sw, tapsW, cols, ow);
      const pads: Pads = {
        top: vertical.before,
        bottom: vertical.after,
        left: horizontal.before,
        right: horizontal.after,
      };
      const { x: dyPart, padding } = cropForPads(dy, pads);
      colPhases.push(correlate(dyPart, filters[vertical.r]![horizontal.r]!, padding));
    }
    rowPhases.push(
      sw === 1 ? colPhases[0]! : tf.reshape<tf.Rank.R4>(tf.stack(colPhases, 3), [n, rows, cols * sw, outChannels]),
    );
  }
  const full =
    sh === 1 ? rowPhases[0]! : tf.reshape<tf.Rank.R4>(tf.stack(rowPhases, 2), [n, rows * sh, cols * sw, outChannels]);
  if (rows * sh === h && cols * sw === w) return full;
  return tf.slice(full, [0, 0, 0, 0], [n, h, w, outChannels]);
}

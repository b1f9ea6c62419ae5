// The input gradient of a strided convolution (dense or depthwise) without a strided scatter: input positions
// split into stride*stride phases by (position + pad) mod stride; each phase receives a stride-1 correlation of dy
// with the filter taps of that phase (flipped), and the phases are interleaved back with reshapes. This keeps the
// work in XNNPACK convolutions, which wasm runs fast, instead of a naive transposed-conv loop.
import * as tf from '@tensorflow/tfjs-core';
import { cropForPads, type Pads } from './tensorArgs';

export type Stride1Correlation = (
  dy: tf.Tensor4D,
  subFilter: tf.Tensor4D,
  padding: [[0, 0], [number, number], [number, number], [0, 0]],
) => tf.Tensor4D;

/** Taps r, r+s, r+2s, ... of one filter axis, in reverse order (the flip of a transposed convolution). */
function phaseTaps(kernelSize: number, stride: number, phase: number): number[] {
  const count = phase < kernelSize ? Math.ceil((kernelSize - phase) / stride) : 0;
  return Array.from({ length: count }, (_, m) => phase + stride * (count - 1 - m));
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
  const { strideHeight: sh, strideWidth: sw, filterHeight: kh, filterWidth: kw } = info;
  const { inHeight: h, inWidth: w, outHeight: oh, outWidth: ow, batchSize: n } = info;
  const { top, left } = info.padInfo;
  const rows = Math.ceil((top + h) / sh);
  const cols = Math.ceil((left + w) / sw);
  const rowPhases: tf.Tensor4D[] = [];
  for (let r = 0; r < sh; r++) {
    const rowTaps = phaseTaps(kh, sh, r);
    const colPhases: tf.Tensor4D[] = [];
    for (let c = 0; c < sw; c++) {
      const colTaps = phaseTaps(kw, sw, c);
      if (rowTaps.length === 0 || colTaps.length === 0) {
        colPhases.push(tf.zeros([n, rows, cols, outChannels]));
        continue;
      }
      const subFilter = tf.gather(tf.gather(filter, rowTaps, 0), colTaps, 1) as tf.Tensor4D;
      const pads: Pads = {
        top: rowTaps.length - 1,
        bottom: rows - oh,
        left: colTaps.length - 1,
        right: cols - ow,
      };
      const { x: dyPart, padding } = cropForPads(dy, pads);
      colPhases.push(correlate(dyPart, subFilter, padding));
    }
    const interleavedCols = sw === 1 ? colPhases[0]! : tf.reshape<tf.Rank.R4>(tf.stack(colPhases, 3), [n, rows, cols * sw, outChannels]);
    rowPhases.push(interleavedCols);
  }
  const full = sh === 1 ? rowPhases[0]! : tf.reshape<tf.Rank.R4>(tf.stack(rowPhases, 2), [n, rows * sh, cols * sw, outChannels]);
  if (top === 0 && left === 0 && rows * sh === h && cols * sw === w) return full;
  return tf.slice(full, [0, top, left, 0], [n, h, w, outChannels]);
}

// Small helpers shared by the composite wasm kernels: reading kernel inputs as tensors and fitting a tensor to a
// padding that may be negative (an explicit-padding conv only takes non-negative pads).
import * as tf from '@tensorflow/tfjs-core';

/** Kernel inputs arrive as the engine's Tensor objects; composites need them as such to call ops. */
export function asTensor<R extends tf.Rank>(info: tf.TensorInfo, what: string): tf.Tensor<R> {
  if (!(info instanceof tf.Tensor)) {
    throw new Error(`wasm composite kernel: input ${what} is not a tf.Tensor (got a bare TensorInfo)`);
  }
  return info as tf.Tensor<R>;
}

export function requireChannelsLast(dataFormat: string | undefined, kernel: string): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(
      `${kernel} on wasm supports NHWC data only (got dataFormat ${dataFormat}); transpose to NHWC first`,
    );
  }
}

export function requireUnitDilations(dilations: number | [number, number] | undefined, kernel: string): void {
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : (dilations ?? [1, 1]);
  if (dh !== 1 || dw !== 1) {
    throw new Error(`${kernel} with dilations ${dh}x${dw}: tfjs-core has no gradient for dilated convolutions`);
  }
}

export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Splits pads of a rank-4 NHWC tensor into a crop (for the negative parts) and the non-negative explicit padding
 * a convolution takes, so no padded copy is made.
 */
export function cropForPads(
  x: tf.Tensor4D,
  pads: Pads,
): { x: tf.Tensor4D; padding: [[0, 0], [number, number], [number, number], [0, 0]] } {
  const [, h, w] = x.shape;
  const cropTop = Math.max(0, -pads.top);
  const cropLeft = Math.max(0, -pads.left);
  const cropBottom = Math.max(0, -pads.bottom);
  const cropRight = Math.max(0, -pads.right);
  const cropped =
    cropTop + cropLeft + cropBottom + cropRight === 0
      ? x
      : tf.slice(x, [0, cropTop, cropLeft, 0], [-1, h - cropTop - cropBottom, w - cropLeft - cropRight, -1]);
  return {
    x: cropped,
    padding: [
      [0, 0],
      [Math.max(0, pads.top), Math.max(0, pads.bottom)],
      [Math.max(0, pads.left), Math.max(0, pads.right)],
      [0, 0],
    ],
  };
}

/**
 * The pads of the input a filter gradient correlates with dy (dilated by the stride): the forward pads, widened
 * or cut at the far sides so the last output position's window ends at the input's edge.
 */
export function filterGradientPads(info: tf.backend_util.Conv2DInfo): Pads {
  const { padInfo, filterHeight, filterWidth, outHeight, outWidth, strideHeight, strideWidth, inHeight, inWidth } =
    info;
  return {
    top: padInfo.top,
    bottom: filterHeight + (outHeight - 1) * strideHeight - inHeight - padInfo.top,
    left: padInfo.left,
    right: filterWidth + (outWidth - 1) * strideWidth - inWidth - padInfo.left,
  };
}

/** The attributes every convolution gradient kernel shares. */
export type ConvolutionAttrs = {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

/** Output geometry of the forward convolution a gradient belongs to (dilations are 1: see requireUnitDilations). */
export function forwardConvInfo(
  xShape: number[],
  filterShape: number[],
  attrs: ConvolutionAttrs,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    depthwise,
    'channelsLast',
  );
}

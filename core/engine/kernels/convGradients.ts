// Conv2DBackpropFilter (missing on wasm) and Conv2DBackpropInput (a naive loop on wasm) as compositions of the
// XNNPACK-backed forward convolution and matrix multiply, which run 10-100x faster than loops on wasm.
import * as tf from '@tensorflow/tfjs-core';
import {
  asTensor,
  cropForPads,
  filterGradientPads,
  requireChannelsLast,
  forwardConvInfo,
  type ConvolutionAttrs,
} from './tensorArgs';
import { inputGradientByPhases } from './stridedInputGradient';

type ConvGradAttrs = ConvolutionAttrs & { dataFormat: 'NHWC' | 'NCHW' };

/** A convolution whose kernel equals its stride and has no padding (ViT/Swin patch embedding, ConvNeXt stem). */
function isPatchify(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === info.strideHeight &&
    info.filterWidth === info.strideWidth &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0
  );
}

function isPointwise(info: tf.backend_util.Conv2DInfo): boolean {
  return (
    info.filterHeight === 1 &&
    info.filterWidth === 1 &&
    info.strideHeight === 1 &&
    info.strideWidth === 1 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0
  );
}

/** x cropped to the rows/columns a patchify conv reads, as [N*OH*OW, KH*KW*C] patches (rank <= 4 transposes). */
function patchRows(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor2D {
  const { batchSize: n, outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, inChannels: c } = info;
  const used = tf.slice(x, [0, 0, 0, 0], [n, oh * kh, ow * kw, c]);
  const rows = tf.transpose(tf.reshape(used, [n * oh, kh, ow, kw * c]), [0, 2, 1, 3]);
  return tf.reshape(rows, [n * oh * ow, kh * kw * c]);
}

/**
 * dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s+kh-top, ow*s+kw-left, ci] * dy[n,oh,ow,co]: a stride-1
 * convolution of x with batch and channels swapped, using dy (spatial dims as kernel, dilated by the stride)
 * as the filter. Its output is [ci, KH, KW, co].
 */
export function conv2DBackpropFilter(args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap }): tf.Tensor {
  const attrs = args.attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
  requireChannelsLast(attrs.dataFormat, 'Conv2DBackpropFilter');
  const x = asTensor<tf.Rank.R4>(args.inputs.x!, 'x');
  const dy = asTensor<tf.Rank.R4>(args.inputs.dy!, 'dy');
  const info = forwardConvInfo(x.shape, attrs.filterShape, attrs, false);
  const [kh, kw, ci, co] = attrs.filterShape;
  return tf.tidy(() => {
    if (isPointwise(info) || isPatchify(info)) {
      const patches = isPointwise(info) ? tf.reshape(x, [-1, ci]) : patchRows(x, info);
      return tf.reshape(tf.matMul(patches, tf.reshape(dy, [-1, co]), true, false), [kh, kw, ci, co]);
    }
    const { x: xCropped, padding } = cropForPads(tf.transpose(x, [3, 1, 2, 0]), filterGradientPads(info));
    const dyAsFilter = tf.transpose(dy, [1, 2, 0, 3]);
    const grad = tf.conv2d(xCropped, dyAsFilter, 1, padding, 'NHWC', [info.strideHeight, info.strideWidth]);
    return tf.transpose(grad, [1, 2, 0, 3]);
  });
}

export function conv2DBackpropInput(args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap }): tf.Tensor {
  const attrs = args.attrs as unknown as ConvGradAttrs & { inputShape: [number, number, number, number] };
  requireChannelsLast(attrs.dataFormat, 'Conv2DBackpropInput');
  const dy = asTensor<tf.Rank.R4>(args.inputs.dy!, 'dy');
  const filter = asTensor<tf.Rank.R4>(args.inputs.filter!, 'filter');
  const info = forwardConvInfo(attrs.inputShape, filter.shape, attrs, false);
  const [n, h, w, ci] = attrs.inputShape;
  const [kh, kw, , co] = filter.shape;
  return tf.tidy(() => {
    if (isPointwise(info)) {
      return tf.reshape(tf.matMul(tf.reshape(dy, [-1, co]), tf.reshape(filter, [ci, co]), false, true), [n, h, w, ci]);
    }
    if (isPatchify(info)) {
      const { outHeight: oh, outWidth: ow } = info;
      const patches = tf.matMul(tf.reshape(dy, [-1, co]), tf.reshape(filter, [kh * kw * ci, co]), false, true);
      const image = tf.transpose(tf.reshape(patches, [n * oh, ow, kh, kw * ci]), [0, 2, 1, 3]);
      const covered = tf.reshape(image, [n, oh * kh, ow * kw, ci]);
      return tf.pad(covered, [
        [0, 0],
        [0, h - oh * kh],
        [0, w - ow * kw],
        [0, 0],
      ]);
    }
    // The transposed convolution correlates dy with the spatially flipped filter, channels swapped.
    const filterForDy = tf.transpose(filter, [0, 1, 3, 2]);
    return inputGradientByPhases(dy, filterForDy, info, ci, (dyPart, subFilter, padding) =>
      tf.conv2d(dyPart, subFilter, 1, padding, 'NHWC'),
    );
  });
}

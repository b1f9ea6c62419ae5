// DepthwiseConv2dNativeBackpropFilter/Input, both missing on wasm. The input gradient is a composition of the
// XNNPACK depthwise convolution by stride phases (see stridedInputGradient.ts). The filter gradient with channel
// multiplier 1 (every depthwise layer of the registry's backbones) is a SIMD loop of RadLab's own on the backend's
// heap (heapKernels.as.ts): written as one XNNPACK depthwise convolution with dy as a per-channel kernel, a
// ConvNeXt-T step at 224 px ran single-threaded for over ten minutes, XNNPACK's depthwise kernels being made for
// small kernels, not 56x56 ones. Other multipliers keep that composition.
import * as tf from '@tensorflow/tfjs-core';
import {
  asTensor,
  cropForPads,
  filterGradientPads,
  requireUnitDilations,
  forwardConvInfo,
  type ConvolutionAttrs,
} from './tensorArgs';
import { inputGradientByPhases } from './stridedInputGradient';
import { heapDepthwiseFilterGradient, windowGeometry, type WasmHeapBackend } from './heapKernels';

type DepthwiseGradAttrs = ConvolutionAttrs & { dilations: [number, number] | number };

export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  backend: WasmHeapBackend;
}): tf.TensorInfo {
  const attrs = args.attrs as unknown as DepthwiseGradAttrs & { filterShape: [number, number, number, number] };
  requireUnitDilations(attrs.dilations, 'DepthwiseConv2dNativeBackpropFilter');
  const x = asTensor<tf.Rank.R4>(args.inputs.x!, 'x');
  const dy = asTensor<tf.Rank.R4>(args.inputs.dy!, 'dy');
  const info = forwardConvInfo(x.shape, attrs.filterShape, attrs, true);
  const [kh, kw, c, multiplier] = attrs.filterShape;
  const [n, h, w] = x.shape;
  const { outHeight: oh, outWidth: ow } = info;
  if (multiplier === 1) return heapDepthwiseFilterGradient(args.backend, x, dy, windowGeometry(info));
  return tf.tidy(() => {
    // One image, channels ordered (n, c): each depthwise channel sums over one sample's spatial positions.
    const image = tf.reshape<tf.Rank.R4>(tf.transpose(x, [1, 2, 0, 3]), [1, h, w, n * c]);
    const { x: cropped, padding } = cropForPads(image, filterGradientPads(info));
    const dyAsFilter = tf.reshape<tf.Rank.R4>(tf.transpose(dy, [1, 2, 0, 3]), [oh, ow, n * c, multiplier]);
    const perSample = tf.depthwiseConv2d(cropped, dyAsFilter, 1, padding, 'NHWC', [
      info.strideHeight,
      info.strideWidth,
    ]);
    return tf.sum(tf.reshape(perSample, [kh, kw, n, c, multiplier]), 2);
  });
}

export function depthwiseConv2dNativeBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
}): tf.Tensor {
  const attrs = args.attrs as unknown as DepthwiseGradAttrs & { inputShape: [number, number, number, number] };
  requireUnitDilations(attrs.dilations, 'DepthwiseConv2dNativeBackpropInput');
  const dy = asTensor<tf.Rank.R4>(args.inputs.dy!, 'dy');
  const filter = asTensor<tf.Rank.R4>(args.inputs.filter!, 'filter');
  const info = forwardConvInfo(attrs.inputShape, filter.shape, attrs, true);
  const [n, h, w, c] = attrs.inputShape;
  const [kh, kw, , multiplier] = filter.shape;
  return tf.tidy(() => {
    // Each of the c*multiplier dy channels is correlated with its own filter tap set (multiplier 1); the
    // multiplier outputs of one input channel are then summed.
    const perOutputChannel = tf.reshape<tf.Rank.R4>(filter, [kh, kw, c * multiplier, 1]);
    const grad = inputGradientByPhases(dy, perOutputChannel, info, c * multiplier, (dyPart, subFilter, padding) =>
      tf.depthwiseConv2d(dyPart, subFilter, 1, padding, 'NHWC'),
    );
    return multiplier === 1 ? grad : tf.sum(tf.reshape(grad, [n, h, w, c, multiplier]), 4);
  });
}

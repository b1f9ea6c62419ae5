// DepthwiseConv2dNativeBackpropFilter/Input, both missing on wasm, as compositions of the XNNPACK depthwise
// convolution: the input gradient by stride phases (see stridedInputGradient.ts), the filter gradient as one
// depthwise convolution over an image whose channels are batch x channel, with dy (dilated by the stride) as the
// per-channel kernel.
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

type DepthwiseGradAttrs = ConvolutionAttrs & { dilations: [number, number] | number };

export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
}): tf.Tensor {
  const attrs = args.attrs as unknown as DepthwiseGradAttrs & { filterShape: [number, number, number, number] };
  requireUnitDilations(attrs.dilations, 'DepthwiseConv2dNativeBackpropFilter');
  const x = asTensor<tf.Rank.R4>(args.inputs.x!, 'x');
  const dy = asTensor<tf.Rank.R4>(args.inputs.dy!, 'dy');
  const info = forwardConvInfo(x.shape, attrs.filterShape, attrs, true);
  const [kh, kw, c, multiplier] = attrs.filterShape;
  const [n, h, w] = x.shape;
  const { outHeight: oh, outWidth: ow } = info;
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

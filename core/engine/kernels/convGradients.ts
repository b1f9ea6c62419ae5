// Conv2DBackpropFilter (missing on wasm) and Conv2DBackpropInput (a naive loop on wasm) as compositions of the
// XNNPACK-backed forward convolution and matrix multiply, which run 10-100x faster than loops on wasm, and a
// patch gather of RadLab's own (heapKernels.as.ts).
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, requireChannelsLast, forwardConvInfo, type ConvolutionAttrs } from './tensorArgs';
import { heapImageFromPatchesByTap, heapPatchesByTap, windowGeometry, type WasmHeapBackend } from './heapKernels';
import { inputGradientByPhases } from './stridedInputGradient';
import { CONV_FILTER_REPACK_NS, convCounts, GEMM_PACK_NS, PATCH_NS, TRANSPOSE_NS } from './setupCosts';

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

/**
 * dW[kh,kw,ci,co] = Σ over n,oh,ow of x[n, oh·s + kh − top, ow·s + kw − left, ci] · dy[n,oh,ow,co]: one matrix
 * product of x's patches laid out one row per filter tap and channel ([kh·kw·ci, positions], written in place on
 * the heap) with dy as [positions, co], whose long inner dimension suits XNNPACK's GEMM (~60 GFLOP/s on the bench
 * machine). The earlier form, a convolution of x with dy as its filter, ran at 11–40 GFLOP/s: its channels are
 * the batch, too few for XNNPACK's micro-kernels.
 */
export function conv2DBackpropFilter(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  backend: WasmHeapBackend;
}): tf.Tensor {
  const attrs = args.attrs as unknown as ConvGradAttrs & { filterShape: [number, number, number, number] };
  requireChannelsLast(attrs.dataFormat, 'Conv2DBackpropFilter');
  const x = asTensor<tf.Rank.R4>(args.inputs.x!, 'x');
  const dy = asTensor<tf.Rank.R4>(args.inputs.dy!, 'dy');
  const info = forwardConvInfo(x.shape, attrs.filterShape, attrs, false);
  const [kh, kw, ci, co] = attrs.filterShape;
  return tf.tidy(() => {
    const patches = tf.engine().makeTensorFromTensorInfo(heapPatchesByTap(args.backend, x, windowGeometry(info)));
    return tf.reshape(tf.matMul(patches, tf.reshape(dy, [-1, co])), [kh, kw, ci, co]);
  });
}

/**
 * Whether a convolution's input gradient costs less as one GEMM W[kh·kw·ci, co] · dyᵀ into patches by tap, then
 * their adjoint gather, than as XNNPACK convolutions of dy with the flipped filter: the convolution repacks the
 * filter, the GEMM packs dyᵀ after transposing it and writes and gathers back the patches (setupCosts.ts). At
 * stride 1 the GEMM wins where weights outnumber positions, as in ResNet's last stage (3×3×512×512 weights, 4×4
 * pixels: 41 → 21 ms at batch 16). Strided convolutions always take it: the convolution form splits into stride²
 * phases, each slicing dy and the filter, and interleaves them back, which measured 1.3–2.7× slower on ResNet's
 * downsampling layers at batch 16 and 32, 8–64 px.
 */
function inputGradientPrefersGemm(info: tf.backend_util.Conv2DInfo): boolean {
  if (info.strideHeight > 1 || info.strideWidth > 1) return true;
  const { taps, positions, outChannels } = convCounts(info);
  const gemm = (GEMM_PACK_NS + TRANSPOSE_NS) * outChannels * positions + 2 * PATCH_NS * taps * positions;
  return gemm < CONV_FILTER_REPACK_NS * taps * outChannels;
}

export function conv2DBackpropInput(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  backend: WasmHeapBackend;
}): tf.Tensor {
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
    if (inputGradientPrefersGemm(info)) {
      const patches = tf.matMul(tf.reshape(filter, [kh * kw * ci, co]), tf.reshape(dy, [-1, co]), false, true);
      return tf
        .engine()
        .makeTensorFromTensorInfo(heapImageFromPatchesByTap(args.backend, patches, windowGeometry(info)));
    }
    // Stride 1 here: one convolution of dy with the spatially flipped filter, channels swapped.
    const filterForDy = tf.transpose(filter, [0, 1, 3, 2]);
    return inputGradientByPhases(dy, filterForDy, info, ci, (dyPart, subFilter, padding) =>
      tf.conv2d(dyPart, subFilter, 1, padding, 'NHWC'),
    );
  });
}

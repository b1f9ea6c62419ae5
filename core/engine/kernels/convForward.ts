// Conv2D on the wasm engine: XNNPACK's convolution, except where its filter repacking would cost more than the
// convolution's multiply-adds save by it. tfjs keeps XNNPACK's packed filter only while the filter tensor lives,
// and training gives every filter a new tensor each step, so ResNet-18's last stage (3×3×512×512 weights over 4×4
// pixels at 128 px) spent 24 of its 41 ms a layer repacking. A filter seen for the first time there runs as one GEMM
// over its patches instead, which packs the patches; from its second use on (evaluation batches, micro-batches)
// the filter goes to XNNPACK, which then packs it once and keeps it.
import * as tf from '@tensorflow/tfjs-core';
import { asTensor, forwardConvInfo, type ConvolutionAttrs } from './tensorArgs';
import { heapPatchesByTap, windowGeometry, type WasmHeapBackend } from './heapKernels';
import { CONV_FILTER_REPACK_NS, convCounts, GEMM_PACK_NS, PATCH_NS, TRANSPOSE_NS } from './setupCosts';
import type { NativeKernel } from './otherKernels';

type Conv2DAttrs = ConvolutionAttrs & { dataFormat: 'NHWC' | 'NCHW'; dilations: number | [number, number] };

/**
 * out = (Wᵀ · patches)ᵀ costs a transpose of W, the patch gather, packing the patches and a transpose of the
 * result; XNNPACK's convolution costs the filter repacking (setupCosts.ts).
 */
function prefersGemm(info: tf.backend_util.Conv2DInfo): boolean {
  const { taps, positions, outChannels } = convCounts(info);
  const gemm =
    TRANSPOSE_NS * taps * outChannels +
    (PATCH_NS + GEMM_PACK_NS) * taps * positions +
    TRANSPOSE_NS * outChannels * positions;
  return gemm < CONV_FILTER_REPACK_NS * taps * outChannels;
}

export function makeConv2D(native: NativeKernel) {
  // Filters XNNPACK may hold packed: seen once before. A WeakSet, so a disposed filter's entry goes with it.
  const seenFilters = new WeakSet<object>();
  return (args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: WasmHeapBackend }): tf.TensorInfo => {
    const attrs = args.attrs as unknown as Conv2DAttrs;
    const x = asTensor<tf.Rank.R4>(args.inputs.x!, 'x');
    const filter = asTensor<tf.Rank.R4>(args.inputs.filter!, 'filter');
    const firstSight = !seenFilters.has(filter.dataId);
    seenFilters.add(filter.dataId);
    const dilations = attrs.dilations ?? 1;
    const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : dilations;
    if (!firstSight || dh !== 1 || dw !== 1 || attrs.dataFormat !== 'NHWC') return native(args as never);
    const info = forwardConvInfo(x.shape, filter.shape, attrs, false);
    if (!prefersGemm(info)) return native(args as never);
    const { taps, outChannels } = convCounts(info);
    return tf.tidy(() => {
      const patches = tf.engine().makeTensorFromTensorInfo(heapPatchesByTap(args.backend, x, windowGeometry(info)));
      const outByChannel = tf.matMul(tf.reshape(filter, [taps, outChannels]), patches, true, false);
      return tf.reshape(tf.transpose(outByChannel), info.outShape);
    });
  };
}

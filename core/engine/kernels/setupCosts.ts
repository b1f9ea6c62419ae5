// What a convolution or matrix product on the wasm engine pays besides its multiply-adds when its weights are new,
// as they are at every training step: nanoseconds per value moved, measured on the bench machine (2-vCPU AMD EPYC,
// ResNet-18's layer shapes). The convolution kernels choose between equivalent forms with them; the multiply-adds
// are the same in every form, so only these costs differ.
import type * as tf from '@tensorflow/tfjs-core';

/** XNNPACK repacking a convolution's filter: tfjs's layout change to [co, kh, kw, ci], then XNNPACK's packing. */
export const CONV_FILTER_REPACK_NS = 10;
/** XNNPACK packing the right-hand matrix of a GEMM (tfjs keeps a packed copy only while that tensor lives). */
export const GEMM_PACK_NS = 5.5;
/** The heap kernels' 4×4-block transpose. */
export const TRANSPOSE_NS = 1;
/** Writing, or gathering back, one value of a convolution's patches by tap. */
export const PATCH_NS = 1.5;

/** The shape of a convolution as the costs count it. */
export interface ConvCounts {
  /** kh·kw·ci: values in one patch. */
  taps: number;
  /** batch·outHeight·outWidth. */
  positions: number;
  outChannels: number;
}

export function convCounts(info: tf.backend_util.Conv2DInfo): ConvCounts {
  return {
    taps: info.filterHeight * info.filterWidth * info.inChannels,
    positions: info.batchSize * info.outHeight * info.outWidth,
    outChannels: info.outChannels,
  };
}

// Installs the composite training kernels on the wasm backend. Must run after the backend is initialised:
// the native kernels that the composites call keep their wasm bindings from the backend's set-up.
import * as tf from '@tensorflow/tfjs-core';
import { makeConv2D } from './convForward';
import { conv2DBackpropFilter, conv2DBackpropInput } from './convGradients';
import { FUSED_ADAMW_KERNEL } from '../../train/adamWStep';
import { fusedAdamW } from './fusedAdamW';
import { depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './depthwiseGradients';
import { makeHeapSlice, makeHeapSplitV, makeHeapUnpack } from './heapSlice';
import {
  makeBatchMatMul,
  makeSharedIdentity,
  makeTile,
  maxPoolGrad,
  unsortedSegmentSum,
  type NativeKernel,
} from './otherKernels';
import { makeColumnMean, makeColumnSum } from './heapReductions';
import { makeBlockTranspose } from './heapTranspose';

export const wasmTrainingKernels = [
  'Conv2D',
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'UnsortedSegmentSum',
  'MaxPoolGrad',
  'BatchMatMul',
  'Tile',
  'Slice',
  'SplitV',
  'Unpack',
  'Sum',
  'Mean',
  'Transpose',
  'Identity',
  FUSED_ADAMW_KERNEL,
] as const;

// The native kernels are captured once: after the first install the registry holds the composites.
let natives:
  | {
      conv2D: NativeKernel;
      batchMatMul: NativeKernel;
      tile: NativeKernel;
      slice: NativeKernel;
      sum: NativeKernel;
      mean: NativeKernel;
      transpose: NativeKernel;
      identity: NativeKernel;
    }
  | undefined;

function nativeKernel(name: string): NativeKernel {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel to build on`);
  return kernel.kernelFunc as unknown as NativeKernel;
}

function install(name: string, kernelFunc: (args: never) => tf.TensorInfo | tf.TensorInfo[]): void {
  if (tf.getKernel(name, 'wasm')) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** Registers the composites (once per process); returns the kernel names now provided. */
export function registerWasmTrainingKernels(): readonly string[] {
  if (!tf.findBackend('wasm')) throw new Error('registerWasmTrainingKernels: the wasm backend is not initialised');
  if (natives) return wasmTrainingKernels;
  natives = {
    conv2D: nativeKernel('Conv2D'),
    batchMatMul: nativeKernel('BatchMatMul'),
    tile: nativeKernel('Tile'),
    slice: nativeKernel('Slice'),
    sum: nativeKernel('Sum'),
    mean: nativeKernel('Mean'),
    transpose: nativeKernel('Transpose'),
    identity: nativeKernel('Identity'),
  };
  install('Conv2D', makeConv2D(natives.conv2D));
  install('Conv2DBackpropFilter', conv2DBackpropFilter);
  install('Conv2DBackpropInput', conv2DBackpropInput);
  install('DepthwiseConv2dNativeBackpropFilter', depthwiseConv2dNativeBackpropFilter);
  install('DepthwiseConv2dNativeBackpropInput', depthwiseConv2dNativeBackpropInput);
  install('UnsortedSegmentSum', unsortedSegmentSum);
  install('MaxPoolGrad', maxPoolGrad);
  install('BatchMatMul', makeBatchMatMul(natives.batchMatMul));
  install('Tile', makeTile(natives.tile));
  const slice = makeHeapSlice(natives.slice);
  install('Slice', slice);
  install('SplitV', makeHeapSplitV(slice));
  install('Unpack', makeHeapUnpack(slice));
  install('Sum', makeColumnSum(natives.sum));
  install('Mean', makeColumnMean(natives.mean));
  install('Transpose', makeBlockTranspose(natives.transpose));
  install('Identity', makeSharedIdentity(natives.identity));
  install(FUSED_ADAMW_KERNEL, fusedAdamW);
  return wasmTrainingKernels;
}

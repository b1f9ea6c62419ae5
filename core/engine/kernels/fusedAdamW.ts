// The wasm engine's FUSED_ADAMW_KERNEL: AdamW's step for one parameter tensor in a single pass over the heap
// (heapKernels.as.ts), where the element-wise form concatenates a group's tensors, runs ten full-size operations
// and splits the results again (~100 ms a step for ResNet-18's 11.7M parameters on the bench machine).
import type * as tf from '@tensorflow/tfjs-core';
import type { AdamWStepFactors } from '../../train/adamWStep';
import { heapAdamW, type WasmHeapBackend } from './heapKernels';

export function fusedAdamW(args: {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  backend: WasmHeapBackend;
}): tf.TensorInfo[] {
  const { value, gradient, m, v } = args.inputs as Record<'value' | 'gradient' | 'm' | 'v', tf.TensorInfo>;
  for (const [name, info] of Object.entries({ value, gradient, m, v })) {
    if (info.dtype !== 'float32' || info.shape.join() !== value.shape.join()) {
      throw new Error(`fused AdamW: ${name} must be float32 of the value's shape [${value.shape}]`);
    }
  }
  return heapAdamW(args.backend, [value, gradient, m, v], args.attrs as unknown as AdamWStepFactors);
}

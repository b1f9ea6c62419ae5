// Transpose on the wasm backend for the permutations that swap two blocks of axes (a matrix transpose, batched or
// not: [b, r, c] → [b, c, r] once neighbouring axes that move together are merged). The shipped kernel's loop
// takes 60 ms to transpose a 65536×64 matrix on the bench machine; transposing 4×4 blocks in SIMD registers takes
// a few. Other permutations go to the shipped kernel.
import * as tf from '@tensorflow/tfjs-core';
import { heapTransposeLastTwo, type WasmHeapBackend } from './heapKernels';
import type { NativeKernel } from './otherKernels';

interface TransposeArgs {
  inputs: { x: tf.TensorInfo };
  attrs: { perm: number[] };
  backend: WasmHeapBackend;
}

/**
 * The shape and permutation with axes of size 1 dropped and axes that stay neighbours, in order, merged: e.g.
 * [2, 3, 4, 5] by [0, 3, 1, 2] is [2, 12, 5] by [0, 2, 1].
 */
export function mergedPermutation(
  shape: readonly number[],
  perm: readonly number[],
): { shape: number[]; perm: number[] } {
  const keptAxes = shape.map((_, axis) => axis).filter((axis) => shape[axis] !== 1);
  const sizes = keptAxes.map((axis) => shape[axis]!);
  const keptPerm = perm.filter((axis) => shape[axis] !== 1).map((axis) => keptAxes.indexOf(axis));
  // Runs of input axes that follow each other in the output too.
  const runs: number[][] = [];
  for (const axis of keptPerm) {
    const run = runs[runs.length - 1];
    if (run !== undefined && run[run.length - 1] === axis - 1) run.push(axis);
    else runs.push([axis]);
  }
  const inInputOrder = [...runs].sort((a, b) => a[0]! - b[0]!);
  return {
    shape: inInputOrder.map((run) => run.reduce((size, axis) => size * sizes[axis]!, 1)),
    perm: runs.map((run) => inInputOrder.indexOf(run)),
  };
}

export function makeBlockTranspose(native: NativeKernel) {
  return (args: TransposeArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    const { perm } = args.attrs;
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return native(args as never);
    const merged = mergedPermutation(x.shape, perm);
    const outShape = perm.map((axis) => x.shape[axis]!);
    if (merged.perm.length === 2 && merged.perm[0] === 1) {
      return heapTransposeLastTwo(args.backend, x, outShape, [1, merged.shape[0]!, merged.shape[1]!]);
    }
    if (merged.perm.length === 3 && merged.perm.join() === '0,2,1') {
      return heapTransposeLastTwo(args.backend, x, outShape, merged.shape as [number, number, number]);
    }
    return native(args as never);
  };
}

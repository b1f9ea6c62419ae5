// Sum and Mean over axes that are not the innermost, on the wasm backend without its transpose. The shipped
// kernels move the reduced axes innermost with a full transpose before reducing: a batch norm's statistics over
// [batch, height, width] transpose the whole activation (10.8 ms for 16×64×64×64 on the bench machine, against
// 1.2 ms for the same sums as column sums). Here a contiguous run of reduced axes is summed in place as the rows
// of [outer, rows, cols]; other axis sets go to the shipped kernel.
import * as tf from '@tensorflow/tfjs-core';
import { heapColumnSums, type WasmHeapBackend } from './heapKernels';
import type { NativeKernel } from './otherKernels';

interface ReductionArgs {
  inputs: { x: tf.TensorInfo };
  attrs: { axis: number | number[]; keepDims: boolean };
  backend: WasmHeapBackend;
}

/** [outer, rows, cols] when the reduced axes are one contiguous run that leaves at least one axis after it. */
function columnView(shape: number[], axes: number[]): [number, number, number] | undefined {
  const sorted = [...axes].sort((a, b) => a - b);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (last - first + 1 !== sorted.length || last === shape.length - 1) return undefined;
  const size = (from: number, to: number) => tf.util.sizeFromShape(shape.slice(from, to));
  return [size(0, first), size(first, last + 1), size(last + 1, shape.length)];
}

function makeColumnReduction(native: NativeKernel, mean: boolean) {
  return (args: ReductionArgs): tf.TensorInfo => {
    const { x } = args.inputs;
    const axes = tf.util.parseAxisParam(args.attrs.axis, x.shape);
    const view = x.dtype === 'float32' && axes.length > 0 ? columnView(x.shape, axes) : undefined;
    if (view === undefined || view[1] === 0) return native(args as never);
    const [outShape] = tf.backend_util.computeOutAndReduceShapes(x.shape, axes);
    const shape = args.attrs.keepDims ? tf.backend_util.expandShapeToKeepDim(outShape, axes) : outShape;
    return heapColumnSums(args.backend, x, shape, view, mean ? 1 / view[1] : 1);
  };
}

export const makeColumnSum = (native: NativeKernel) => makeColumnReduction(native, false);
export const makeColumnMean = (native: NativeKernel) => makeColumnReduction(native, true);

// Slice on the wasm backend without copying its input. The shipped kernel starts with backend.readSync(x), which
// copies the whole input out of the wasm heap before taking the slice: cutting a 160k-value piece out of an
// 11M-value vector copies 44 MB, and splitting that vector into 70 pieces copies it 70 times. This kernel reads
// the input through a view on the heap instead and copies only the slice, one contiguous run of the innermost
// dimension at a time. SplitV and Unpack call the shipped slice function directly, not through the kernel
// registry, so they are replaced too, as the same loops over this slice.
import * as tf from '@tensorflow/tfjs-core';
import type { NativeKernel } from './otherKernels';
import type { WasmHeapBackend } from './heapKernels';

interface SliceArgs {
  inputs: { x: tf.TensorInfo };
  attrs: { begin: number | number[]; size: number | number[] };
  backend: WasmHeapBackend;
}

export function makeHeapSlice(native: NativeKernel): (args: SliceArgs) => tf.TensorInfo {
  return (args) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return native(args as never);
    const [begin, size] = tf.slice_util.parseSliceParams(x as tf.Tensor, args.attrs.begin, args.attrs.size);
    // Allocate first: growing the heap would detach a view taken earlier.
    const out = args.backend.makeOutput(size, x.dtype);
    const count = tf.util.sizeFromShape(size);
    if (count === 0) return out;
    const input = args.backend.typedArrayFromHeap(x);
    const output = args.backend.typedArrayFromHeap(out);
    const strides = tf.util.computeStrides(x.shape);
    if (tf.slice_util.isSliceContinous(x.shape, begin, size)) {
      const start = tf.slice_util.computeFlatOffset(begin, strides);
      output.set(input.subarray(start, start + count));
      return out;
    }
    const rank = x.shape.length;
    const run = size[rank - 1]!;
    // An odometer over every index of the outer dimensions; each step copies one run of the last dimension.
    const index = new Array<number>(rank - 1).fill(0);
    for (let written = 0; written < count; written += run) {
      let start = begin[rank - 1]!;
      for (let d = 0; d < rank - 1; d++) start += (begin[d]! + index[d]!) * strides[d]!;
      output.set(input.subarray(start, start + run), written);
      for (let d = rank - 2; d >= 0; d--) {
        if (++index[d]! < size[d]!) break;
        index[d] = 0;
      }
    }
    return out;
  };
}

type HeapSlice = ReturnType<typeof makeHeapSlice>;

interface SplitVArgs {
  inputs: { x: tf.TensorInfo };
  attrs: { numOrSizeSplits: number | number[]; axis: number | number[] };
  backend: WasmHeapBackend;
}

export function makeHeapSplitV(slice: HeapSlice): (args: SplitVArgs) => tf.TensorInfo[] {
  return ({ inputs: { x }, attrs, backend }) => {
    const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0]!;
    const sizes = tf.backend_util.prepareSplitSize(x as tf.Tensor, attrs.numOrSizeSplits, axis);
    const begin = new Array<number>(x.shape.length).fill(0);
    return sizes.map((length) => {
      const size = [...x.shape];
      size[axis] = length;
      const piece = slice({ inputs: { x }, attrs: { begin: [...begin], size }, backend });
      begin[axis]! += length;
      return piece;
    });
  };
}

interface UnpackArgs {
  inputs: { value: tf.TensorInfo };
  attrs: { axis: number };
  backend: WasmHeapBackend;
}

export function makeHeapUnpack(slice: HeapSlice): (args: UnpackArgs) => tf.TensorInfo[] {
  return ({ inputs: { value }, attrs, backend }) => {
    const rank = value.shape.length;
    const axis = attrs.axis < 0 ? attrs.axis + rank : attrs.axis;
    const outShape = value.shape.filter((_, d) => d !== axis);
    const size = [...value.shape];
    size[axis] = 1;
    return Array.from({ length: value.shape[axis]! }, (_, i) => {
      const begin = new Array<number>(rank).fill(0);
      begin[axis] = i;
      const { dataId, dtype } = slice({ inputs: { x: value }, attrs: { begin, size }, backend });
      return { dataId, dtype, shape: outShape };
    });
  };
}

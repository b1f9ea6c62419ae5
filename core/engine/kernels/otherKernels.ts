// The remaining wasm training kernels: BatchMatMul (wasm's own is a naive loop when transposed or batched),
// Tile (a slow element loop; a broadcast add does the same), MaxPoolGrad and Identity (see below) and
// UnsortedSegmentSum (missing; the gradient of gather).
import * as tf from '@tensorflow/tfjs-core';
import { asTensor } from './tensorArgs';
import { heapMaxPoolGradient, windowGeometry, type WasmHeapBackend } from './heapKernels';

export type NativeKernel = (args: {
  inputs: tf.NamedTensorInfoMap;
  attrs: tf.NamedAttrMap;
  backend: tf.KernelBackend;
}) => tf.TensorInfo;

function runNative(
  native: NativeKernel,
  backend: tf.KernelBackend,
  inputs: tf.NamedTensorInfoMap,
  attrs: tf.NamedAttrMap,
): tf.Tensor {
  return tf.engine().makeTensorFromTensorInfo(native({ inputs, attrs, backend }), backend);
}

function swapLastTwo(x: tf.Tensor): tf.Tensor {
  const perm = x.shape.map((_, i) => i);
  perm[perm.length - 2] = x.rank - 1;
  perm[perm.length - 1] = x.rank - 2;
  return tf.transpose(x, perm);
}

/**
 * wasm's BatchMatMul is fast (XNNPACK) only for one untransposed matrix pair; transposes are made explicit,
 * a batch against a shared matrix is folded into rows, and other batches run one pair at a time.
 */
export function makeBatchMatMul(native: NativeKernel) {
  return (args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: tf.KernelBackend }): tf.Tensor => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const a0 = asTensor(args.inputs.a!, 'a');
    const b0 = asTensor(args.inputs.b!, 'b');
    const plain = { transposeA: false, transposeB: false };
    return tf.tidy(() => {
      const a = transposeA ? swapLastTwo(a0) : a0;
      const b = transposeB ? swapLastTwo(b0) : b0;
      const [m, k] = a.shape.slice(-2) as [number, number];
      const nCols = b.shape[b.rank - 1]!;
      const batchA = a.size / (m * k);
      const batchB = b.size / (k * nCols);
      const outBatch = tf.backend_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
      const outShape = [...outBatch, m, nCols];
      if (batchA === 1 && batchB === 1) {
        return tf.reshape(
          runNative(native, args.backend, { a: tf.reshape(a, [1, m, k]), b: tf.reshape(b, [1, k, nCols]) }, plain),
          outShape,
        );
      }
      if (batchB === 1) {
        const rows = runNative(
          native,
          args.backend,
          { a: tf.reshape(a, [1, batchA * m, k]), b: tf.reshape(b, [1, k, nCols]) },
          plain,
        );
        return tf.reshape(rows, outShape);
      }
      const batch = Math.max(batchA, batchB);
      if (batchA !== 1 && batchA !== batchB) {
        throw new Error(
          `BatchMatMul on wasm: batch shapes ${a.shape.slice(0, -2)} and ${b.shape.slice(0, -2)} only broadcast from a single matrix`,
        );
      }
      const a3 = tf.reshape(a, [batchA, m, k]);
      const b3 = tf.reshape(b, [batchB, k, nCols]);
      const products: tf.Tensor[] = [];
      for (let i = 0; i < batch; i++) {
        const ai = batchA === 1 ? a3 : tf.slice(a3, [i, 0, 0], [1, m, k]);
        const bi = tf.slice(b3, [i, 0, 0], [1, k, nCols]);
        products.push(runNative(native, args.backend, { a: ai, b: bi }, plain));
      }
      return tf.reshape(tf.concat(products, 0), outShape);
    });
  };
}

/** Tile is always a broadcast once every tiled axis gets a size-1 axis in front of it. */
export function makeTile(native: NativeKernel) {
  return (args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: tf.KernelBackend }): tf.Tensor => {
    const x = asTensor(args.inputs.x!, 'x');
    const { reps } = args.attrs as { reps: number[] };
    if (x.dtype !== 'float32' && x.dtype !== 'int32') return runNative(native, args.backend, args.inputs, args.attrs);
    return tf.tidy(() => {
      const spread: number[] = [];
      const target: number[] = [];
      x.shape.forEach((d, i) => {
        if (reps[i]! !== 1 && d !== 1) {
          spread.push(1);
          target.push(reps[i]!);
        }
        spread.push(d);
        target.push(d === 1 ? reps[i]! : d);
      });
      const broadcast = tf.add(tf.reshape(x, spread), tf.zeros(target, x.dtype));
      return tf.reshape(
        broadcast,
        x.shape.map((d, i) => d * reps[i]!),
      );
    });
  };
}

/**
 * Max pooling's input gradient on the heap (heapKernels.as.ts). wasm's own starts its running max at the smallest
 * positive float, so windows of values <= 0 got no gradient, and its loop took 119 ms for ResNet-18's one pooling
 * layer at 128 px and batch 16.
 */
export function maxPoolGrad(args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap; backend: WasmHeapBackend }) {
  const input = asTensor<tf.Rank.R4>(args.inputs.input!, 'input');
  const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(input.shape, filterSize, strides, 1, pad, dimRoundingMode);
  return heapMaxPoolGradient(args.backend, input, args.inputs.dy!, windowGeometry(info));
}

/**
 * Identity as a second reference to the same data, as tfjs's reference backend does, instead of wasm's copy. The
 * engine clones every tensor a gradient will need while it records the tape, so the copying kernel doubled the
 * memory of a training step's saved activations and copied each of them (878 copies in a ResNet-18 step). Safe
 * because no kernel writes into its inputs: the data is freed when the last reference goes.
 */
export function makeSharedIdentity(native: NativeKernel) {
  return (args: {
    inputs: tf.NamedTensorInfoMap;
    attrs: tf.NamedAttrMap;
    backend: tf.KernelBackend;
  }): tf.TensorInfo => {
    const x = args.inputs.x!;
    if (x.dtype === 'string') return native(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  };
}

/** Segment sums are a scatter with accumulation: each row of x is added at its segment id. */
export function unsortedSegmentSum(args: { inputs: tf.NamedTensorInfoMap; attrs: tf.NamedAttrMap }): tf.Tensor {
  const x = asTensor(args.inputs.x!, 'x');
  const ids = asTensor(args.inputs.segmentIds!, 'segmentIds');
  const { numSegments } = args.attrs as { numSegments: number };
  return tf.tidy(() => tf.scatterND(tf.expandDims(ids, -1), x, [numSegments, ...x.shape.slice(ids.rank)]));
}

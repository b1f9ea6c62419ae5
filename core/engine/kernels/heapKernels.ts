// The kernels of heapKernels.as.ts, run on tensors where they lie in the wasm backend's heap. The module is
// instantiated against the backend's own shared memory (one instance per heap), and each call passes the byte
// offsets of its tensors' data: nothing is copied in or out. The calls run on the main thread while the backend's
// thread pool is idle, as every backend kernel is called.
import type * as tf from '@tensorflow/tfjs-core';
import type { AdamWStepFactors } from '../../train/adamWStep';
import { heapKernelsSharedWasmBase64 } from './heapKernelsSharedWasm.generated';
import { heapKernelsUnsharedWasmBase64 } from './heapKernelsUnsharedWasm.generated';

/** The parts of the wasm backend (tfjs-backend-wasm's BackendWasm) the heap kernels use. */
export interface WasmHeapBackend {
  /** The emscripten module: the threaded build exports its shared memory, the other its wasm exports. */
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array | Int32Array | Uint8Array;
  disposeData(dataId: tf.DataId): boolean;
}

/** A convolution's or pooling window's geometry, NHWC, as the kernels take it. */
export interface WindowGeometry {
  batch: number;
  height: number;
  width: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  kernelHeight: number;
  kernelWidth: number;
  strideHeight: number;
  strideWidth: number;
  padTop: number;
  padLeft: number;
}

/** A WindowGeometry as the kernels' trailing arguments, in its field order. */
type GeometryArgs = [
  batch: number,
  height: number,
  width: number,
  channels: number,
  outHeight: number,
  outWidth: number,
  kernelHeight: number,
  kernelWidth: number,
  strideHeight: number,
  strideWidth: number,
  padTop: number,
  padLeft: number,
];

interface HeapKernelExports {
  columnSums(x: number, out: number, scratch: number, rows: number, cols: number, scale: number): void;
  transposeLastTwo(x: number, out: number, batch: number, rows: number, cols: number): void;
  patchesByTap(x: number, out: number, ...geometry: GeometryArgs): void;
  imageFromPatchesByTap(patches: number, dx: number, ...geometry: GeometryArgs): void;
  depthwiseFilterGradient(x: number, dy: number, out: number, ...geometry: GeometryArgs): void;
  maxPoolGradient(x: number, dy: number, dx: number, ...geometry: GeometryArgs): void;
  /** Addresses of value, gradient, m, v, value', m', v'; the count; the AdamWStepFactors in their order. */
  adamW(...addressesCountAndFactors: number[]): void;
}

const compiled: Partial<Record<'shared' | 'unshared', WebAssembly.Module>> = {};
const instances = new WeakMap<WebAssembly.Memory, HeapKernelExports>();

function kernelsOn(backend: WasmHeapBackend): HeapKernelExports {
  const memory = backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
  if (memory === undefined) throw new Error('heap kernels: the wasm backend exposes no memory to run on');
  let kernels = instances.get(memory);
  if (kernels === undefined) {
    const kind = memory.buffer instanceof SharedArrayBuffer ? 'shared' : 'unshared';
    const base64 = kind === 'shared' ? heapKernelsSharedWasmBase64 : heapKernelsUnsharedWasmBase64;
    const module = (compiled[kind] ??= new WebAssembly.Module(Buffer.from(base64, 'base64')));
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as HeapKernelExports;
    instances.set(memory, kernels);
  }
  return kernels;
}

/** The geometry of the convolution or pooling tfjs describes by `info`. */
export function windowGeometry(info: tf.backend_util.Conv2DInfo): WindowGeometry {
  return {
    batch: info.batchSize,
    height: info.inHeight,
    width: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    kernelHeight: info.filterHeight,
    kernelWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
}

/** The byte offset of a tensor's data in the heap. */
function addressOf(backend: WasmHeapBackend, info: tf.TensorInfo): number {
  return backend.typedArrayFromHeap(info).byteOffset;
}

function geometryArgs(g: WindowGeometry): GeometryArgs {
  return [
    g.batch,
    g.height,
    g.width,
    g.channels,
    g.outHeight,
    g.outWidth,
    g.kernelHeight,
    g.kernelWidth,
    g.strideHeight,
    g.strideWidth,
    g.padTop,
    g.padLeft,
  ];
}

/**
 * scale · the sums over the middle axis of float32 x seen as [outer, rows, cols]: [outer, cols] (the caller
 * gives the output's shape). Totals are kept in float64, so a mean over a million values loses nothing.
 */
export function heapColumnSums(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  outShape: number[],
  [outer, rows, cols]: [number, number, number],
  scale: number,
): tf.TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  // Room for cols float64 totals.
  const scratch = backend.makeOutput([2 * cols], 'float32');
  const kernels = kernelsOn(backend);
  const [xAt, outAt, scratchAt] = [addressOf(backend, x), addressOf(backend, out), addressOf(backend, scratch)];
  for (let o = 0; o < outer; o++) {
    kernels.columnSums(xAt + o * rows * cols * 4, outAt + o * cols * 4, scratchAt, rows, cols, scale);
  }
  backend.disposeData(scratch.dataId);
  return out;
}

/** x (4-byte values) seen as [batch, rows, cols] with its last two axes swapped, given the output's shape. */
export function heapTransposeLastTwo(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  outShape: number[],
  [batch, rows, cols]: [number, number, number],
): tf.TensorInfo {
  const out = backend.makeOutput(outShape, x.dtype);
  kernelsOn(backend).transposeLastTwo(addressOf(backend, x), addressOf(backend, out), batch, rows, cols);
  return out;
}

/** Runs a window kernel: the inputs' addresses, then a fresh float32 output's, then the geometry. */
function runWindowKernel(
  backend: WasmHeapBackend,
  kernel: 'patchesByTap' | 'imageFromPatchesByTap' | 'depthwiseFilterGradient' | 'maxPoolGradient',
  inputs: tf.TensorInfo[],
  outShape: number[],
  g: WindowGeometry,
): tf.TensorInfo {
  const out = backend.makeOutput(outShape, 'float32');
  const addresses = [...inputs, out].map((info) => addressOf(backend, info));
  (kernelsOn(backend)[kernel] as (...args: number[]) => void)(...addresses, ...geometryArgs(g));
  return out;
}

/** [kh·kw·channels, batch·outHeight·outWidth]: each filter tap's input values for every output position. */
export function heapPatchesByTap(backend: WasmHeapBackend, x: tf.TensorInfo, g: WindowGeometry): tf.TensorInfo {
  const shape = [g.kernelHeight * g.kernelWidth * g.channels, g.batch * g.outHeight * g.outWidth];
  return runWindowKernel(backend, 'patchesByTap', [x], shape, g);
}

/** The image [batch, height, width, channels] whose patches by tap add up to `patches` (the adjoint gather). */
export function heapImageFromPatchesByTap(
  backend: WasmHeapBackend,
  patches: tf.TensorInfo,
  g: WindowGeometry,
): tf.TensorInfo {
  return runWindowKernel(backend, 'imageFromPatchesByTap', [patches], [g.batch, g.height, g.width, g.channels], g);
}

/** Max pooling's input gradient [batch, height, width, channels] from its input x and output gradient dy. */
export function heapMaxPoolGradient(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: WindowGeometry,
): tf.TensorInfo {
  return runWindowKernel(backend, 'maxPoolGradient', [x, dy], [g.batch, g.height, g.width, g.channels], g);
}

/** The filter gradient [kh, kw, channels, 1] of a depthwise convolution with channel multiplier 1. */
export function heapDepthwiseFilterGradient(
  backend: WasmHeapBackend,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  g: WindowGeometry,
): tf.TensorInfo {
  return runWindowKernel(
    backend,
    'depthwiseFilterGradient',
    [x, dy],
    [g.kernelHeight, g.kernelWidth, g.channels, 1],
    g,
  );
}

/** One AdamW step of a parameter tensor: its new value, first and second moments, in fresh tensors. */
export function heapAdamW(
  backend: WasmHeapBackend,
  [value, gradient, m, v]: [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo, tf.TensorInfo],
  f: AdamWStepFactors,
): [tf.TensorInfo, tf.TensorInfo, tf.TensorInfo] {
  const outputs = [value, m, v].map(() => backend.makeOutput(value.shape, 'float32')) as [
    tf.TensorInfo,
    tf.TensorInfo,
    tf.TensorInfo,
  ];
  const addresses = [value, gradient, m, v, ...outputs].map((info) => addressOf(backend, info));
  const count = value.shape.reduce((a, b) => a * b, 1);
  const { decay, beta1, gradientShare1, beta2, gradientShare2, biasCorrection2Root, epsilon, stepSize } = f;
  const factors = [decay, beta1, gradientShare1, beta2, gradientShare2, biasCorrection2Root, epsilon, stepSize];
  (kernelsOn(backend).adamW as (...args: number[]) => void)(...addresses, count, ...factors);
  return outputs;
}

// The training kernels written in AssemblyScript (trainingKernels.as.ts): one module instance for the process, its
// memory grown to fit each call. The tensors are copied in and the result out: the module is single-threaded and
// keeps its own memory, apart from the wasm backend's heap and thread pool.
import { align, ensureMemory } from '../../wasm/linearMemory';
import { trainingKernelsWasmBase64 } from './trainingKernelsWasm.generated';

interface TrainingKernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  depthwiseFilterGradient(
    x: number,
    dy: number,
    out: number,
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
  ): void;
}

let kernels: TrainingKernels | undefined;

function loadKernels(): TrainingKernels {
  if (kernels === undefined) {
    const module = new WebAssembly.Module(Buffer.from(trainingKernelsWasmBase64, 'base64'));
    kernels = new WebAssembly.Instance(module, {}).exports as unknown as TrainingKernels;
  }
  return kernels;
}

/** Places float32 buffers one after another above the module's static data, growing its memory to fit. */
function layOut(module: TrainingKernels, lengths: readonly number[]): number[] {
  const offsets: number[] = [];
  let at = align(module.heapBase());
  for (const length of lengths) {
    offsets.push(at);
    at = align(at + length * 4);
  }
  ensureMemory(module.memory, at);
  return offsets;
}

export interface DepthwiseGeometry {
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

/** The filter gradient [kh, kw, c] of a depthwise convolution with multiplier 1, from NHWC x and dy. */
export function depthwiseFilterGradient(x: Float32Array, dy: Float32Array, g: DepthwiseGeometry): Float32Array {
  const module = loadKernels();
  const outLength = g.kernelHeight * g.kernelWidth * g.channels;
  const [xAt, dyAt, outAt] = layOut(module, [x.length, dy.length, outLength]) as [number, number, number];
  new Float32Array(module.memory.buffer, xAt, x.length).set(x);
  new Float32Array(module.memory.buffer, dyAt, dy.length).set(dy);
  module.depthwiseFilterGradient(
    xAt,
    dyAt,
    outAt,
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
  );
  return new Float32Array(module.memory.buffer, outAt, outLength).slice();
}

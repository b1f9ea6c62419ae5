// Resizing one-channel 8-bit images with a separable convolution filter, computing what Pillow's Image.resize
// computes for mode 'L' (BILINEAR, BICUBIC, LANCZOS): the same weights (taps.ts), the same 22-bit fixed-point sums
// and the same rounding after each pass, horizontal first. test/data/resample.test.ts compares with Pillow's bytes.
//
// Our own rather than sharp, which the project uses for every other image operation: a model input is a small
// crop (87-384 px square to 224), and a sharp call costs more in pipeline set-up and thread hand-offs than the
// filtering itself. Plain JavaScript loops were no faster on these machines (~2 ns per multiply-add), so the two
// passes are WebAssembly with SIMD (kernels.as.ts). `npm run bench:dicom` prints all three side by side.
import { kernelsWasmBase64 } from './kernelsWasm.generated';
import { regionLeavesFrame, regionOverlap, type PixelRegion } from '../../dicom/window';
import { tapsFor, type ResizeKernel, type Taps } from './taps';

export type { ResizeKernel };

interface Kernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  lookupRows16(values: number, signed: number, columns: number, width: number, rows: number, lut: number, offset: number, out: number, outWidth: number): void;
  resizeRows(src: number, width: number, rows: number, outWidth: number, first: number, count: number, weights: number, stride: number, out: number): void;
  resizeColumns(src: number, width: number, outHeight: number, first: number, count: number, weights: number, stride: number, out: number): void;
}

const PAGE_BYTES = 65536;
const LUT_BYTES = 65536; // a table for 16 stored bits, the most the lookup path takes

/**
 * The module, one per thread (module state: dataset workers each have their own). Its memory holds, from
 * `lutAt`: the window lookup table last copied in (`lutInMemory`), then per call the stored values being windowed,
 * the source image, the tap tables, the horizontal pass's rows and the output.
 */
interface Resampler {
  kernels: Kernels;
  lutAt: number;
  lutInMemory: Uint8Array | undefined;
}

let resampler: Resampler | undefined;

function loadResampler(): Resampler {
  if (resampler === undefined) {
    const module = new WebAssembly.Module(Buffer.from(kernelsWasmBase64, 'base64'));
    const kernels = new WebAssembly.Instance(module, {}).exports as unknown as Kernels;
    resampler = { kernels, lutAt: align(kernels.heapBase()), lutInMemory: undefined };
  }
  return resampler;
}

function align(offset: number): number {
  return (offset + 15) & ~15;
}

/** Grows the module's memory to hold `bytes` (growing keeps the contents; views made before it go stale). */
function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const missing = bytes - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / PAGE_BYTES));
}

/** Copies a tap table into memory at `at`: first indices, counts, weights (i32 each). */
function writeTaps(memory: WebAssembly.Memory, at: number, taps: Taps, firstShift = 0): { first: number; count: number; weights: number; end: number } {
  const n = taps.first.length;
  const first = new Int32Array(memory.buffer, at, n);
  for (let i = 0; i < n; i++) first[i] = taps.first[i]! - firstShift;
  new Int32Array(memory.buffer, at + 4 * n, n).set(taps.count);
  new Int32Array(memory.buffer, at + 8 * n, taps.weights.length).set(taps.weights);
  return { first: at, count: at + 4 * n, weights: at + 8 * n, end: align(at + 8 * n + 4 * taps.weights.length) };
}

function tapTableBytes(taps: Taps): number {
  return align(8 * taps.first.length + 4 * taps.weights.length);
}

function resizeBytesNeeded(width: number, height: number, outWidth: number, outHeight: number, kernel: ResizeKernel): number {
  const tables = (outWidth !== width ? tapTableBytes(tapsFor(width, outWidth, kernel)) : 0) + (outHeight !== height ? tapTableBytes(tapsFor(height, outHeight, kernel)) : 0);
  return tables + align(height * outWidth) + outWidth * outHeight;
}

/**
 * Resizes the width x height bytes at `sourceAt` to outWidth x outHeight into `out`, horizontally first; the
 * memory after `sourceAt + width * height` is free for the passes (resizeBytesNeeded of it, already there).
 */
function resizeInMemory(r: Resampler, sourceAt: number, width: number, height: number, outWidth: number, outHeight: number, kernel: ResizeKernel, out: Uint8Array): Uint8Array {
  const { kernels } = r;
  const { memory } = kernels;
  const horizontal = outWidth !== width ? tapsFor(width, outWidth, kernel) : undefined;
  const vertical = outHeight !== height ? tapsFor(height, outHeight, kernel) : undefined;
  // Only the source rows some output row reads are resized horizontally.
  const firstRow = vertical === undefined ? 0 : vertical.first[0]!;
  const lastRow = vertical === undefined ? height : vertical.first[outHeight - 1]! + vertical.count[outHeight - 1]!;
  const rows = lastRow - firstRow;
  let at = align(sourceAt + width * height);
  let resultAt = sourceAt;
  if (horizontal !== undefined) {
    const table = writeTaps(memory, at, horizontal);
    resultAt = table.end;
    kernels.resizeRows(sourceAt + firstRow * width, width, rows, outWidth, table.first, table.count, table.weights, horizontal.stride, resultAt);
    at = align(table.end + rows * outWidth);
  }
  if (vertical !== undefined) {
    // The vertical pass reads the horizontal pass's rows (numbered from firstRow), or the source itself.
    const columnsSource = resultAt;
    const table = writeTaps(memory, at, vertical, horizontal === undefined ? 0 : firstRow);
    resultAt = table.end;
    kernels.resizeColumns(columnsSource, outWidth, outHeight, table.first, table.count, table.weights, vertical.stride, resultAt);
  }
  out.set(new Uint8Array(memory.buffer, resultAt, outWidth * outHeight));
  return out;
}

function checkSizes(sourceLength: number, width: number, height: number, outWidth: number, outHeight: number, out: Uint8Array): void {
  if (sourceLength !== width * height) throw new RangeError(`the image holds ${sourceLength} pixels, not ${width}x${height}`);
  if (out.length !== outWidth * outHeight) throw new RangeError(`the output buffer holds ${out.length} bytes, not ${outWidth}x${outHeight}`);
  if (!(outWidth >= 1 && outHeight >= 1)) throw new RangeError(`cannot resize to ${outWidth}x${outHeight}`);
}

/**
 * Resizes a one-channel 8-bit image (row-major, width x height) to outWidth x outHeight: horizontally first, then
 * vertically, each pass rounding to 8 bits; an axis whose size does not change is left as it is.
 */
export function resizeGrey(
  src: Uint8Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
  kernel: ResizeKernel,
  out: Uint8Array = new Uint8Array(outWidth * outHeight),
): Uint8Array {
  checkSizes(src.length, width, height, outWidth, outHeight, out);
  const r = loadResampler();
  const sourceAt = align(r.lutAt + LUT_BYTES);
  ensureMemory(r.kernels.memory, align(sourceAt + src.length) + resizeBytesNeeded(width, height, outWidth, outHeight, kernel));
  new Uint8Array(r.kernels.memory.buffer, sourceAt, src.length).set(src);
  return resizeInMemory(r, sourceAt, width, height, outWidth, outHeight, kernel, out);
}

/** 16-bit stored values of a frame (row-major, `columns` per row) and the table windowing them (window.ts). */
export interface WindowedFrame {
  values: Int16Array | Uint16Array;
  rows: number;
  columns: number;
  lut: Uint8Array;
  /** Added to a stored value to index `lut`. */
  offset: number;
}

/**
 * The region of a frame windowed through its lookup table (0 outside the frame), resized to outWidth x outHeight:
 * the bytes windowRegionToUint8 and then resizeGrey give, with the per-pixel windowing done in WebAssembly.
 */
export function windowAndResizeGrey(
  frame: WindowedFrame,
  region: PixelRegion,
  outWidth: number,
  outHeight: number,
  kernel: ResizeKernel,
  out: Uint8Array = new Uint8Array(outWidth * outHeight),
): Uint8Array {
  const { values, rows, columns, lut, offset } = frame;
  const { width, height } = region;
  checkSizes(width * height, width, height, outWidth, outHeight, out);
  if (values.length !== rows * columns) throw new RangeError(`the frame holds ${values.length} values, not ${columns}x${rows}`);
  if (lut.length > LUT_BYTES) throw new RangeError(`a window table of ${lut.length} entries is more than 16 bits`);
  const r = loadResampler();
  const { fromX, toX, fromY, toY } = regionOverlap(rows, columns, region);
  const overlapRows = Math.max(0, toY - fromY);
  const valuesAt = align(r.lutAt + LUT_BYTES);
  const sourceAt = align(valuesAt + 2 * overlapRows * columns);
  ensureMemory(r.kernels.memory, align(sourceAt + width * height) + resizeBytesNeeded(width, height, outWidth, outHeight, kernel));
  const { memory } = r.kernels;
  if (r.lutInMemory !== lut) {
    new Uint8Array(memory.buffer, r.lutAt, lut.length).set(lut);
    r.lutInMemory = lut;
  }
  const source = new Uint8Array(memory.buffer, sourceAt, width * height);
  if (regionLeavesFrame({ fromX, toX, fromY, toY }, region)) source.fill(0);
  if (toX > fromX && toY > fromY) {
    // Whole rows are copied (one block copy); the kernel reads the overlap's columns of them.
    const rowsOfValues = values.subarray(fromY * columns, toY * columns);
    (values instanceof Int16Array ? new Int16Array(memory.buffer, valuesAt, rowsOfValues.length) : new Uint16Array(memory.buffer, valuesAt, rowsOfValues.length)).set(rowsOfValues);
    const outAt = sourceAt + (fromY - region.top) * width + (fromX - region.left);
    r.kernels.lookupRows16(valuesAt + 2 * fromX, values instanceof Int16Array ? 1 : 0, columns, toX - fromX, overlapRows, r.lutAt, offset, outAt, width);
  }
  return resizeInMemory(r, sourceAt, width, height, outWidth, outHeight, kernel, out);
}

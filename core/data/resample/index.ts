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
import { align, ensureMemory } from '../../wasm/linearMemory';

export type { ResizeKernel };

interface Kernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  lookupRows16(values: number, signed: number, columns: number, width: number, rows: number, lut: number, offset: number, out: number, outWidth: number): void;
  resizeRows(src: number, width: number, rows: number, outWidth: number, first: number, chunks: number, high: number, low: number, out: number): void;
  resizeColumns(src: number, width: number, outHeight: number, first: number, count: number, weights: number, stride: number, out: number): void;
}

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



/** Copies i32 values into memory at `at`, each less `shift`; returns where the next table may start. */
function writeInt32(memory: WebAssembly.Memory, at: number, values: Int32Array, shift = 0): number {
  const target = new Int32Array(memory.buffer, at, values.length);
  if (shift === 0) target.set(values);
  else for (let i = 0; i < values.length; i++) target[i] = values[i]! - shift;
  return align(at + 4 * values.length);
}

function writeInt16(memory: WebAssembly.Memory, at: number, values: Int16Array): number {
  new Int16Array(memory.buffer, at, values.length).set(values);
  return align(at + 2 * values.length);
}

/** Bytes of the row pass's tables (first indices, split weights) and of the column pass's (first, counts, weights). */
const rowTableBytes = (taps: Taps) => align(4 * taps.first.length) + 2 * align(2 * taps.high.length);
const columnTableBytes = (taps: Taps) => 2 * align(4 * taps.first.length) + align(4 * taps.weights.length);

/** The two passes' tap tables for a resize, and the source rows the row pass needs. */
interface ResizePlan {
  horizontal: Taps | undefined;
  vertical: Taps | undefined;
  firstRow: number;
  rows: number;
  /** Readable bytes the row pass may load past the source's end (its 8-pixel loads run past an output's taps). */
  overRead: number;
  /** Bytes the passes use after the source (and its over-read). */
  scratchBytes: number;
}

function planResize(width: number, height: number, outWidth: number, outHeight: number, kernel: ResizeKernel): ResizePlan {
  const horizontal = outWidth !== width ? tapsFor(width, outWidth, kernel) : undefined;
  const vertical = outHeight !== height ? tapsFor(height, outHeight, kernel) : undefined;
  // Only the source rows some output row reads are resized horizontally.
  const firstRow = vertical === undefined ? 0 : vertical.first[0]!;
  const rows = (vertical === undefined ? height : vertical.first[outHeight - 1]! + vertical.count[outHeight - 1]!) - firstRow;
  const scratchBytes =
    (horizontal ? rowTableBytes(horizontal) + align(rows * outWidth) : 0) + (vertical ? columnTableBytes(vertical) : 0) + outWidth * outHeight;
  return { horizontal, vertical, firstRow, rows, overRead: horizontal ? 8 * horizontal.chunks : 0, scratchBytes };
}

/** Memory a resize of the source at `sourceAt` needs, to its end. */
function memoryNeeded(sourceAt: number, sourceBytes: number, plan: ResizePlan): number {
  return align(sourceAt + sourceBytes + plan.overRead) + plan.scratchBytes;
}

/** Resizes the width x height bytes at `sourceAt` as planned into `out`, horizontally first (memoryNeeded is there). */
function resizeInMemory(r: Resampler, sourceAt: number, width: number, height: number, outWidth: number, outHeight: number, plan: ResizePlan, out: Uint8Array): Uint8Array {
  const { kernels } = r;
  const { memory } = kernels;
  const { horizontal, vertical, firstRow, rows } = plan;
  let at = align(sourceAt + width * height + plan.overRead);
  let resultAt = sourceAt;
  if (horizontal !== undefined) {
    const first = at;
    const high = writeInt32(memory, first, horizontal.first);
    const low = writeInt16(memory, high, horizontal.high);
    resultAt = writeInt16(memory, low, horizontal.low);
    kernels.resizeRows(sourceAt + firstRow * width, width, rows, outWidth, first, horizontal.chunks, high, low, resultAt);
    at = align(resultAt + rows * outWidth);
  }
  if (vertical !== undefined) {
    // The vertical pass reads the horizontal pass's rows (numbered from firstRow), or the source itself.
    const columnsSource = resultAt;
    const first = at;
    const count = writeInt32(memory, first, vertical.first, horizontal === undefined ? 0 : firstRow);
    const weights = writeInt32(memory, count, vertical.count);
    resultAt = writeInt32(memory, weights, vertical.weights);
    kernels.resizeColumns(columnsSource, outWidth, outHeight, first, count, weights, vertical.stride, resultAt);
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
  const plan = planResize(width, height, outWidth, outHeight, kernel);
  ensureMemory(r.kernels.memory, memoryNeeded(sourceAt, src.length, plan));
  new Uint8Array(r.kernels.memory.buffer, sourceAt, src.length).set(src);
  return resizeInMemory(r, sourceAt, width, height, outWidth, outHeight, plan, out);
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
  const plan = planResize(width, height, outWidth, outHeight, kernel);
  ensureMemory(r.kernels.memory, memoryNeeded(sourceAt, width * height, plan));
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
  return resizeInMemory(r, sourceAt, width, height, outWidth, outHeight, plan, out);
}

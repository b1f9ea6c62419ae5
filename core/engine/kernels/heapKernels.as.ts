// Training kernels that work in place on the wasm backend's own heap, in AssemblyScript compiled to WebAssembly with
// SIMD by scripts/generate-wasm.ts (`npm run wasm`). The module imports the backend's shared memory instead of
// keeping its own (heapKernels.ts instantiates it), so tensors are read and written where they lie: no copy in,
// no copy out. It must therefore own nothing in that memory: no data segments, no allocations, no stack — every
// function takes byte offsets the caller got from the backend and keeps its state in locals (the generator's test
// checks the compiled module has no data section). Every buffer is float32; images are NHWC.

/** 64 rows per block: their float32 partial sums lose nothing noticeable before joining the float64 totals. */
const SUM_BLOCK_ROWS = 64;

/**
 * out[c] = scale · Σ over r of x[r, c] for x [rows, cols]: sum or mean over every axis but the last. Partial sums of
 * a block of rows run in float32 SIMD lanes while the block stays in cache, and are added into float64 totals kept
 * in `scratch` (cols float64s), so a sum over a million rows keeps float32 precision at the end.
 */
export function columnSums(x: usize, out: usize, scratch: usize, rows: i32, cols: i32, scale: f64): void {
  memory.fill(scratch, 0, (<usize>cols) << 3);
  const rowBytes = (<usize>cols) << 2;
  const vectorCols = cols & ~3;
  for (let first = 0; first < rows; first += SUM_BLOCK_ROWS) {
    const blockRows = min(SUM_BLOCK_ROWS, rows - first);
    const block = x + <usize>first * rowBytes;
    for (let c = 0; c < vectorCols; c += 4) {
      let at = block + ((<usize>c) << 2);
      let partial = f32x4.splat(0);
      for (let r = 0; r < blockRows; r++, at += rowBytes) partial = f32x4.add(partial, v128.load(at));
      const total = scratch + ((<usize>c) << 3);
      v128.store(total, f64x2.add(v128.load(total), f64x2.promote_low_f32x4(partial)));
      const high = v128.shuffle<f32>(partial, partial, 2, 3, 0, 1);
      v128.store(total + 16, f64x2.add(v128.load(total + 16), f64x2.promote_low_f32x4(high)));
    }
    for (let c = vectorCols; c < cols; c++) {
      let at = block + ((<usize>c) << 2);
      let partial: f32 = 0;
      for (let r = 0; r < blockRows; r++, at += rowBytes) partial += load<f32>(at);
      const total = scratch + ((<usize>c) << 3);
      store<f64>(total, load<f64>(total) + <f64>partial);
    }
  }
  for (let c = 0; c < cols; c++) {
    store<f32>(out + ((<usize>c) << 2), <f32>(load<f64>(scratch + ((<usize>c) << 3)) * scale));
  }
}

/**
 * Stores the 4×4 block whose rows are a, b, c, d as its columns: row i of the result at `to + i·stride`, or added
 * to what is there when `accumulate` (a constant at every call, so the branch compiles away).
 */
function storeTransposed4x4(a: v128, b: v128, c: v128, d: v128, to: usize, stride: usize, accumulate: bool): void {
  const ab01 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
  const ab23 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const cd01 = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
  const cd23 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  storeRow(to, v128.shuffle<f32>(ab01, cd01, 0, 1, 4, 5), accumulate);
  storeRow(to + stride, v128.shuffle<f32>(ab01, cd01, 2, 3, 6, 7), accumulate);
  storeRow(to + 2 * stride, v128.shuffle<f32>(ab23, cd23, 0, 1, 4, 5), accumulate);
  storeRow(to + 3 * stride, v128.shuffle<f32>(ab23, cd23, 2, 3, 6, 7), accumulate);
}

function storeRow(to: usize, row: v128, accumulate: bool): void {
  v128.store(to, accumulate ? f32x4.add(v128.load(to), row) : row);
}

/**
 * Rows r .. r + bandRows − 1 (bandRows a multiple of 4) of one matrix x [rows, cols] into out [cols, rows]. Each
 * output row receives its bandRows values in one go, so a band of 16 writes whole cache lines: written 4 values at
 * a time instead, a 16384-row transpose ran 3x slower, its output rows (64 KiB apart) evicting each other.
 */
function transposeBand(from: usize, to: usize, r: i32, bandRows: i32, rows: i32, cols: i32): void {
  const inRow = (<usize>cols) << 2;
  const outRow = (<usize>rows) << 2;
  const source = from + <usize>r * inRow;
  const target = to + ((<usize>r) << 2);
  const vectorCols = cols & ~3;
  for (let c = 0; c < vectorCols; c += 4) {
    for (let i = 0; i < bandRows; i += 4) {
      const at = source + <usize>i * inRow + ((<usize>c) << 2);
      storeTransposed4x4(
        v128.load(at),
        v128.load(at + inRow),
        v128.load(at + 2 * inRow),
        v128.load(at + 3 * inRow),
        target + <usize>c * outRow + ((<usize>i) << 2),
        outRow,
        false,
      );
    }
  }
  for (let c = vectorCols; c < cols; c++) {
    for (let i = 0; i < bandRows; i++) {
      store<f32>(
        target + <usize>c * outRow + ((<usize>i) << 2),
        load<f32>(source + <usize>i * inRow + ((<usize>c) << 2)),
      );
    }
  }
}

/** out[b, c, r] = x[b, r, c]: the last two axes swapped, in bands of rows transposed 4×4 in SIMD registers. */
export function transposeLastTwo(x: usize, out: usize, batch: i32, rows: i32, cols: i32): void {
  const matrixBytes = (<usize>rows * <usize>cols) << 2;
  for (let b = 0; b < batch; b++) {
    const from = x + <usize>b * matrixBytes;
    const to = out + <usize>b * matrixBytes;
    let r = 0;
    for (; r + 16 <= rows; r += 16) transposeBand(from, to, r, 16, rows, cols);
    for (; r + 4 <= rows; r += 4) transposeBand(from, to, r, 4, rows, cols);
    for (; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        store<f32>(to + ((<usize>(c * rows + r)) << 2), load<f32>(from + ((<usize>(r * cols + c)) << 2)));
      }
    }
  }
}

/**
 * The patches a convolution reads, one row per filter tap and input channel and one column per output position:
 *   out[(ky·kw + kx)·channels + c, (b·outHeight + oy)·outWidth + ox] = x[b, oy·sh − padTop + ky, ox·sw − padLeft + kx, c]
 * with 0 where the tap falls in the padding. This layout makes the filter gradient one plain matrix product
 * out · dy[positions, outChannels] whose result is already [kh, kw, channels, outChannels].
 */
export function patchesByTap(
  x: usize,
  out: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  kernelHeight: i32,
  kernelWidth: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  movePatches(
    x,
    out,
    false,
    batch,
    height,
    width,
    channels,
    outHeight,
    outWidth,
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    padTop,
    padLeft,
  );
}

/**
 * The adjoint of patchesByTap: dx[b, iy, ix, c] = Σ of patches[(ky·kw + kx)·channels + c, position] over the taps
 * and output positions that read x[b, iy, ix, c]; dx is zeroed here. With patches = W[kh·kw·ci, co] · dyᵀ this is
 * a convolution's input gradient for any stride and padding.
 */
export function imageFromPatchesByTap(
  patches: usize,
  dx: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  kernelHeight: i32,
  kernelWidth: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  memory.fill(dx, 0, (<usize>(batch * height * width * channels)) << 2);
  movePatches(
    dx,
    patches,
    true,
    batch,
    height,
    width,
    channels,
    outHeight,
    outWidth,
    kernelHeight,
    kernelWidth,
    strideHeight,
    strideWidth,
    padTop,
    padLeft,
  );
}

/**
 * Between an image and its patches by tap (see patchesByTap): copies the image's values into the patches (zeros
 * where a tap reads padding), or with `toImage` adds the patches into the image. Both directions walk the same
 * loops and move 4 channels × 4 positions per 4×4 transpose in registers.
 *
 * The patch rows lie positions·4 bytes apart (often a power of two, so they share cache sets): the loops take four
 * rows at a time, each over a block of at least 64 positions (whole cache lines), before moving on; one image row's
 * positions per pass instead ran 3–5x slower on 8- and 16-pixel-wide layers.
 */
function movePatches(
  image: usize,
  patches: usize,
  toImage: bool,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  kernelHeight: i32,
  kernelWidth: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const outRow = (<usize>(batch * outHeight * outWidth)) << 2;
  const pixelBytes = (<usize>channels) << 2;
  const xStep = <usize>strideWidth * pixelBytes;
  const blockRows = max(1, 64 / outWidth);
  for (let b = 0; b < batch; b++) {
    for (let firstOy = 0; firstOy < outHeight; firstOy += blockRows) {
      const endOy = min(outHeight, firstOy + blockRows);
      for (let ky = 0; ky < kernelHeight; ky++) {
        for (let kx = 0; kx < kernelWidth; kx++) {
          // The output columns whose tap lands inside the image: 0 <= ox·sw + shift < width.
          const shift = kx - padLeft;
          const first = shift < 0 ? (-shift + strideWidth - 1) / strideWidth : 0;
          const last = min(outWidth - 1, width - 1 - shift < 0 ? -1 : (width - 1 - shift) / strideWidth);
          const tapRows = patches + <usize>((ky * kernelWidth + kx) * channels) * outRow;
          for (let c = 0; c < channels; c += 4) {
            const lanes = min(4, channels - c);
            const rows = tapRows + <usize>c * outRow;
            for (let oy = firstOy; oy < endOy; oy++) {
              const iy = oy * strideHeight - padTop + ky;
              const to = rows + ((<usize>((b * outHeight + oy) * outWidth)) << 2);
              const inside = iy >= 0 && iy < height && first <= last;
              if (!toImage) {
                // Zeros where the tap reads padding.
                const zeroLeft = inside ? first : outWidth;
                const zeroRight = inside ? outWidth - 1 - last : 0;
                for (let i = 0; i < lanes; i++) {
                  const row = to + <usize>i * outRow;
                  if (zeroLeft > 0) memory.fill(row, 0, (<usize>zeroLeft) << 2);
                  if (zeroRight > 0) memory.fill(row + ((<usize>(last + 1)) << 2), 0, (<usize>zeroRight) << 2);
                }
              }
              if (!inside) continue;
              let at =
                image +
                <usize>((b * height + iy) * width + first * strideWidth + shift) * pixelBytes +
                ((<usize>c) << 2);
              let ox = first;
              if (lanes === 4 && toImage) {
                for (; ox + 3 <= last; ox += 4, at += 4 * xStep) {
                  const from = to + ((<usize>ox) << 2);
                  storeTransposed4x4(
                    v128.load(from),
                    v128.load(from + outRow),
                    v128.load(from + 2 * outRow),
                    v128.load(from + 3 * outRow),
                    at,
                    xStep,
                    true,
                  );
                }
              } else if (lanes === 4) {
                for (; ox + 3 <= last; ox += 4, at += 4 * xStep) {
                  storeTransposed4x4(
                    v128.load(at),
                    v128.load(at + xStep),
                    v128.load(at + 2 * xStep),
                    v128.load(at + 3 * xStep),
                    to + ((<usize>ox) << 2),
                    outRow,
                    false,
                  );
                }
              }
              for (; ox <= last; ox++, at += xStep) {
                for (let i = 0; i < lanes; i++) {
                  const patch = to + <usize>i * outRow + ((<usize>ox) << 2);
                  const pixel = at + ((<usize>i) << 2);
                  if (toImage) store<f32>(pixel, load<f32>(pixel) + load<f32>(patch));
                  else store<f32>(patch, load<f32>(pixel));
                }
              }
            }
          }
        }
      }
    }
  }
}

/**
 * The filter gradient of a depthwise convolution with channel multiplier 1:
 *   out[ky, kx, c] = Σ over b, oy, ox of x[b, oy*sh - padTop + ky, ox*sw - padLeft + kx, c] * dy[b, oy, ox, c]
 * with taps outside x contributing nothing. The loop runs over one dy row at a time, and inside it over the taps,
 * so the x and dy rows it reads stay in cache and each tap's accumulators are loaded and stored once per row.
 * `out` (kh*kw*c floats) is zeroed here.
 */
export function depthwiseFilterGradient(
  x: usize,
  dy: usize,
  out: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  kernelHeight: i32,
  kernelWidth: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  memory.fill(out, 0, (<usize>(kernelHeight * kernelWidth * channels)) << 2);
  const vectorChannels = channels & ~3;
  const pixelBytes = (<usize>channels) << 2;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const dyRow = dy + <usize>((b * outHeight + oy) * outWidth) * pixelBytes;
      for (let ky = 0; ky < kernelHeight; ky++) {
        const iy = oy * strideHeight - padTop + ky;
        if (iy < 0 || iy >= height) continue;
        const xRow = x + <usize>((b * height + iy) * width) * pixelBytes;
        for (let kx = 0; kx < kernelWidth; kx++) {
          // The output columns whose tap kx lands inside the row: 0 <= ox*sw + shift < width.
          const shift = kx - padLeft;
          const first = shift < 0 ? (-shift + strideWidth - 1) / strideWidth : 0;
          const last = min(outWidth - 1, width - 1 - shift < 0 ? -1 : (width - 1 - shift) / strideWidth);
          if (first > last) continue;
          const count = last - first + 1;
          const xStep = <usize>strideWidth * pixelBytes;
          const xStart = xRow + <usize>(first * strideWidth + shift) * pixelBytes;
          const dyStart = dyRow + <usize>first * pixelBytes;
          const tap = out + <usize>(((ky * kernelWidth + kx) * channels) << 2);
          for (let c = 0; c < vectorChannels; c += 4) {
            const offset = (<usize>c) << 2;
            let xAt = xStart + offset;
            let dyAt = dyStart + offset;
            let sum = v128.load(tap + offset);
            for (let i = 0; i < count; i++, xAt += xStep, dyAt += pixelBytes) {
              sum = f32x4.add(sum, f32x4.mul(v128.load(xAt), v128.load(dyAt)));
            }
            v128.store(tap + offset, sum);
          }
          for (let c = vectorChannels; c < channels; c++) {
            const offset = (<usize>c) << 2;
            let xAt = xStart + offset;
            let dyAt = dyStart + offset;
            let sum = load<f32>(tap + offset);
            for (let i = 0; i < count; i++, xAt += xStep, dyAt += pixelBytes) sum += load<f32>(xAt) * load<f32>(dyAt);
            store<f32>(tap + offset, sum);
          }
        }
      }
    }
  }
}

/**
 * The input gradient of max pooling: each output's dy goes to the first position of its window holding the
 * window's maximum (rows, then columns, as tfjs's reference backend scans them), padding excluded; dx is zeroed here.
 */
export function maxPoolGradient(
  x: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  height: i32,
  width: i32,
  channels: i32,
  outHeight: i32,
  outWidth: i32,
  kernelHeight: i32,
  kernelWidth: i32,
  strideHeight: i32,
  strideWidth: i32,
  padTop: i32,
  padLeft: i32,
): void {
  const pixelBytes = (<usize>channels) << 2;
  memory.fill(dx, 0, <usize>(batch * height * width) * pixelBytes);
  const vectorChannels = channels & ~3;
  let dyAt = dy;
  for (let b = 0; b < batch; b++) {
    const image = <usize>(b * height * width) * pixelBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const top = oy * strideHeight - padTop;
      const rowStart = max(0, top);
      const rowEnd = min(height, top + kernelHeight);
      for (let ox = 0; ox < outWidth; ox++, dyAt += pixelBytes) {
        const left = ox * strideWidth - padLeft;
        const colStart = max(0, left);
        const colEnd = min(width, left + kernelWidth);
        for (let c = 0; c < vectorChannels; c += 4) {
          const offset = (<usize>c) << 2;
          // Per lane: the largest value so far and the byte offset of its pixel (−1: none yet).
          let best = f32x4.splat(-Infinity);
          let bestAt = i32x4.splat(-1);
          for (let iy = rowStart; iy < rowEnd; iy++) {
            for (let ix = colStart; ix < colEnd; ix++) {
              const pixel = image + <usize>(iy * width + ix) * pixelBytes;
              const value = v128.load(x + pixel + offset);
              const larger = f32x4.gt(value, best);
              best = v128.bitselect(value, best, larger);
              bestAt = v128.bitselect(i32x4.splat(<i32>pixel), bestAt, larger);
            }
          }
          const gradient = v128.load(dyAt + offset);
          addAt(dx + offset, i32x4.extract_lane(bestAt, 0), f32x4.extract_lane(gradient, 0));
          addAt(dx + offset + 4, i32x4.extract_lane(bestAt, 1), f32x4.extract_lane(gradient, 1));
          addAt(dx + offset + 8, i32x4.extract_lane(bestAt, 2), f32x4.extract_lane(gradient, 2));
          addAt(dx + offset + 12, i32x4.extract_lane(bestAt, 3), f32x4.extract_lane(gradient, 3));
        }
        for (let c = vectorChannels; c < channels; c++) {
          const offset = (<usize>c) << 2;
          let best: f32 = -Infinity;
          let bestAt: i32 = -1;
          for (let iy = rowStart; iy < rowEnd; iy++) {
            for (let ix = colStart; ix < colEnd; ix++) {
              const pixel = image + <usize>(iy * width + ix) * pixelBytes;
              const value = load<f32>(x + pixel + offset);
              if (value > best) {
                best = value;
                bestAt = <i32>pixel;
              }
            }
          }
          addAt(dx + offset, bestAt, load<f32>(dyAt + offset));
        }
      }
    }
  }
}

/** target[pixel] += value, unless no pixel was found (−1: a window of NaN or −∞ only passes no gradient). */
function addAt(target: usize, pixel: i32, value: f32): void {
  if (pixel < 0) return;
  const at = target + <usize>pixel;
  store<f32>(at, load<f32>(at) + value);
}

/**
 * One AdamW step over `count` values, written to fresh buffers: the operations of the element-wise form in
 * core/train/adamw.ts, in its order and in float32, so both give the same numbers:
 *   m' = m·β1 + g·(1 − β1)    v' = v·β2 + g²·(1 − β2)
 *   p' = p·decay − (m' / (√v' / biasCorrection2Root + ε)) · stepSize
 * One pass reads p, g, m and v and writes p', m' and v' once, where the element-wise form makes ten passes.
 */
export function adamW(
  value: usize,
  gradient: usize,
  m: usize,
  v: usize,
  newValue: usize,
  newM: usize,
  newV: usize,
  count: i32,
  decay: f32,
  beta1: f32,
  gradientShare1: f32,
  beta2: f32,
  gradientShare2: f32,
  biasCorrection2Root: f32,
  epsilon: f32,
  stepSize: f32,
): void {
  const vectorEnd = (<usize>(count & ~3)) << 2;
  const decays = f32x4.splat(decay);
  const beta1s = f32x4.splat(beta1);
  const shares1 = f32x4.splat(gradientShare1);
  const beta2s = f32x4.splat(beta2);
  const shares2 = f32x4.splat(gradientShare2);
  const roots = f32x4.splat(biasCorrection2Root);
  const epsilons = f32x4.splat(epsilon);
  const stepSizes = f32x4.splat(stepSize);
  for (let at: usize = 0; at < vectorEnd; at += 16) {
    const g = v128.load(gradient + at);
    const mNext = f32x4.add(f32x4.mul(v128.load(m + at), beta1s), f32x4.mul(g, shares1));
    const vNext = f32x4.add(f32x4.mul(v128.load(v + at), beta2s), f32x4.mul(f32x4.mul(g, g), shares2));
    const denominator = f32x4.add(f32x4.div(f32x4.sqrt(vNext), roots), epsilons);
    const step = f32x4.mul(f32x4.div(mNext, denominator), stepSizes);
    v128.store(newValue + at, f32x4.sub(f32x4.mul(v128.load(value + at), decays), step));
    v128.store(newM + at, mNext);
    v128.store(newV + at, vNext);
  }
  for (let at = vectorEnd; at < (<usize>count) << 2; at += 4) {
    const g = load<f32>(gradient + at);
    const mNext = load<f32>(m + at) * beta1 + g * gradientShare1;
    const vNext = load<f32>(v + at) * beta2 + g * g * gradientShare2;
    const denominator = sqrt<f32>(vNext) / biasCorrection2Root + epsilon;
    store<f32>(newValue + at, load<f32>(value + at) * decay - (mNext / denominator) * stepSize);
    store<f32>(newM + at, mNext);
    store<f32>(newV + at, vNext);
  }
}

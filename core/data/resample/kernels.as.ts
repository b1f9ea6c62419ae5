// The per-pixel loops of building a model input (index.ts) in AssemblyScript, compiled to WebAssembly by
// scripts/generate-wasm.ts (`npm run wasm`): windowing 16-bit stored values through a lookup table, and the two passes of
// the separable resampler. Pixels are bytes, weights 22-bit fixed point (taps.ts); every sum is exact in i32 and
// rounded to a byte as Pillow rounds it, so SIMD and scalar code give the same bytes.
// Tap tables are i32 arrays: first source index and tap count per output index, then `stride` weights each.

const PRECISION_BITS: i32 = 22;
const HALF: i32 = 1 << (PRECISION_BITS - 1);

@inline function toByte(sum: i32): u8 {
  if (sum < 0) return 0;
  const value = sum >> PRECISION_BITS;
  return value > 255 ? 255 : <u8>value;
}

/** Where the caller may start placing buffers: above the module's own static data. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * Windows `rows` rows of `width` 16-bit stored values (rows `columns` values apart; signed when `signed` is 1)
 * through `lut`, indexed by value + offset, into rows `outWidth` bytes apart.
 */
export function lookupRows16(values: usize, signed: i32, columns: i32, width: i32, rows: i32, lut: usize, offset: i32, out: usize, outWidth: i32): void {
  for (let y = 0; y < rows; y++) {
    const row = values + (<usize>(y * columns) << 1);
    const outRow = out + <usize>(y * outWidth);
    if (signed) {
      for (let x = 0; x < width; x++) store<u8>(outRow + <usize>x, load<u8>(lut + <usize>(<i32>load<i16>(row + (<usize>x << 1)) + offset)));
    } else {
      for (let x = 0; x < width; x++) store<u8>(outRow + <usize>x, load<u8>(lut + <usize>(<i32>load<u16>(row + (<usize>x << 1)) + offset)));
    }
  }
}

/**
 * Resizes each of `rows` rows of `width` bytes to `outWidth` bytes. Each output's taps are read 8 pixels at a time
 * and multiplied by its weights split into 16-bit halves (taps.ts: weight = high * 2048 + low), in two i16x8 dot
 * products: exact, as every partial sum fits in i32. Taps past an output's count have weight 0, but their pixels
 * are still loaded: the caller leaves 64 readable bytes after the last row.
 */
export function resizeRows(src: usize, width: i32, rows: i32, outWidth: i32, first: usize, chunks: i32, high: usize, low: usize, out: usize): void {
  for (let y = 0; y < rows; y++) {
    const row = src + <usize>(y * width);
    const outRow = out + <usize>(y * outWidth);
    for (let x = 0; x < outWidth; x++) {
      let from = row + <usize>load<i32>(first + (<usize>x << 2));
      let at = <usize>(x * chunks) << 4;
      let sums = i32x4.splat(0);
      for (let c = 0; c < chunks; c++) {
        const pixels = v128.load8x8_u(from);
        const highSums = i32x4.dot_i16x8_s(pixels, v128.load(high + at));
        sums = i32x4.add(sums, i32x4.add(i32x4.shl(highSums, 11), i32x4.dot_i16x8_s(pixels, v128.load(low + at))));
        from += 8;
        at += 16;
      }
      const sum = HALF + i32x4.extract_lane(sums, 0) + i32x4.extract_lane(sums, 1) + i32x4.extract_lane(sums, 2) + i32x4.extract_lane(sums, 3);
      store<u8>(outRow + <usize>x, toByte(sum));
    }
  }
}

/**
 * Resizes columns: output row y is the weighted sum of source rows first[y] .. first[y] + count[y] - 1. Eight
 * neighbouring columns share their taps, so they are summed together in two i32x4 lanes.
 */
export function resizeColumns(src: usize, width: i32, outHeight: i32, first: usize, count: usize, weights: usize, stride: i32, out: usize): void {
  const zero = i32x4.splat(0);
  const top = i32x4.splat(255);
  const half = i32x4.splat(HALF);
  const vectorWidth = width & ~7;
  for (let y = 0; y < outHeight; y++) {
    const from = src + <usize>(load<i32>(first + (<usize>y << 2)) * width);
    const n = load<i32>(count + (<usize>y << 2));
    const w = weights + (<usize>(y * stride) << 2);
    const outRow = out + <usize>(y * width);
    let x = 0;
    for (; x < vectorWidth; x += 8) {
      let low = half;
      let high = half;
      for (let k = 0; k < n; k++) {
        const pixels = v128.load8x8_u(from + <usize>(k * width + x));
        const weight = i32x4.splat(load<i32>(w + (<usize>k << 2)));
        low = i32x4.add(low, i32x4.mul(i32x4.extend_low_i16x8_u(pixels), weight));
        high = i32x4.add(high, i32x4.mul(i32x4.extend_high_i16x8_u(pixels), weight));
      }
      // toByte on each lane: clamp below at 0, shift, clamp above at 255, then narrow to bytes.
      low = i32x4.min_s(i32x4.shr_s(i32x4.max_s(low, zero), PRECISION_BITS), top);
      high = i32x4.min_s(i32x4.shr_s(i32x4.max_s(high, zero), PRECISION_BITS), top);
      v128.store64_lane(outRow + <usize>x, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(low, high), zero), 0);
    }
    for (; x < width; x++) {
      let sum = HALF;
      for (let k = 0; k < n; k++) sum += <i32>load<u8>(from + <usize>(k * width + x)) * load<i32>(w + (<usize>k << 2));
      store<u8>(outRow + <usize>x, toByte(sum));
    }
  }
}

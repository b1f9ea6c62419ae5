// Training-kernel loops that the wasm backend has no fast form for, in AssemblyScript compiled to WebAssembly with
// SIMD by scripts/generate-wasm.ts (`npm run wasm`). Every buffer is float32, NHWC, placed by the
// caller (trainingKernels.ts) above heapBase().

/** Where the caller may start placing buffers: above the module's own static data. */
export function heapBase(): usize {
  return __heap_base;
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

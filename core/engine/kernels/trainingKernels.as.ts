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
          // The output columns whose tap kx lands inside the row: 0 <= ox*sw - padLeft + kx < width.
          const shift = kx - padLeft;
          let first = 0;
          if (shift < 0) first = (-shift + strideWidth - 1) / strideWidth;
          let last = (width - 1 - shift) / strideWidth;
          if (width - 1 - shift < 0) last = -1;
          if (last > outWidth - 1) last = outWidth - 1;
          if (first > last) continue;
          const tap = out + <usize>(((ky * kernelWidth + kx) * channels) << 2);
          for (let c = 0; c < vectorChannels; c += 4) {
            const offset = (<usize>c) << 2;
            let sum = v128.load(tap + offset);
            for (let ox = first; ox <= last; ox++) {
              const xAt = xRow + <usize>(ox * strideWidth + shift) * pixelBytes + offset;
              const dyAt = dyRow + <usize>ox * pixelBytes + offset;
              sum = f32x4.add(sum, f32x4.mul(v128.load(xAt), v128.load(dyAt)));
            }
            v128.store(tap + offset, sum);
          }
          for (let c = vectorChannels; c < channels; c++) {
            const offset = (<usize>c) << 2;
            let sum = load<f32>(tap + offset);
            for (let ox = first; ox <= last; ox++) {
              sum +=
                load<f32>(xRow + <usize>(ox * strideWidth + shift) * pixelBytes + offset) *
                load<f32>(dyRow + <usize>ox * pixelBytes + offset);
            }
            store<f32>(tap + offset, sum);
          }
        }
      }
    }
  }
}

// Placing buffers in the memory of RadLab's own WebAssembly modules (the resampler's and the training kernels'):
// offsets aligned for SIMD loads, and the memory grown to fit before a call.

const PAGE_BYTES = 65536;

/** The next 16-byte boundary at or after `offset` (a v128 load's natural alignment). */
export function align(offset: number): number {
  return (offset + 15) & ~15;
}

/** Grows the module's memory to hold `bytes` (growing keeps the contents; views made before it go stale). */
export function ensureMemory(memory: WebAssembly.Memory, bytes: number): void {
  const missing = bytes - memory.buffer.byteLength;
  if (missing > 0) memory.grow(Math.ceil(missing / PAGE_BYTES));
}

// What the engine runs on, recorded with every run: CPU, cores, memory, and the accelerator when one is used.
import { availableParallelism, cpus, totalmem } from 'node:os';

export interface DeviceInfo {
  cpuModel: string;
  logicalCores: number;
  memoryGiB: number;
  platform: string;
  node: string;
  /** WebAssembly SIMD (128-bit) support, which the fast wasm kernels need. */
  wasmSimd: boolean;
  /** Description of the GPU the chosen engine uses, when it uses one. */
  gpu?: string;
}

// The smallest module using a v128 instruction: WebAssembly.validate says whether this runtime has SIMD.
const simdProbe = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11,
]);

export function describeDevice(gpu?: string): DeviceInfo {
  const info: DeviceInfo = {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    logicalCores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    wasmSimd: WebAssembly.validate(simdProbe),
  };
  if (gpu !== undefined) info.gpu = gpu;
  return info;
}

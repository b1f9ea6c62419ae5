// Whether each training engine can run here, and why not. Checks are cheap (package resolution, CUDA library
// look-up, a WebGPU adapter request); nothing is initialised in tfjs until an engine is chosen. Checks are silent:
// what they find goes into the ladder's reasons, never to the terminal.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { enginePackageDir, managedEnginesDir } from './managedEngines';

export const engineNames = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm'] as const;
export type EngineName = (typeof engineNames)[number];

export interface RungReport {
  name: EngineName;
  available: boolean;
  reason: string;
  /** tfjs-node-gpu: the CUDA libraries its libtensorflow needs against those this host has. */
  cuda?: CudaCheck;
  /** tfjs-node-gpu once started: whether TensorFlow placed its work on a GPU (the binding's own answer). */
  usingGpu?: boolean;
}

export interface CudaCheck {
  needs: string;
  /** The sonames libtensorflow loads, absent from the library path. */
  missing: string[];
  /** CUDA runtime, cuBLAS and cuDNN libraries the host has, any version. */
  found: string[];
}

const packageOf: Record<EngineName, string> = {
  'tfjs-node-gpu': '@tensorflow/tfjs-node-gpu',
  'tfjs-node': '@tensorflow/tfjs-node',
  webgpu: 'webgpu',
  wasm: '@tensorflow/tfjs-backend-wasm',
};

// tfjs-node-gpu 4.x is built on libtensorflow 2.9 for CUDA 11.2 and cuDNN 8.1 (its documented requirements).
const CUDA_NEEDS = 'CUDA 11.2 and cuDNN 8.1';
const cudaLibraries = ['libcuda.so.1', 'libcudart.so.11.0', 'libcublas.so.11', 'libcudnn.so.8'];

const localRequire = createRequire(__filename);

/** The engine's package folder, from RadLab's managed engines folder or node_modules (see managedEngines.ts). */
export function enginePackage(engine: EngineName): string | undefined {
  return enginePackageDir(engine, packageOf[engine]);
}

export function isInstalled(engine: EngineName): boolean {
  return enginePackage(engine) !== undefined;
}

export function packageName(engine: EngineName): string {
  return packageOf[engine];
}

function notInstalled(engine: EngineName): string {
  const why: Record<EngineName, string> = {
    'tfjs-node-gpu': 'its install downloads libtensorflow, so it needs internet at npm install time',
    'tfjs-node': 'its install downloads libtensorflow, so it needs internet at npm install time',
    webgpu: 'it is an optional dependency (Dawn prebuilt for the platform)',
    wasm: 'it is a regular dependency; reinstall the extension',
  };
  if (engine === 'tfjs-node-gpu' || engine === 'tfjs-node') {
    return (
      `${packageOf[engine]} is not installed with its compiled binding in node_modules or ${managedEnginesDir()} ` +
      `(${why[engine]}); radlab engine install ${engine} installs it`
    );
  }
  return `${packageOf[engine]} is not installed (${why[engine]})`;
}

function libraryDirs(): string[] {
  const dirs = (process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean);
  dirs.push('/usr/local/cuda/lib64', '/usr/lib/x86_64-linux-gnu', '/usr/lib64', '/usr/lib');
  return dirs;
}

function ldconfigLibraries(): string {
  for (const ldconfig of ['/sbin/ldconfig', '/usr/sbin/ldconfig', 'ldconfig']) {
    try {
      return execFileSync(ldconfig, ['-p'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      // try the next location
    }
  }
  return '';
}

/** A GPU description when an NVIDIA driver with a device is present, else undefined. */
export function nvidiaGpu(): string | undefined {
  try {
    const list = execFileSync('nvidia-smi', ['-L'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
    });
    const first = list.split('\n').find((line) => line.startsWith('GPU '));
    if (first) return first.trim();
  } catch {
    // no nvidia-smi: fall back to the kernel driver's presence
  }
  if (existsSync('/proc/driver/nvidia/version')) {
    return readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0]?.trim();
  }
  return undefined;
}

function hasLibrary(lib: string, cache = ldconfigLibraries()): boolean {
  return cache.includes(lib) || libraryDirs().some((dir) => existsSync(join(dir, lib)));
}

export function missingCudaLibraries(): string[] {
  const cache = ldconfigLibraries();
  return cudaLibraries.filter((lib) => !hasLibrary(lib, cache));
}

const CUDA_FAMILY = /^lib(cudart|cublas|cudnn)\.so(\.[0-9.]+)?$/;

/** Every CUDA runtime, cuBLAS and cuDNN library on the library path or in ld.so's cache, whatever its version. */
export function hostCudaLibraries(): string[] {
  const found = new Set<string>();
  for (const line of ldconfigLibraries().split('\n')) {
    const name = line.trim().split(' ')[0] ?? '';
    if (CUDA_FAMILY.test(name)) found.add(name);
  }
  for (const dir of libraryDirs()) {
    try {
      for (const name of readdirSync(dir)) if (CUDA_FAMILY.test(name)) found.add(name);
    } catch {
      // a listed folder that does not exist
    }
  }
  return [...found].sort();
}

export function cudaCheck(): CudaCheck {
  return { needs: CUDA_NEEDS, missing: missingCudaLibraries(), found: hostCudaLibraries() };
}

async function probeTfjsNodeGpu(): Promise<RungReport> {
  const name = 'tfjs-node-gpu';
  if (!isInstalled(name)) return { name, available: false, reason: notInstalled(name) };
  const gpu = nvidiaGpu();
  if (!gpu)
    return {
      name,
      available: false,
      reason: 'no NVIDIA GPU or driver found (nvidia-smi -L lists none, /proc/driver/nvidia absent)',
    };
  const cuda = cudaCheck();
  if (cuda.missing.length > 0) {
    const host = cuda.found.length > 0 ? `this host has ${cuda.found.join(', ')}` : 'this host has no CUDA libraries';
    return {
      name,
      available: false,
      reason: `CUDA libraries missing: ${cuda.missing.join(', ')} (tfjs-node-gpu needs ${CUDA_NEEDS} on the library path; ${host})`,
      cuda,
    };
  }
  return { name, available: true, reason: gpu, cuda };
}

async function probeTfjsNode(): Promise<RungReport> {
  const name = 'tfjs-node';
  if (!isInstalled(name)) return { name, available: false, reason: notInstalled(name) };
  return { name, available: true, reason: 'libtensorflow (CPU) installed' };
}

export interface WebGpuModule {
  create(options: string[]): { requestAdapter(): Promise<WebGpuAdapter | null> };
  globals: Record<string, unknown>;
}

export interface WebGpuAdapter {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string };
}

/** Loads Dawn (an ES module, so imported rather than required) and asks it for an adapter. */
export async function requestWebGpuAdapter(): Promise<{
  gpu: ReturnType<WebGpuModule['create']>;
  adapter: WebGpuAdapter | null;
  module: WebGpuModule;
}> {
  const module = (await import(packageOf.webgpu)) as WebGpuModule;
  const gpu = module.create([]);
  return { gpu, adapter: await gpu.requestAdapter(), module };
}

export function describeAdapter(adapter: WebGpuAdapter): string {
  const info = adapter.info ?? {};
  return [info.vendor, info.architecture, info.device, info.description].filter((s) => s).join(' ') || 'WebGPU adapter';
}

/** What the adapter probe's child process prints on stdout: the adapter's description, or null for none. */
const ADAPTER_PROBE = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter();
process.stdout.write(JSON.stringify(adapter === null ? null : { info: { ...adapter.info } }));
process.exit(0);
`;
const ADAPTER_PROBE_TIMEOUT_MS = 60_000;

/** Dawn's messages without the C++ source locations it appends ("    at operator() (/home/.../BackendVk.cpp:368)"). */
export function dawnMessages(stderr: string): string[] {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^at .*\)$/.test(line))
    .map((line) => line.replace(/^Warning: /, ''));
}

/**
 * Asks Dawn for an adapter in a short child process. Dawn's C++ writes its warnings (a missing Vulkan loader, an
 * unset XDG_RUNTIME_DIR) straight to the process's stderr file descriptor, past anything Node could intercept;
 * in a child that output is captured, and kept in the ladder's reason instead of reaching the user's terminal.
 */
function probeAdapterInChild(): Promise<{ adapter: WebGpuAdapter | null; messages: string[] }> {
  const entry = pathToFileURL(localRequire.resolve(packageOf.webgpu)).href;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--input-type=module', '--eval', ADAPTER_PROBE, entry],
      { encoding: 'utf8', timeout: ADAPTER_PROBE_TIMEOUT_MS, windowsHide: true },
      (error, stdout, stderr) => {
        const messages = dawnMessages(stderr);
        if (error !== null) {
          const said = messages.length > 0 ? `: ${messages.join('; ')}` : '';
          reject(new Error(`the adapter probe ${error.killed ? 'timed out' : `exited with ${error.code}`}${said}`));
          return;
        }
        resolve({ adapter: JSON.parse(stdout) as WebGpuAdapter | null, messages });
      },
    );
  });
}

async function probeWebGpu(): Promise<RungReport> {
  const name = 'webgpu';
  if (!isInstalled(name)) return { name, available: false, reason: notInstalled(name) };
  try {
    const { adapter, messages } = await probeAdapterInChild();
    if (!adapter) {
      const loader =
        process.platform === 'linux' && !hasLibrary('libvulkan.so.1')
          ? ' (libvulkan.so.1, the Vulkan loader, is not installed: apt install libvulkan1)'
          : '';
      const said = messages.length > 0 ? `; Dawn said: ${messages.join('; ')}` : '';
      return {
        name,
        available: false,
        reason: `no WebGPU adapter: Dawn found no Vulkan, Metal or D3D12 device${loader}${said}`,
      };
    }
    return { name, available: true, reason: describeAdapter(adapter) };
  } catch (error) {
    return {
      name,
      available: false,
      reason: `Dawn failed to load: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
}

async function probeWasm(): Promise<RungReport> {
  const name = 'wasm';
  if (!isInstalled(name)) return { name, available: false, reason: notInstalled(name) };
  return { name, available: true, reason: 'WebAssembly (XNNPACK) on the CPU' };
}

const probes: Record<EngineName, () => Promise<RungReport>> = {
  'tfjs-node-gpu': probeTfjsNodeGpu,
  'tfjs-node': probeTfjsNode,
  webgpu: probeWebGpu,
  wasm: probeWasm,
};

export function probe(engine: EngineName): Promise<RungReport> {
  return probes[engine]();
}

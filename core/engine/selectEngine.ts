// Picks and starts the training engine: tfjs-node-gpu (a usable CUDA device) -> tfjs-node -> webgpu (an adapter)
// -> wasm, or the one named. The report it returns is recorded with every run.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { describeDevice, type DeviceInfo } from './deviceInfo';
import { loadExternalTfjs } from './externalTfjs';
import {
  describeAdapter,
  enginePackage,
  engineNames,
  nvidiaGpu,
  packageName,
  probe,
  requestWebGpuAdapter,
  type EngineName,
  type RungReport,
} from './ladder';
import { startWasm, stopWasm } from './wasmEngine';

export { engineNames, type EngineName, type RungReport } from './ladder';

export interface EngineOptions {
  engine?: 'auto' | EngineName;
  /** CPU threads for the wasm engine; default: every available core. */
  threads?: number;
}

export interface EngineReport {
  /** What the experiment asked for: an engine by name, or the first that works. */
  requested: 'auto' | EngineName;
  chosen: EngineName;
  /** The tfjs backend name now active. */
  backend: string;
  threads: number;
  /** Why fewer threads run than were asked for, when that happens. */
  threadsNote?: string;
  /** Kernels the engine replaced or added on its backend. */
  kernels: string[];
  ladder: RungReport[];
  device: DeviceInfo;
  tfjsVersion: string;
}

interface Started {
  backend: string;
  threads: number;
  threadsNote?: string;
  kernels: string[];
  gpu?: string;
  /** tfjs-node-gpu: whether TensorFlow placed its work on a GPU. */
  usingGpu?: boolean;
}

const localRequire = createRequire(__filename);

async function startNative(engine: 'tfjs-node' | 'tfjs-node-gpu'): Promise<Started> {
  // From its folder at run time (node_modules or RadLab's managed engines folder): the packages are optional and
  // kept out of the bundle.
  const packageDir = enginePackage(engine);
  if (packageDir === undefined) throw new Error(`${packageName(engine)} is not installed`);
  loadExternalTfjs(() => localRequire(packageDir));
  if (!tf.findBackendFactory('tensorflow')) {
    throw new Error(
      `${packageName(engine)} loaded but registered no 'tensorflow' backend with this @tensorflow/tfjs-core (${tf.version_core}); install matching versions`,
    );
  }
  if (!(await tf.setBackend('tensorflow')))
    throw new Error(`${packageName(engine)}: the tensorflow backend failed to initialise`);
  const started: Started = { backend: 'tensorflow', threads: availableParallelism(), kernels: [] };
  if (engine === 'tfjs-node-gpu') {
    // The binding's own answer: true only when TensorFlow found a GPU device and placed the context on it (it
    // falls back to the CPU when the CUDA libraries do not load).
    started.usingGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice === true;
    const gpu = started.usingGpu ? nvidiaGpu() : undefined;
    if (gpu !== undefined) started.gpu = gpu;
  }
  return started;
}

async function startWebGpu(): Promise<Started> {
  const { gpu, adapter, module } = await requestWebGpuAdapter();
  if (!adapter) throw new Error('no WebGPU adapter');
  // tfjs-backend-webgpu registers itself only if navigator.gpu exists when it is loaded; Node 20 has no navigator.
  Object.assign(globalThis, module.globals);
  const global = globalThis as { navigator?: { gpu?: unknown } };
  if (global.navigator === undefined)
    Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  else global.navigator.gpu = gpu;
  loadExternalTfjs(() => localRequire('@tensorflow/tfjs-backend-webgpu'));
  if (!(await tf.setBackend('webgpu'))) throw new Error('the tfjs webgpu backend failed to initialise on the adapter');
  return { backend: 'webgpu', threads: availableParallelism(), kernels: [], gpu: describeAdapter(adapter) };
}

async function startEngine(engine: EngineName, threads: number): Promise<Started> {
  if (engine === 'tfjs-node-gpu' || engine === 'tfjs-node') return startNative(engine);
  if (engine === 'webgpu') return startWebGpu();
  const wasm = await startWasm(threads);
  const started: Started = { backend: 'wasm', threads: wasm.threads, kernels: [...wasm.kernels] };
  if (wasm.threadsNote) started.threadsNote = wasm.threadsNote;
  return started;
}

function report(
  requested: 'auto' | EngineName,
  chosen: EngineName,
  started: Started,
  ladder: RungReport[],
): EngineReport {
  const out: EngineReport = {
    requested,
    chosen,
    backend: started.backend,
    threads: started.threads,
    kernels: started.kernels,
    ladder,
    device: describeDevice(started.gpu),
    tfjsVersion: tf.version_core,
  };
  if (started.threadsNote) out.threadsNote = started.threadsNote;
  const rung = ladder.find((r) => r.name === chosen);
  if (rung !== undefined && started.usingGpu !== undefined) {
    rung.usingGpu = started.usingGpu;
    if (!started.usingGpu) rung.reason += '; TensorFlow placed no work on a GPU (it runs on the CPU)';
  }
  return out;
}

export async function probeLadder(): Promise<RungReport[]> {
  const ladder: RungReport[] = [];
  for (const name of engineNames) ladder.push(await probe(name));
  return ladder;
}

/** Starts the requested engine (or the first that works) as tfjs's active backend and reports what it chose. */
export async function selectEngine(options: EngineOptions = {}): Promise<EngineReport> {
  const requested = options.engine ?? 'auto';
  if (requested !== 'auto' && !engineNames.includes(requested)) {
    throw new Error(`unknown engine '${String(requested)}'; expected auto, ${engineNames.join(', ')}`);
  }
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new Error(`threads must be a positive integer (got ${threads})`);
  const ladder = await probeLadder();
  if (requested !== 'auto') {
    const rung = ladder.find((r) => r.name === requested)!;
    if (!rung.available) throw new Error(`engine ${requested} is not available: ${rung.reason}`);
    try {
      return report(requested, requested, await startEngine(requested, threads), ladder);
    } catch (error) {
      throw new Error(`engine ${requested} failed to start: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  for (const rung of ladder) {
    if (!rung.available) continue;
    try {
      return report(requested, rung.name, await startEngine(rung.name, threads), ladder);
    } catch (error) {
      rung.available = false;
      rung.reason = `failed to start: ${error instanceof Error ? error.message : String(error)}`;
    }
  }
  throw new Error(`no training engine could start: ${ladder.map((r) => `${r.name}: ${r.reason}`).join('; ')}`);
}

/**
 * The one line a person starting a run reads about the engine: which runs, on what, and why this one. The whole
 * ladder with every reason is in `radlab engine` and the run's run.json.
 */
export function engineLine(report: EngineReport): string {
  const threads = `${report.threads} thread${report.threads === 1 ? '' : 's'}`;
  const on = `${report.chosen} (${threads}, ${report.device.gpu ?? report.device.cpuModel})`;
  const chosenAt = report.ladder.findIndex((rung) => rung.name === report.chosen);
  const reason = report.ladder[chosenAt]?.reason ?? '';
  if (report.requested !== 'auto') return `Engine: ${on}, as train.engine asks: ${reason}`;
  const passed = report.ladder.slice(0, chosenAt).map((rung) => rung.name);
  if (passed.length === 0) return `Engine: ${on}: ${reason}`;
  const names = passed.length === 1 ? passed[0] : `${passed.slice(0, -1).join(', ')} and ${passed.at(-1)}`;
  const verb = passed.length === 1 ? 'is' : 'are';
  return `Engine: ${on}: ${reason}; ${names} ${verb} not usable here (radlab engine says why)`;
}

/** Releases what would keep the process alive (the wasm engine's worker threads); the engine stays usable. */
export function releaseEngine(): void {
  stopWasm();
}

// Starts tfjs's wasm backend for training: threaded when the threaded build loads (see wasmThreaded.ts), with
// the composite training kernels registered, and shut down so its worker threads let the process exit.
import * as tf from '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { registerWasmTrainingKernels } from './kernels/registerWasmKernels';
import { loadWasmBackend } from './wasmThreaded';

export interface WasmStart {
  threads: number;
  /** Why fewer threads run than were asked for; empty when all run. */
  threadsNote: string;
  simd: boolean;
  kernels: readonly string[];
}

interface EmscriptenThreads {
  PThread?: { runningWorkers: { unref(): void }[] };
}

let started: WasmStart | undefined;

export async function startWasm(requestedThreads: number): Promise<WasmStart> {
  if (started) return started;
  if (!Number.isInteger(requestedThreads) || requestedThreads < 1) {
    throw new Error(`threads must be a positive integer (got ${requestedThreads})`);
  }
  const useThreads = requestedThreads > 1;
  // The C++ side caps its default pool at half the logical cores it is told about.
  const load = loadWasmBackend(requestedThreads * 2);
  const backendDir = dirname(createRequire(__filename).resolve('@tensorflow/tfjs-backend-wasm'));
  // Resolved at run time from the installed package, so tsx runs and the esbuild bundle (where @tensorflow/* is
  // external) find the same .wasm files.
  load.backend.setWasmPaths(`${backendDir}/`);
  let threadsNote = useThreads ? load.reason : '';
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', useThreads && load.threaded);
  load.backend.setThreadsCount(requestedThreads);
  let ok = await tf.setBackend('wasm').catch(() => false);
  if (!ok && useThreads && load.threaded) {
    threadsNote = 'the threaded wasm build failed to start on worker_threads; running single-threaded';
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    ok = await tf.setBackend('wasm').catch(() => false);
  }
  if (!ok) throw new Error(`the wasm backend failed to initialise (wasm files looked for in ${backendDir})`);
  await tf.ready();
  const threads = load.backend.getThreadsCount();
  if (useThreads && threads !== requestedThreads && threadsNote === '') {
    threadsNote = `asked for ${requestedThreads} threads, the wasm thread pool has ${threads}`;
  }
  const simd = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean;
  started = { threads, threadsNote, simd, kernels: registerWasmTrainingKernels() };
  return started;
}

/**
 * Lets the process exit while the wasm backend's pthread workers wait for work: they keep Node alive otherwise.
 * The workers are unreferenced, not ended: the backend stays registered with tfjs, so a later start in the same
 * process reuses it, and XNNPACK's thread pool would wait forever on threads that had been terminated (a sweep
 * run after another in one process hung that way, every thread asleep). Node ends them when the process exits.
 */
export function stopWasm(): void {
  if (!started) return;
  const backend = tf.findBackend('wasm') as unknown as { wasm?: EmscriptenThreads } | null;
  for (const worker of backend?.wasm?.PThread?.runningWorkers ?? []) worker.unref();
}

// Builds many samples' inputs, one series at a time (samples of a series share decoded slices), either in this
// thread or on a pool of worker threads sized to the `threads` setting.
//
// Worker entry: under tsx (tests, `node --import tsx`) this module is a .ts file and the worker is an eval'd
// script that registers tsx's require hook and loads sampleWorker.ts; in the esbuild bundle the worker is the
// separate entry dist/dataWorker.js beside the bundle that holds this code (the CLI and the extension host are
// both in dist/). Workers do not inherit the parent's `--import tsx`, hence the hook.
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { buildSampleInput, type InputSettings } from './sampleInput';
import { DEFAULT_DECODED_BYTES, SeriesImages, type DicomReader } from './seriesImages';

export interface SampleLocation {
  file: string;
  x: number;
  y: number;
}

export interface SeriesTask {
  id: number;
  samples: SampleLocation[];
  settings: InputSettings;
}

export interface SeriesTaskResult {
  id: number;
  results: ({ input: Uint8Array } | { error: string })[];
}

export interface WorkerOptions {
  decodedBytes: number;
}

export interface BuildOptions {
  /** Worker threads; 0 means one per core, 1 builds in this thread. */
  threads?: number;
  /** Reads DICOM in this thread (workers always read files themselves), e.g. to count reads in tests. */
  reader?: DicomReader;
  /** Bound on decoded slices kept per thread. */
  decodedBytes?: number;
}

/** Called once per sample, in any order: the input, or why it could not be built. */
export type SampleResultHandler = (sampleIndex: number, result: { input: Uint8Array } | { error: string }) => Promise<void>;

export const WORKER_BUNDLE_FILE = 'dataWorker.js';

export function resolveThreads(threads: number | undefined): number {
  return threads === undefined || threads <= 0 ? availableParallelism() : threads;
}

/** Sample indices grouped by series folder, in first-seen order. */
function groupBySeries(samples: readonly SampleLocation[]): number[][] {
  const groups = new Map<string, number[]>();
  samples.forEach((sample, index) => {
    const folder = dirname(sample.file);
    const group = groups.get(folder);
    if (group === undefined) groups.set(folder, [index]);
    else group.push(index);
  });
  return [...groups.values()];
}

export async function buildInputs(
  samples: readonly SampleLocation[],
  settings: InputSettings,
  onResult: SampleResultHandler,
  options: BuildOptions = {},
): Promise<void> {
  const groups = groupBySeries(samples);
  const threads = options.reader !== undefined ? 1 : Math.min(resolveThreads(options.threads), Math.max(groups.length, 1));
  const decodedBytes = options.decodedBytes ?? DEFAULT_DECODED_BYTES;
  if (threads <= 1) {
    const images = new SeriesImages(options.reader, decodedBytes);
    for (const group of groups) {
      for (const index of group) {
        try {
          await onResult(index, { input: await buildSampleInput(samples[index]!, settings, images) });
        } catch (error) {
          await onResult(index, { error: (error as Error).message });
        }
      }
    }
    return;
  }
  await runOnWorkers(groups, samples, settings, onResult, threads, decodedBytes);
}

function startWorker(options: WorkerOptions): Worker {
  if (__filename.endsWith('.ts')) {
    const tsxHook = createRequire(__filename).resolve('tsx/cjs');
    const entry = join(__dirname, 'sampleWorker.ts');
    return new Worker(`require(${JSON.stringify(tsxHook)}); require(${JSON.stringify(entry)});`, { eval: true, workerData: options });
  }
  const entry = join(__dirname, WORKER_BUNDLE_FILE);
  if (!existsSync(entry)) throw new Error(`the DICOM decoding worker ${entry} is missing: rebuild with 'npm run build'`);
  return new Worker(entry, { workerData: options });
}

async function runOnWorkers(
  groups: number[][],
  samples: readonly SampleLocation[],
  settings: InputSettings,
  onResult: SampleResultHandler,
  threads: number,
  decodedBytes: number,
): Promise<void> {
  const workers = Array.from({ length: threads }, () => startWorker({ decodedBytes: Math.floor(decodedBytes / threads) }));
  let next = 0;
  // Each worker pulls the next series when it finishes one, so at most `threads` series' results are in flight.
  const drive = (worker: Worker): Promise<void> =>
    new Promise((resolve, reject) => {
      let current: number[] | undefined;
      const send = () => {
        current = groups[next];
        if (current === undefined) return resolve();
        const task: SeriesTask = { id: next++, samples: current.map((i) => samples[i]!), settings };
        worker.postMessage(task);
      };
      worker.on('message', (reply: SeriesTaskResult) => {
        const indices = current!;
        Promise.all(reply.results.map((result, k) => onResult(indices[k]!, result))).then(send, reject);
      });
      worker.on('error', reject);
      worker.on('exit', (code) => current !== undefined && reject(new Error(`a DICOM decoding worker stopped (exit code ${code})`)));
      send();
    });
  try {
    await Promise.all(workers.map(drive));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

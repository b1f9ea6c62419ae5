import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import type { SampleCache } from '../../core/data/sampleCache';
import { releaseEngine, selectEngine } from '../../core/engine/selectEngine';
import { LevelClassifier } from '../../core/models/classifier';
import { trainableVariables } from '../../core/models/freezing';
import { AdamW } from '../../core/train/adamw';
import { makeSchedule } from '../../core/train/schedule';
import { NonFiniteLossError, trainEpoch } from '../../core/train/trainEpoch';

const SIZE = 32;
const BYTES = SIZE * SIZE * 3;

/** Eight grey inputs with grades 0, 1, 2, … held in memory, behind the cache's reading interface. */
function memoryCache(): SampleCache {
  const samples = Array.from({ length: 8 }, (_, i) => ({ studyId: String(i), level: 'L4/L5', gradeIndex: i % 3 }));
  return {
    samples,
    bytesPerSample: BYTES,
    size: SIZE,
    side: SIZE,
    channels: 3,
    read: async (position: number, into: Uint8Array = new Uint8Array(BYTES)) => into.fill(40 + position * 20),
  } as unknown as SampleCache;
}

function settings(epoch: number) {
  return {
    epoch,
    seed: 1,
    batchSize: 4,
    classWeights: undefined,
    labelSmoothing: 0,
    gradClip: 0,
    augment: { hflip: 0, rotateDeg: 0, jitterPx: 0, brightness: 0, contrast: 0 },
    normalize: 'imagenet' as const,
  };
}

describe('the NaN/Inf guard', () => {
  before(async () => {
    await selectEngine({ engine: 'wasm', threads: 1 });
  });
  after(() => releaseEngine());

  it('trains normally on finite weights, then stops with a clear error when the loss stops being finite', async () => {
    const model = LevelClassifier.create(
      'resnet18',
      { levels: 5, embedding: 8, hidden: [16], dropout: 0, classes: 3 },
      3,
    );
    const variables = trainableVariables(model, { freezeBackbone: true, unfreezeLastN: 0 });
    const optimizer = new AdamW({ learningRate: 1e-3 });
    const hooks = { onBatch: () => {}, shouldStop: () => false };
    const schedule = { rate: makeSchedule({ name: 'constant', peak: 1e-3 }), firstStep: 0 };
    const cache = memoryCache();
    const positions = [0, 1, 2, 3, 4, 5, 6, 7];
    const first = await trainEpoch(model, optimizer, variables, cache, positions, settings(1), schedule, hooks);
    assert.ok(Number.isFinite(first.loss) && first.steps === 2);

    // A weight of the head turned to NaN (as a diverging run does) makes every logit NaN.
    const poisoned = model.head.parameters[0]!.variable;
    poisoned.assign(tf.fill(poisoned.shape, Number.NaN));
    await assert.rejects(
      trainEpoch(model, optimizer, variables, cache, positions, settings(2), schedule, hooks),
      (error: unknown) =>
        error instanceof NonFiniteLossError &&
        /loss became NaN at epoch 2, step 1/.test(error.message) &&
        /train\.grad_clip/.test(error.message),
    );
    model.dispose();
  });
});

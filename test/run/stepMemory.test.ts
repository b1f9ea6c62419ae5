// The step-memory plan predicts the wasm engine's real peak: for backbones of every family at two input sizes,
// the peak tfjs records over a whole training step after the first (augmentation, forward, backward, AdamW update,
// with the optimizer's slots held throughout) is within 25%
// of the prediction made from the two probe passes, and within 25% of the editor's estimate made from the model
// registry alone (stepMemoryEstimate); and the plan splits or refuses against the engine's limit.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { releaseEngine, selectEngine } from '../../core/engine/selectEngine';
import { LevelClassifier } from '../../core/models/classifier';
import { freezeModel } from '../../core/models/freezing';
import { estimateStepMemory } from '../../core/experiment/stepMemoryEstimate';
import { engineMemoryLimit, planStep, predictedPeak, WASM_HEAP_BYTES } from '../../core/experiment/stepPlan';
import { explainMemoryFault, measureStepMemory } from '../../core/run/stepMemory';
import { AdamW } from '../../core/train/adamw';
import { trainStep } from '../../core/train/trainStep';
import { testStepSettings } from '../helpers/stepSettings';

before(async () => {
  await selectEngine({ engine: 'wasm', threads: 2 });
});
after(releaseEngine);

const cases = [
  { backbone: 'resnet18', size: 64, batch: 4, microBatch: 4 },
  { backbone: 'resnet18', size: 96, batch: 6, microBatch: 2 },
  { backbone: 'convnext_tiny', size: 64, batch: 4, microBatch: 4 },
  { backbone: 'efficientnet_v2_s', size: 64, batch: 4, microBatch: 4 },
  { backbone: 'vit_ti_16', size: 224, batch: 2, microBatch: 2 },
] as const;

for (const { backbone, size, batch, microBatch } of cases) {
  test(`${backbone} at ${size} px, batch ${batch} in passes of ${microBatch}: peak as measured and estimated within 25%`, async () => {
    const head = { levels: 5, embedding: 32, hidden: [64], classes: 3 };
    const model = LevelClassifier.create(backbone, { ...head, dropout: 0.1 }, 1);
    const trainable = freezeModel(model, { freezeBackbone: true, unfreezeLastN: 32 }).map((p) => p.variable);
    const memory = await measureStepMemory(
      model,
      trainable,
      size,
      {},
      () => new AdamW({ learningRate: 1e-4, weightDecay: 0.02 }),
    );
    const optimizer = new AdamW({ learningRate: 1e-4, weightDecay: 0.02 });
    const residentBytes = tf.memory().numBytes;
    const trainableBytes = trainable.reduce((sum, v) => sum + v.size * 4, 0);
    const request = {
      backbone,
      inputSize: size,
      batchSize: batch,
      accumulateSteps: batch / microBatch,
      memory,
      residentBytes,
      trainableBytes,
      optimizerSlots: 2,
    };
    const pixels = Uint8Array.from({ length: batch * size * size * 3 }, (_, i) => (i * 37) % 251);
    const step = async (): Promise<void> => {
      await trainStep(
        model,
        optimizer,
        trainable,
        {
          pixels,
          shape: [batch, size, size, 3],
          levels: Int32Array.from({ length: batch }, (_, i) => i % 5),
          grades: Int32Array.from({ length: batch }, (_, i) => i % 3),
        },
        testStepSettings('imagenet', microBatch),
      );
    };
    // The first step creates the optimizer's slots at its update; every later one holds them through the backward
    // pass, so the second step's peak is the one a run lives with.
    await step();
    const profile = await tf.profile(step);
    const estimated = {
      ...request,
      ...estimateStepMemory({ backbone, inputSize: size, trainableTensors: 32, head, optimizerSlots: 2 }),
    };
    for (const [how, predicted] of [
      ['from the probes', predictedPeak(request, microBatch)],
      ['from the registry', predictedPeak(estimated, microBatch)],
    ] as const) {
      const ratio = predicted / profile.peakBytes;
      assert.ok(
        ratio > 0.75 && ratio < 1.25,
        `predicted ${how} ${(predicted / 2 ** 20).toFixed(1)} MiB, measured ${(profile.peakBytes / 2 ** 20).toFixed(1)} MiB`,
      );
    }
    optimizer.dispose();
    model.dispose();
  });
}

const request = {
  backbone: 'resnet152',
  inputSize: 224,
  batchSize: 32,
  accumulateSteps: 1,
  memory: { fixed: 1.5 * 2 ** 30, perImage: 100 * 2 ** 20, update: 1 * 2 ** 30 },
  residentBytes: 300 * 2 ** 20,
  trainableBytes: 60 * 2 ** 20,
  optimizerSlots: 2,
  limit: { bytes: WASM_HEAP_BYTES, what: "the wasm engine's 4 GiB heap" },
};

test('on crops where one image is too few for batch norm (a 1x1 last feature map), the probes take two and four', async () => {
  const model = LevelClassifier.create(
    'resnet18',
    { levels: 5, embedding: 32, hidden: [64], classes: 3, dropout: 0.1 },
    1,
  );
  try {
    const trainable = freezeModel(model, { freezeBackbone: false, unfreezeLastN: 0 }).map((p) => p.variable);
    const statistics = () => model.backbone.buffers.map((buffer) => Array.from(buffer.variable.dataSync()));
    const before = statistics();
    const tensorsBefore = tf.memory().numTensors;
    // ResNet-18 at 32 px ends in a 1x1 map: a one-image probe would give its last batch norm one value per channel,
    // and batch norm refuses that.
    const memory = await measureStepMemory(
      model,
      trainable,
      32,
      {},
      () => new AdamW({ learningRate: 1e-4, weightDecay: 0.02 }),
    );
    assert.ok(memory.perImage > 0 && memory.fixed >= 0, JSON.stringify(memory));
    assert.deepEqual(statistics(), before, 'the running statistics are restored');
    assert.equal(tf.memory().numTensors, tensorsBefore, 'the probes leave no tensor behind');
  } finally {
    model.dispose();
  }
});

test('a batch that does not fit is planned as micro-batches that do, and said so', () => {
  // 300 + 120 + 18.4 (input) + 1536 + 60 (summed gradients) MiB leave 2061.6 MiB: 20 images of 100 MiB per pass.
  const plan = planStep(request);
  assert.equal(plan.microBatch, 20);
  assert.equal(plan.passes, 2);
  assert.ok(plan.peakBytes! <= WASM_HEAP_BYTES);
  assert.match(plan.note!, /2 micro-batches of at most 20/);
  assert.equal(planStep({ ...request, batchSize: 16 }).note, undefined, 'a batch that fits runs in one pass');
  assert.equal(planStep({ ...request, accumulateSteps: 4 }).microBatch, 8, 'accumulate_steps is kept when it fits');
});

test('a step that does not fit even one image at a time is refused, naming the limit', () => {
  assert.throws(
    () => planStep({ ...request, memory: { fixed: 4 * 2 ** 30, perImage: 1, update: 0 } }),
    /resnet152 at 224 px does not fit the wasm engine's 4 GiB heap even one image at a time: .*Lower data\.input\.size/,
  );
  assert.throws(
    () => planStep({ ...request, memory: { fixed: 0, perImage: 1, update: 4 * 2 ** 30 } }),
    /most of it the optimizer update of 60\.0 MiB of trainable parameters \(4\.1 GiB\)\. Lower model\.unfreeze_last_n/,
  );
});

test('the engine limit: 3 GiB of the heap for wasm, unknown for a GPU engine', () => {
  assert.equal(engineMemoryLimit({ chosen: 'wasm' })?.bytes, 3 * 2 ** 30, "3 GiB of the 4 GiB heap for tfjs's tensors");
  assert.equal(engineMemoryLimit({ chosen: 'tfjs-node-gpu' }), undefined);
});

test("a wasm memory fault names the heap, backbone, input size and batch instead of the engine's words", () => {
  const explained = explainMemoryFault(new RangeError('memory access out of bounds'), {
    backbone: 'resnet50',
    inputSize: 224,
    batchSize: 4,
    microBatch: 4,
  }) as Error;
  assert.match(explained.message, /ran out of memory training resnet50 at 224 px, batch 4 in micro-batches of 4/);
  assert.match(explained.message, /its heap had grown to .* of at most 4\.0 GiB/);
  const other = new Error('something else');
  assert.equal(explainMemoryFault(other, { backbone: 'resnet50', inputSize: 224, batchSize: 4, microBatch: 4 }), other);
});

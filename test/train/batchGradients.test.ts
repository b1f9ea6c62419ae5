// A step's gradients computed in micro-batches, and with the frozen backbone prefix off the gradient tape, equal
// one full-batch pass: checked against gradients worked out by hand for a softmax-regression model, and against
// tfjs's own whole-model gradients for a real backbone.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { LevelClassifier } from '../../core/models/classifier';
import { trainableVariables } from '../../core/models/freezing';
import { LevelHead } from '../../core/models/levelHead';
import { Backbone, ModelState, StageList } from '../../core/models/module';
import { Cancellation } from '../../core/run/cancellation';
import { batchGradients, StepStopped } from '../../core/train/batchGradients';
import { crossEntropyLoss } from '../../core/train/loss';
import { maxRelativeError, useCpuBackend } from './helpers';

before(useCpuBackend);

const classWeights = [1, 2, 4];
const grades = [0, 2, 1, 0, 2, 2, 1];
const levelIndices = [0, 1, 2, 3, 4, 0, 3];
const side = 4;

function images(count: number, seed: number): tf.Tensor4D {
  const values = Float32Array.from({ length: count * side * side * 3 }, (_, i) => Math.sin(i * 0.37 + seed) * 2);
  return tf.tensor4d(values, [count, side, side, 3]);
}

/** Features = each channel's mean; head = level embedding (width 2) then one Linear to 3 classes, no dropout. */
function softmaxRegression(): LevelClassifier {
  const state = new ModelState();
  const stages = new StageList(state);
  stages.add((x: tf.Tensor4D) => tf.mean(x, [1, 2]) as tf.Tensor2D);
  const backbone = new Backbone('channel means', 3, state, stages).initialize(1);
  const head = new LevelHead({ featureWidth: 3, levels: 5, embedding: 2, hidden: [], dropout: 0, classes: 3 });
  return new LevelClassifier(backbone, head.initialize(2));
}

/**
 * By hand: z_i = [channel means, embedding of level_i], logits = z_i W + b, p_i = softmax. The weighted mean loss
 * L = Σ w_{y_i} (−log p_{i,y_i}) / Σ w_{y_i} has dL/dlogits_i = w_{y_i} (p_i − onehot(y_i)) / Σ w, so
 * dL/dW = Σ_i z_i ⊗ dL/dlogits_i, dL/db = Σ_i dL/dlogits_i, dL/d(embedding row l) = Σ_{i: level l} W dL/dlogits_i.
 */
function handGradients(model: LevelClassifier, batch: tf.Tensor4D) {
  const head = model.head.parameters;
  const table = head.find((p) => p.name === 'level_embedding.weight')!.variable.arraySync() as number[][];
  const weight = head.find((p) => p.name === 'classifier.weight')!.variable.arraySync() as number[][]; // [in][out]
  const bias = head.find((p) => p.name === 'classifier.bias')!.variable.arraySync() as number[];
  const pixels = batch.arraySync();
  const totalWeight = grades.reduce((sum, g) => sum + classWeights[g]!, 0);
  const dW = weight.map((row) => row.map(() => 0));
  const db = [0, 0, 0];
  const dTable = table.map((row) => row.map(() => 0));
  let loss = 0;
  grades.forEach((grade, i) => {
    const means = [0, 1, 2].map((c) => pixels[i]!.flat().reduce((sum, px) => sum + px[c]!, 0) / (side * side));
    const z = [...means, ...table[levelIndices[i]!]!];
    const logits = [0, 1, 2].map((k) => z.reduce((sum, zj, j) => sum + zj * weight[j]![k]!, bias[k]!));
    const top = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - top));
    const p = exps.map((e) => e / exps.reduce((a, b) => a + b, 0));
    const w = classWeights[grade]!;
    loss += (w * -Math.log(p[grade]!)) / totalWeight;
    const g = p.map((pk, k) => (w * (pk - (k === grade ? 1 : 0))) / totalWeight);
    z.forEach((zj, j) => g.forEach((gk, k) => (dW[j]![k]! += zj * gk)));
    g.forEach((gk, k) => (db[k]! += gk));
    for (let e = 0; e < 2; e += 1) {
      dTable[levelIndices[i]!]![e]! += g.reduce((sum, gk, k) => sum + weight[3 + e]![k]! * gk, 0);
    }
  });
  return {
    loss,
    grads: { 'level_embedding.weight': dTable.flat(), 'classifier.weight': dW.flat(), 'classifier.bias': db },
  };
}

async function gradientsIn(model: LevelClassifier, batch: tf.Tensor4D, microBatch: number) {
  const levels = tf.tensor1d(levelIndices, 'int32');
  const trainable = trainableVariables(model, { freezeBackbone: true, unfreezeLastN: 0 });
  const result = await batchGradients(
    model,
    trainable,
    { images: batch, levels, grades },
    {
      loss: { classWeights },
      microBatch,
    },
  );
  levels.dispose();
  const byName = Object.fromEntries(
    model.head.parameters.map((p) => [p.name, Array.from(result.grads[p.variable.name]!.dataSync())]),
  );
  const out = { loss: result.loss.dataSync()[0]!, grads: byName, rows: result.probabilities.shape[0] };
  tf.dispose([result.loss, result.probabilities, ...Object.values(result.grads)]);
  return out;
}

test('gradients accumulated over 1, 3 and 7 micro-batches equal the hand-computed full-batch gradients', async () => {
  const model = softmaxRegression();
  const batch = images(grades.length, 0);
  const expected = handGradients(model, batch);
  // 7 images: one pass; passes of 3, 3 and 1 (unequal, with different target weights); one image per pass.
  for (const microBatch of [7, 3, 1]) {
    const actual = await gradientsIn(model, batch, microBatch);
    assert.equal(actual.rows, grades.length, 'one probability row per image');
    assert.ok(Math.abs(actual.loss - expected.loss) < 1e-5, `loss at micro-batch ${microBatch}`);
    for (const [name, values] of Object.entries(expected.grads)) {
      const error = maxRelativeError(actual.grads[name]!, values, 1e-4);
      assert.ok(error < 1e-4, `${name} at micro-batch ${microBatch}: relative error ${error}`);
    }
  }
  batch.dispose();
  model.dispose();
});

test('a frozen backbone prefix run off the tape gives the whole-model gradients, and no tensor is left behind', async () => {
  const model = LevelClassifier.create(
    'resnet18',
    { levels: 5, embedding: 8, hidden: [16], dropout: 0, classes: 3 },
    3,
  );
  // The last 9 tensors: layer4.1 (6) and part of layer4.0, so the stem and the six blocks of layers 1-3 run off
  // the tape.
  const trainable = trainableVariables(model, { freezeBackbone: true, unfreezeLastN: 9 });
  assert.equal(model.backbone.frozenStageCount(new Set(trainable)), 1 + 6);
  const batch = tf.tidy(() => tf.tile(images(grades.length, 1), [1, 8, 8, 1])) as tf.Tensor4D; // 32 px
  const levels = tf.tensor1d(levelIndices, 'int32');
  const targets = tf.tensor1d(grades, 'int32');
  const reference = tf.variableGrads(
    () => crossEntropyLoss(model.forward(batch, levels, true), targets, { classWeights }),
    trainable,
  );
  const before = tf.memory().numTensors;
  const split = await batchGradients(
    model,
    trainable,
    { images: batch, levels, grades },
    {
      loss: { classWeights },
      microBatch: grades.length,
    },
  );
  assert.equal(Object.keys(split.grads).length, trainable.length);
  for (const variable of trainable) {
    const error = maxRelativeError(split.grads[variable.name]!.dataSync(), reference.grads[variable.name]!.dataSync());
    assert.ok(error < 1e-4, `${variable.name}: relative error ${error}`);
  }
  assert.ok(Math.abs(split.loss.dataSync()[0]! - reference.value.dataSync()[0]!) < 1e-5);
  tf.dispose([split.loss, split.probabilities, ...Object.values(split.grads)]);
  assert.equal(tf.memory().numTensors, before, 'the step keeps no tensor beyond what it returns');
  tf.dispose([reference.value, ...Object.values(reference.grads), batch, levels, targets]);
  model.dispose();
});

test('a stop request between micro-batches ends the step and releases its tensors', async () => {
  const model = softmaxRegression();
  const batch = images(grades.length, 2);
  const levels = tf.tensor1d(levelIndices, 'int32');
  const before = tf.memory().numTensors;
  let asked = 0;
  await assert.rejects(
    batchGradients(
      model,
      trainableVariables(model, { freezeBackbone: true, unfreezeLastN: 0 }),
      {
        images: batch,
        levels,
        grades,
      },
      { loss: {}, microBatch: 2, shouldStop: () => ++asked >= 3 },
    ),
    StepStopped,
  );
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([batch, levels]);
  model.dispose();
});

test('SIGTERM during a step with a long frozen prefix stops it within 2 s', async () => {
  const model = LevelClassifier.create(
    'resnet50',
    { levels: 5, embedding: 8, hidden: [16], dropout: 0, classes: 3 },
    4,
  );
  const trainable = trainableVariables(model, { freezeBackbone: true, unfreezeLastN: 0 });
  const batch = tf.tidy(() => tf.tile(images(2, 3), [1, 24, 24, 1])) as tf.Tensor4D; // 96 px
  const levels = tf.tensor1d([0, 1], 'int32');
  const cancellation = new Cancellation();
  let signalled = 0;
  const timer = setTimeout(() => {
    signalled = performance.now();
    process.kill(process.pid, 'SIGTERM');
  }, 300);
  try {
    await assert.rejects(
      batchGradients(
        model,
        trainable,
        { images: batch, levels, grades: [0, 2] },
        {
          loss: {},
          microBatch: 2,
          shouldStop: () => cancellation.requested,
        },
      ),
      StepStopped,
    );
    assert.ok(signalled > 0, 'the step outlasted the 300 ms before the signal');
    const latency = performance.now() - signalled;
    assert.ok(latency < 2000, `stopped ${latency.toFixed(0)} ms after SIGTERM`);
  } finally {
    clearTimeout(timer);
    cancellation.dispose();
    tf.dispose([batch, levels]);
    model.dispose();
  }
});

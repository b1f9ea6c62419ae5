// A frozen backbone's batch norms run in inference mode during training: a training step leaves their running
// statistics bit for bit as they were, while the batch norms of the trainable tail still update theirs.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { LevelHead } from '../../core/models/levelHead';
import { LevelClassifier } from '../../core/models/classifier';
import { trainableVariables } from '../../core/models/freezing';
import { resnet } from '../../core/models/resnet';
import { AdamW } from '../../core/train/adamw';
import { crossEntropyLoss } from '../../core/train/loss';

before(async () => {
  await tf.setBackend('cpu');
});

function runningStatistics(model: LevelClassifier): Map<string, Float32Array> {
  const statistics = new Map<string, Float32Array>();
  for (const buffer of model.backbone.buffers) {
    if (/running_(mean|var)$/.test(buffer.name))
      statistics.set(buffer.name, buffer.variable.dataSync() as Float32Array);
  }
  return statistics;
}

function tinyResnetClassifier(seed: number): LevelClassifier {
  const backbone = resnet({ block: 'basic', layers: [1, 1, 1, 1], widths: [4, 4, 8, 8], stemWidth: 4 }, 'tiny');
  const head = new LevelHead({ featureWidth: 8, embedding: 4, hidden: [8] });
  return new LevelClassifier(backbone.initialize(seed), head.initialize(seed + 1));
}

test('a training step leaves frozen batch-norm statistics unchanged and updates the trainable ones', () => {
  const model = tinyResnetClassifier(3);
  const { backbone } = model;
  // The last 6 tensors: layer4.0's conv2, bn2 and downsample (conv, bn); layer4.0.bn1 just before them is frozen.
  const tail = backbone.parameters.slice(-6).map((p) => p.name);
  assert.deepEqual(tail, [
    'layer4.0.conv2.weight',
    'layer4.0.bn2.weight',
    'layer4.0.bn2.bias',
    'layer4.0.downsample.0.weight',
    'layer4.0.downsample.1.weight',
    'layer4.0.downsample.1.bias',
  ]);
  const variables = trainableVariables(model, { freezeBackbone: true, unfreezeLastN: 6 });
  const before = runningStatistics(model);
  const optimizer = new AdamW({ learningRate: 1e-2, weightDecay: 0 });
  const images = tf.randomNormal([4, 32, 32, 3], 0.5, 2, 'float32', 11) as tf.Tensor4D;
  const levels = tf.tensor1d([0, 1, 2, 3], 'int32');
  const { value, grads } = tf.variableGrads(
    () => crossEntropyLoss(model.forward(images, levels, true), [0, 1, 2, 0]),
    variables,
  );
  optimizer.applyGradients(grads);
  const after = runningStatistics(model);
  const trainableBatchNorms = new Set(['layer4.0.bn2', 'layer4.0.downsample.1']);
  let frozenCount = 0;
  for (const [name, values] of before) {
    const layer = name.replace(/\.running_(mean|var)$/, '');
    const now = after.get(name)!;
    if (trainableBatchNorms.has(layer)) {
      assert.ok(
        values.some((v, i) => v !== now[i]),
        `${name} (trainable) did not change`,
      );
    } else {
      frozenCount += 1;
      assert.deepEqual(now, values, `${name} (frozen) changed`);
    }
  }
  assert.ok(frozenCount >= 10, `only ${frozenCount} frozen statistics checked`);
  tf.dispose([value, images, levels, ...Object.values(grads)]);
  optimizer.dispose();
  model.dispose();
});

test('with nothing frozen every batch norm updates its statistics in training', () => {
  const model = tinyResnetClassifier(5);
  trainableVariables(model, { freezeBackbone: false, unfreezeLastN: 0 });
  const before = runningStatistics(model);
  const images = tf.randomNormal([4, 32, 32, 3], 0.5, 2, 'float32', 12) as tf.Tensor4D;
  tf.tidy(() => model.forward(images, tf.tensor1d([0, 1, 2, 3], 'int32'), true));
  for (const [name, values] of runningStatistics(model)) {
    assert.ok(
      values.some((v, i) => v !== before.get(name)![i]),
      `${name} did not change`,
    );
  }
  images.dispose();
  model.dispose();
});

// Saving a training checkpoint reads the optimizer's state without keeping anything: the step counts and the
// iteration number it makes for the file are released, so a run that saves every epoch does not grow in memory.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { LevelClassifier } from '../../core/models/classifier';
import { LevelHead } from '../../core/models/levelHead';
import { resnet } from '../../core/models/resnet';
import { AdamW } from '../../core/train/adamw';
import { saveTrainingCheckpoint } from '../../core/train/trainingCheckpoint';

before(async () => {
  await tf.setBackend('cpu');
});

test('saving a checkpoint leaves the live tensor count as it was', async () => {
  const backbone = resnet({ block: 'basic', layers: [1, 1, 1, 1], widths: [4, 4, 8, 8], stemWidth: 4 }, 'tiny');
  const model = new LevelClassifier(
    backbone.initialize(1),
    new LevelHead({ featureWidth: 8, embedding: 4, hidden: [8] }).initialize(2),
  );
  const optimizer = new AdamW({ learningRate: 1e-3, weightDecay: 0 });
  // One update gives every parameter its two AdamW slots and a step count.
  const gradients = Object.fromEntries(
    [...model.backbone.parameters, ...model.head.parameters].map((p) => [p.variable.name, tf.onesLike(p.variable)]),
  );
  optimizer.applyGradients(gradients);
  tf.dispose(Object.values(gradients));
  const folder = mkdtempSync(join(tmpdir(), 'radlab-checkpoint-memory-'));
  try {
    const progress = {
      completedEpochs: 1,
      globalStep: 1,
      history: [],
      bestEpoch: 1,
      bestScore: 0,
      epochsWithoutImprovement: 0,
    };
    const before = tf.memory().numTensors;
    await saveTrainingCheckpoint(join(folder, 'last'), model, optimizer, progress);
    await saveTrainingCheckpoint(join(folder, 'last'), model, optimizer, progress);
    assert.equal(tf.memory().numTensors, before);
  } finally {
    rmSync(folder, { recursive: true, force: true });
    optimizer.dispose();
    model.dispose();
  }
});

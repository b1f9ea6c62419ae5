// The head against a plain-PyTorch reference, freezing against the registry's block facts, and checkpoints.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { LevelHead } from '../../core/models/levelHead';
import { LevelClassifier } from '../../core/models/classifier';
import { defineBackbone, buildBackbone } from '../../core/models/build';
import { trainableParameters, trainableVariables } from '../../core/models/freezing';
import { loadClassifier, saveClassifier } from '../../core/models/checkpoint';
import { resnet } from '../../core/models/resnet';
import { importState } from '../../core/models/stateDict';
import { writeSafetensors } from '../../core/models/safetensors';
import { BACKBONE_NAMES, backboneFacts, describeUnfrozen } from '../../core/models/registry';
import { loadParityCase, relativeError, tensorOf } from './parityFixtures';

let scratch: string;

before(async () => {
  await tf.setBackend('cpu');
  scratch = mkdtempSync(join(tmpdir(), 'radlab-models-'));
});

after(() => rmSync(scratch, { recursive: true, force: true }));

test('the head computes what the PyTorch reference head computes', async () => {
  const fixture = await loadParityCase('head');
  const config = fixture.config as { featureWidth: number; levels: number; embedding: number; hidden: number[] };
  const head = new LevelHead({ ...config, dropout: 0.1 }).initialize(5);
  importState(head.state, fixture.state, { source: 'head.safetensors' });
  const features = tensorOf(fixture.io, 'features');
  const levels = tensorOf(fixture.io, 'levels');
  const logits = tf.tidy(() =>
    head.forward(
      tf.tensor2d(features.data as Float32Array, features.shape as [number, number]),
      tf.tensor1d(levels.data, 'int32'),
      false,
    ),
  );
  assert.deepEqual(logits.shape, [4, 3]);
  assert.ok(relativeError(logits.dataSync(), tensorOf(fixture.io, 'logits').data) < 1e-5);
  logits.dispose();
  head.dispose();
});

test('the head refuses level indices of the wrong type or count', () => {
  const head = new LevelHead({ featureWidth: 4, embedding: 2, hidden: [3] }).initialize(0);
  tf.tidy(() => {
    assert.throws(
      () => head.forward(tf.zeros([2, 4]), tf.tensor1d([0, 1], 'float32'), false),
      /one int32 level index per row/,
    );
    assert.throws(() => head.forward(tf.zeros([2, 5]), tf.tensor1d([0, 1], 'int32'), false), /takes 4 features/);
  });
  head.dispose();
});

test('unfreeze_last_n 32 on resnet152 trains the blocks the registry names, and the head', () => {
  const model = new LevelClassifier(defineBackbone('resnet152'), new LevelHead({ featureWidth: 2048 }));
  const names = trainableParameters(model, { freezeBackbone: true, unfreezeLastN: 32 }).map((p) => p.name);
  const backboneNames = names.slice(0, 32);
  const count = (prefix: string): number => backboneNames.filter((name) => name.startsWith(`${prefix}.`)).length;
  assert.equal(
    describeUnfrozen('resnet152', 32),
    'the last 32 tensors: layer4.2 (9), layer4.1 (9), layer4.0 (12), part of layer3.35 (2 of 9)',
  );
  assert.deepEqual([count('layer4.2'), count('layer4.1'), count('layer4.0'), count('layer3.35')], [9, 9, 12, 2]);
  assert.deepEqual(backboneNames.slice(0, 2), ['layer3.35.bn3.weight', 'layer3.35.bn3.bias']);
  assert.deepEqual(
    names.slice(32),
    model.head.parameters.map((p) => p.name),
  );
});

test("for every backbone the trailing tensors fall into the registry's tail blocks", () => {
  for (const name of BACKBONE_NAMES) {
    const backbone = defineBackbone(name);
    const model = new LevelClassifier(backbone, new LevelHead({ featureWidth: backbone.featureWidth }));
    let covered = 0;
    for (const group of backboneFacts(name).tail) {
      covered += group.tensors;
      const tail = trainableParameters(model, { freezeBackbone: true, unfreezeLastN: covered }).slice(0, group.tensors);
      for (const parameter of tail) {
        assert.ok(parameter.name.startsWith(`${group.block}.`), `${name}: ${parameter.name} is not in ${group.block}`);
      }
      assert.equal(
        tail.reduce((sum, p) => sum + p.torchShape.reduce((a, b) => a * b, 1), 0),
        group.params,
      );
    }
  }
});

test('freeze_backbone false trains everything; 0 and overlarge counts are handled', () => {
  const backbone = defineBackbone('resnet18');
  const model = new LevelClassifier(backbone, new LevelHead({ featureWidth: 512 }));
  const head = model.head.parameters.length;
  assert.equal(trainableParameters(model, { freezeBackbone: false, unfreezeLastN: 0 }).length, 60 + head);
  assert.equal(trainableParameters(model, { freezeBackbone: true, unfreezeLastN: 0 }).length, head);
  assert.equal(trainableParameters(model, { freezeBackbone: true, unfreezeLastN: 1000 }).length, 60 + head);
  assert.throws(() => trainableParameters(model, { freezeBackbone: true, unfreezeLastN: -1 }), /0 or more/);
});

function tinyClassifier(seed: number): LevelClassifier {
  const backbone = resnet(
    { block: 'bottleneck', layers: [1, 1, 1, 1], widths: [4, 4, 4, 4], stemWidth: 8 },
    'tiny_resnet',
  );
  backbone.initialize(seed);
  return new LevelClassifier(
    backbone,
    new LevelHead({ featureWidth: 16, embedding: 4, hidden: [8] }).initialize(seed + 1),
  );
}

test('a saved classifier reloads into a fresh one and predicts identically, batch-norm statistics included', async () => {
  const images = tf.randomNormal([3, 32, 32, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const levels = tf.tensor1d([0, 3, 4], 'int32');
  const trained = tinyClassifier(1);
  // A training-mode pass moves the running statistics away from their defaults; the reload must carry them.
  tf.dispose(trained.forward(images, levels, true));
  const path = join(scratch, 'classifier.safetensors');
  await saveClassifier(path, trained, { epoch: '3' });
  const fresh = tinyClassifier(2);
  const before = fresh.forward(images, levels, false);
  const expected = trained.forward(images, levels, false);
  assert.ok(relativeError(before.dataSync(), expected.dataSync()) > 1e-2, 'differently seeded models must differ');
  const metadata = await loadClassifier(path, fresh);
  assert.equal(metadata.epoch, '3');
  const reloaded = fresh.forward(images, levels, false);
  assert.deepEqual([...reloaded.dataSync()], [...expected.dataSync()]);
  tf.dispose([images, levels, before, expected, reloaded]);
  trained.dispose();
  fresh.dispose();
});

test('loading refuses another architecture and reports what is missing, leaving the model untouched', async () => {
  const model = tinyClassifier(1);
  const path = join(scratch, 'partial.safetensors');
  await writeSafetensors(
    path,
    [{ name: 'backbone.conv1.weight', dtype: 'F32', shape: [8, 3, 7, 7], data: new Float32Array(1176) }],
    {
      format: 'radlab-level-classifier/1',
      backbone: 'tiny_resnet',
    },
  );
  const before = [...model.backbone.parameters[0]!.variable.dataSync()];
  await assert.rejects(
    loadClassifier(path, model),
    /partial\.safetensors: cannot load the weights: \d+ tensor\(s\) the model needs are missing: backbone\.bn1\.weight/,
  );
  assert.deepEqual([...model.backbone.parameters[0]!.variable.dataSync()], before);
  await writeSafetensors(path, [], { format: 'radlab-level-classifier/1', backbone: 'resnet50' });
  await assert.rejects(loadClassifier(path, model), /holds a resnet50 classifier, the model is tiny_resnet/);
  model.dispose();
});

test('buildBackbone initialises a registry backbone deterministically from its seed and runs it', () => {
  const first = buildBackbone('resnet18', { seed: 11 });
  const second = buildBackbone('resnet18', { seed: 11 });
  const conv1 = (b: typeof first): number[] => [...b.parameters[0]!.variable.dataSync().slice(0, 16)];
  assert.deepEqual(conv1(first), conv1(second));
  // kaiming_normal fan_out: std sqrt(2 / (64 * 7 * 7)) ~ 0.0253 for conv1.
  const values = first.parameters[0]!.variable.dataSync() as Float32Array;
  const std = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0) / values.length);
  assert.ok(Math.abs(std - Math.sqrt(2 / (64 * 49))) < 0.002, `conv1 std ${std}`);
  const features = tf.tidy(() => first.forward(tf.ones([1, 64, 64, 3]), false));
  assert.deepEqual(features.shape, [1, 512]);
  features.dispose();
  second.dispose();
  const other = buildBackbone('resnet18', { seed: 12 });
  assert.notDeepEqual(conv1(first), conv1(other));
  first.dispose();
  other.dispose();
});

test('the classifier trains only the variables freezing hands the optimizer', () => {
  const model = tinyClassifier(3);
  const variables = trainableVariables(model, { freezeBackbone: true, unfreezeLastN: 3 });
  assert.equal(variables.length, 3 + model.head.parameters.length);
  assert.equal(variables[0], model.backbone.parameters[model.backbone.parameters.length - 3]!.variable);
  model.dispose();
});

test('ViT refuses an input size other than the one its position embeddings fix', () => {
  const backbone = defineBackbone('vit_ti_16');
  assert.throws(
    () => backbone.forward(tf.zeros([1, 128, 128, 3]) as tf.Tensor4D, false),
    /vit_ti_16 takes 224x224 images .* got 128x128/,
  );
});

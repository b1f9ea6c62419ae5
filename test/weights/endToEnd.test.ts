// Checkpoints as found in the wild, loaded into the small configurations of our backbones, give the features
// PyTorch computes from the same checkpoint and input (test/fixtures/weights/make_pth.py): a DataParallel-wrapped
// ResNet with its fc head, a Swin under Hugging Face names, a ViT trained at 32 px run at 48 px.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import type { Backbone } from '../../core/models/module';
import { resnet, type ResnetConfig } from '../../core/models/resnet';
import { swin, type SwinConfig } from '../../core/models/swin';
import { vit, type VitConfig } from '../../core/models/vit';
import { readSafetensors } from '../../core/models/safetensors';
import type { BackboneFamily } from '../../core/models/registry';
import { backboneFeatures } from '../../core/cli/featuresCommand';
import { loadBackboneWeights, WeightLoadError } from '../../core/models/weights/loadWeights';
import type { KeyReport } from '../../core/models/weights/keyReport';

const FIXTURES = join(__dirname, '..', 'fixtures', 'weights');
const TOLERANCE = 1e-4;

before(async () => {
  await tf.setBackend('cpu');
});

async function runCase(
  name: string,
  family: BackboneFamily,
  build: (config: never) => Backbone,
): Promise<{ report: KeyReport; error: number }> {
  const io = await readSafetensors(join(FIXTURES, `${name}_e2e.io.safetensors`));
  const backbone = build(JSON.parse(io.metadata.config!) as never).initialize(1);
  try {
    const report = await loadBackboneWeights(backbone, join(FIXTURES, `${name}_e2e.pth`), { strict: true, family });
    const input = io.tensors.get('input')!;
    const expected = io.tensors.get('features')!;
    const features = backboneFeatures(backbone, { shape: input.shape, data: input.data as Float32Array });
    assert.deepEqual(features.shape, expected.shape);
    let worst = 0;
    let scale = 0;
    expected.data.forEach((value, i) => {
      worst = Math.max(worst, Math.abs(features.data[i]! - value));
      scale = Math.max(scale, Math.abs(value));
    });
    return { report, error: worst / scale };
  } finally {
    backbone.dispose();
  }
}

describe('pretrained checkpoints give PyTorch features', () => {
  test('ResNet saved under state_dict with the module. prefix and its fc head', async () => {
    const { report, error } = await runCase('resnet', 'resnet', (config: ResnetConfig) => resnet(config));
    assert.equal(report.location, 'state_dict');
    assert.equal(report.strippedPrefix, 'module.');
    assert.deepEqual(report.skippedHead, ['fc.weight', 'fc.bias']);
    assert.ok(error < TOLERANCE, `relative error ${error}`);
  });

  test('Swin from Hugging Face names', async () => {
    const { report, error } = await runCase('swin_hf', 'swin', (config: SwinConfig) => swin(config));
    assert.equal(report.naming, 'huggingface-swin');
    assert.deepEqual(report.skippedHead, ['head.weight', 'head.bias']);
    assert.ok(error < TOLERANCE, `relative error ${error}`);
  });

  test('ViT at another input size: the position embedding is resized like torchvision', async () => {
    const { report, error } = await runCase('vit_resize', 'vit', (config: VitConfig) => vit(config));
    assert.deepEqual(report.resized, [
      { name: 'encoder.pos_embedding', checkpointShape: [1, 17, 32], modelShape: [1, 37, 32] },
    ]);
    assert.ok(error < TOLERANCE, `relative error ${error}`);
  });

  test('strict loading of a checkpoint of another configuration fails with the report and assigns nothing', async () => {
    const backbone = resnet({
      block: 'basic',
      layers: [1, 1, 1, 1],
      widths: [16, 32, 32, 32],
      stemWidth: 16,
    }).initialize(3);
    try {
      const before = backbone.state.entries[0]!.variable.dataSync().slice();
      await assert.rejects(
        loadBackboneWeights(backbone, join(FIXTURES, 'resnet_e2e.pth'), { strict: true, family: 'resnet' }),
        (error: Error) => {
          assert.ok(error instanceof WeightLoadError);
          assert.match(error.message, /resnet_e2e\.pth: .*\(strict loading\)/);
          assert.match(error.message, /layer1\.0\.conv1\.weight: \[8, 16, 1, 1\] vs \[16, 16, 3, 3\]/);
          assert.match(error.message, /^ {2}layer1\.0\.conv3\.weight$/m);
          return true;
        },
      );
      assert.deepEqual(backbone.state.entries[0]!.variable.dataSync(), before);
    } finally {
      backbone.dispose();
    }
  });
});

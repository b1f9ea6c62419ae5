// Saliency maps against PyTorch on the same weights and input (test/fixtures/gradcam/make_fixture.py): Grad-CAM of
// a ResNet (resnet18's blocks at an eighth of its widths) and of a Swin, computed there with forward and gradient
// hooks, and attention rollout of a ViT and a BEiT, computed there from the attention weights of nn.MultiheadAttention
// and of the registry generator's BEiT reconstruction. Each classifier
// is the backbone with the level-embedding head, loaded from a RadLab checkpoint that PyTorch wrote.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// The engine registers gradients for training; this test does it for itself.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { attentionRollout } from '../../core/explain/attentionRollout';
import { gradCam } from '../../core/explain/gradCam';
import type { SaliencyMap } from '../../core/explain/saliencyMap';
import { loadClassifier } from '../../core/models/checkpoint';
import { LevelClassifier } from '../../core/models/classifier';
import { LevelHead, type LevelHeadConfig } from '../../core/models/levelHead';
import type { Backbone } from '../../core/models/module';
import { resnet, type ResnetConfig } from '../../core/models/resnet';
import { readSafetensors, type HostTensor } from '../../core/models/safetensors';
import { swin, type SwinConfig } from '../../core/models/swin';
import { beit, type BeitConfig } from '../../core/models/beit';
import { vit, type VitConfig } from '../../core/models/vit';
import { relativeError } from '../models/parityFixtures';

const FIXTURES = join(__dirname, '../fixtures/gradcam');
const TOLERANCE = 1e-4;
const GRADES = [0, 1, 2];

interface Case {
  model: LevelClassifier;
  image: tf.Tensor4D;
  level: number;
  io: Map<string, HostTensor>;
}

async function loadCase(name: string, build: (config: never) => Backbone): Promise<Case> {
  const path = join(FIXTURES, `${name}.safetensors`);
  const { metadata } = await readSafetensors(path);
  const { tensors: io, metadata: ioMetadata } = await readSafetensors(join(FIXTURES, `${name}.io.safetensors`));
  const backbone = build(JSON.parse(ioMetadata.config!) as never).initialize(0);
  const head = new LevelHead(JSON.parse(metadata.head!) as LevelHeadConfig).initialize(1);
  const model = new LevelClassifier(backbone, head);
  await loadClassifier(path, model);
  const input = io.get('input')!;
  const image = tf.tensor4d(input.data as Float32Array, input.shape as [number, number, number, number]);
  return { model, image, level: io.get('level')!.data[0]!, io };
}

function expected(io: Map<string, HostTensor>, name: string): Float32Array {
  const tensor = io.get(name);
  assert.ok(tensor !== undefined, `the fixture has no '${name}'`);
  return tensor.data as Float32Array;
}

/** `map` against the fixture's map.<grade> (map.<stage>.<grade> for an earlier stage's). */
function assertMatches(map: SaliencyMap, io: Map<string, HostTensor>, grade: number, stage?: string): void {
  assert.ok(relativeError(map.logits, expected(io, 'logits')) < TOLERANCE, 'logits differ from PyTorch');
  const reference = expected(io, stage === undefined ? `map.${grade}` : `map.${stage}.${grade}`);
  assert.equal(map.values.length, reference.length);
  const error = relativeError(map.values, reference);
  assert.ok(error < TOLERANCE, `grade ${grade}: relative error ${error.toExponential(2)}`);
  // A map that is flat or a single spot would match trivially; the reference spreads over the image.
  assert.ok(new Set(reference).size > 100, 'the reference map should not be degenerate');
}

const cases = new Map<string, Case>();

before(async () => {
  assert.ok(await tf.setBackend('cpu'));
  cases.set('resnet', await loadCase('resnet', (config: ResnetConfig) => resnet(config)));
  cases.set('swin', await loadCase('swin', (config: SwinConfig) => swin(config)));
  cases.set('vit', await loadCase('vit', (config: VitConfig) => vit(config)));
  cases.set('beit', await loadCase('beit', (config: BeitConfig) => beit(config)));
});

for (const name of ['resnet', 'swin']) {
  describe(`Grad-CAM of a ${name} level classifier on its last stage matches PyTorch's`, () => {
    for (const grade of GRADES) {
      test(`for grade ${grade}`, () => {
        const { model, image, level, io } = cases.get(name)!;
        const map = gradCam(model, image, level, grade, 'last');
        assert.equal(map.method, 'grad-cam');
        assert.equal(map.grade, grade);
        assert.deepEqual([map.height, map.width], [image.shape[1], image.shape[2]]);
        assertMatches(map, io, grade);
      });
    }

    test('explains the predicted grade when none is asked for', () => {
      const { model, image, level, io } = cases.get(name)!;
      const logits = [...expected(io, 'logits')];
      const predicted = logits.indexOf(Math.max(...logits));
      const map = gradCam(model, image, level, undefined, 'last');
      assert.equal(map.grade, predicted);
      assertMatches(map, io, predicted);
    });
  });
}

// At 96 px the ResNet's last stage (layer4) is a 3x3 grid and layer3's 6x6, so by default the map is computed on
// layer2's 12x12: its last block is step 5 of 9 (the stem, two blocks of layer1, two of layer2; nine steps come
// before the pooling one).
for (const grade of GRADES) {
  test(`Grad-CAM of the resnet by default is layer2's, PyTorch's on layer2, for grade ${grade}`, () => {
    const { model, image, level, io } = cases.get('resnet')!;
    const map = gradCam(model, image, level, grade);
    assert.deepEqual(map.grid, [12, 12]);
    assert.deepEqual(map.step, [5, 9]);
    assertMatches(map, io, grade, 'layer2');
  });
}

test('Grad-CAM depends on the level: another level embedding changes the logits and the map', () => {
  const { model, image, level } = cases.get('resnet')!;
  const here = gradCam(model, image, level, 0);
  const other = gradCam(model, image, (level + 1) % 5, 0);
  assert.notDeepEqual(here.logits, other.logits);
  assert.ok(relativeError(here.values, other.values) > 1e-3);
});

for (const [name, pooling] of [
  ['vit', 'class-token'],
  ['beit', 'patch-mean'],
] as const) {
  test(`attention rollout of a ${name} (${pooling}) matches PyTorch's from its attention weights`, () => {
    const { model, image, level, io } = cases.get(name)!;
    const map = attentionRollout(model, image, level, pooling);
    assert.equal(map.method, 'attention-rollout');
    assert.equal(map.gradeSpecific, false);
    assert.deepEqual(map.grid, [6, 6]);
    assertMatches(map, io, 0);
    const logits = [...expected(io, 'logits')];
    assert.equal(map.grade, logits.indexOf(Math.max(...logits)));
  });
}

test('each method refuses the backbone the other one is for, saying which to use', () => {
  const vitCase = cases.get('vit')!;
  assert.throws(() => gradCam(vitCase.model, vitCase.image, vitCase.level), /tokens.*attention rollout/);
  const resnetCase = cases.get('resnet')!;
  assert.throws(
    () => attentionRollout(resnetCase.model, resnetCase.image, resnetCase.level, 'class-token'),
    /no global self-attention.*Grad-CAM/,
  );
});

test('a grade outside the classes is refused', () => {
  const { model, image, level } = cases.get('resnet')!;
  assert.throws(() => gradCam(model, image, level, 3), /grade 3 is not a class of this model \(0 to 2\)/);
});

// Each registry family gets its method at full size: ViT and BEiT attention rollout over their 14x14 patch grid,
// convolutional backbones and Swin Grad-CAM over their last 7x7 stage, at the 224-pixel input their weights expect;
// on a small crop, Grad-CAM moves to the deepest step whose grid is still at least 7x7.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { explainImage } from '../../core/explain/explainModel';
import { LevelClassifier } from '../../core/models/classifier';

const HEAD = { embedding: 8, hidden: [16] };
let image: tf.Tensor4D;

before(async () => {
  assert.ok(await tf.setBackend('wasm'));
  image = tf.randomNormal([1, 224, 224, 3], 0, 1, 'float32', 7);
});

for (const [backbone, method, grid] of [
  ['vit_ti_16', 'attention-rollout', 14],
  ['beit_s_16', 'attention-rollout', 14],
  ['resnet18', 'grad-cam', 7],
  ['swin_t', 'grad-cam', 7],
] as const) {
  test(`${backbone}: ${method} on a ${grid}x${grid} grid`, () => {
    const model = LevelClassifier.create(backbone, HEAD, 3);
    try {
      const map = explainImage(model, image, 2);
      assert.equal(map.method, method);
      assert.deepEqual(map.grid, [grid, grid]);
      assert.deepEqual([map.height, map.width], [224, 224]);
      assert.equal(Math.max(...map.values), 1);
    } finally {
      model.dispose();
    }
  });
}

test('resnet18 on a 64-pixel crop: Grad-CAM on layer2 (8x8, the last block: step 5 of 9), not layer4 (2x2)', () => {
  const model = LevelClassifier.create('resnet18', HEAD, 3);
  const small = tf.randomNormal([1, 64, 64, 3], 0, 1, 'float32', 8) as tf.Tensor4D;
  try {
    const map = explainImage(model, small, 2);
    assert.deepEqual(map.grid, [8, 8]);
    assert.deepEqual(map.step, [5, 9]);
    const last = explainImage(model, small, 2, undefined, 'last');
    assert.deepEqual(last.grid, [2, 2]);
    assert.deepEqual(last.step, [9, 9]);
  } finally {
    small.dispose();
    model.dispose();
  }
});

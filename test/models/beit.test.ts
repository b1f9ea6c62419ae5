// BEiT pieces checked by hand (transformers itself is not installable here; the parity test compares with the
// registry generator's PyTorch reconstruction).
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { beit, beitRelativePositionIndex, meanOfPatchTokens } from '../../core/models/beit';
import { swinRelativePositionIndex } from '../../core/models/swin';

before(async () => {
  await tf.setBackend('cpu');
});

test('relative position index of a 2x2 patch grid with its class token', () => {
  // Table rows: patch offsets (dy+1)*3 + (dx+1) for dy, dx in -1..1 (0..8), then class->patch 9, patch->class 10,
  // class->class 11. Tokens: class, then patches (0,0), (0,1), (1,0), (1,1).
  const expected = [
    [11, 9, 9, 9, 9],
    [10, 4, 3, 1, 0],
    [10, 5, 4, 2, 1],
    [10, 7, 6, 4, 3],
    [10, 8, 7, 5, 4],
  ];
  assert.deepEqual([...beitRelativePositionIndex(2)], expected.flat());
});

test("Swin's 2x2 window index has the same patch block (no class token)", () => {
  assert.deepEqual([...swinRelativePositionIndex(2)], [4, 3, 1, 0, 5, 4, 2, 1, 7, 6, 4, 3, 8, 7, 5, 4]);
});

test('mean pooling averages the patch tokens and leaves the class token out', () => {
  const pooled = meanOfPatchTokens(
    tf.tensor3d([
      [
        [9, 9],
        [1, 2],
        [3, 4],
      ],
    ]),
  );
  assert.deepEqual([...pooled.dataSync()], [2, 3]);
});

test('layer scale multiplies each residual branch; pooling then normalises the mean patch token', () => {
  // One layer, width 4. All weights zero except: value 0 -> attention output = output.dense.bias c; intermediate 0
  // -> gelu(0) = 0 -> MLP output = output.dense.bias d. Patches = projection bias b, class token huge (it must not
  // reach the pooled features). Each patch token ends as b + lambda_1*c + lambda_2*d.
  const model = beit({ imageSize: 8, patchSize: 4, layers: 1, heads: 2, hiddenDim: 4 }).initialize(0);
  const values: Record<string, number[]> = {
    'embeddings.cls_token': [100, 100, 100, 100],
    'embeddings.patch_embeddings.projection.bias': [0, 0, 0, 0],
    'encoder.layer.0.lambda_1': [2, 2, 2, 2],
    'encoder.layer.0.lambda_2': [0.5, 0.5, 0.5, 0.5],
    'encoder.layer.0.attention.output.dense.bias': [1, 0, 0, 0],
    'encoder.layer.0.output.dense.bias': [0, 0, 0, 1],
  };
  for (const parameter of model.parameters) {
    const given = values[parameter.name];
    const isNormWeight = /layernorm.*\.weight$/.test(parameter.name);
    parameter.variable.assign(
      given ? tf.tensor(given, parameter.variable.shape) : tf.fill(parameter.variable.shape, isNormWeight ? 1 : 0),
    );
  }
  const features = model.forward(tf.randomNormal([1, 8, 8, 3]) as tf.Tensor4D, false);
  // v = [2, 0, 0, 0.5]: mean 0.625, variance 0.671875; LayerNorm gives (v - 0.625) / sqrt(0.671875).
  const expected = [2, 0, 0, 0.5].map((v) => (v - 0.625) / Math.sqrt(0.671875));
  const actual = [...features.dataSync()];
  actual.forEach((value, index) => assert.ok(Math.abs(value - expected[index]!) < 1e-5, `${actual} vs ${expected}`));
  model.dispose();
});

// Training-mode forward passes: every parameter of every family gets a finite gradient through tfjs-core's
// registered gradients (no op without one, such as a strided slice), and stochastic depth is random in training
// but absent in evaluation.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Backbone } from '../../core/models/module';
import { resnet } from '../../core/models/resnet';
import { convnext } from '../../core/models/convnext';
import { vit } from '../../core/models/vit';
import { swin } from '../../core/models/swin';
import { beit } from '../../core/models/beit';
import { efficientnet } from '../../core/models/efficientnet';

before(async () => {
  await tf.setBackend('cpu');
});

const families: Record<string, () => Backbone> = {
  resnet: () => resnet({ block: 'basic', layers: [1, 1, 1, 1], widths: [4, 4, 8, 8], stemWidth: 4 }),
  convnext: () => convnext({ dims: [8, 8, 8, 8], depths: [2, 1, 1, 1], stochasticDepth: 0.5 }),
  vit: () => vit({ imageSize: 32, patchSize: 8, layers: 2, heads: 2, hiddenDim: 8, mlpDim: 16, dropout: 0.1 }),
  swin: () => swin({ patchSize: 4, embedDim: 8, depths: [2, 2], heads: [2, 2], windowSize: 3, stochasticDepth: 0.5 }),
  beit: () => beit({ imageSize: 32, patchSize: 8, layers: 2, heads: 2, hiddenDim: 8, stochasticDepth: 0.5 }),
  efficientnet: () =>
    efficientnet({
      stages: [
        { kind: 'fused', expandRatio: 1, kernel: 3, stride: 1, inChannels: 8, outChannels: 8, layers: 2 },
        { kind: 'mb', expandRatio: 4, kernel: 3, stride: 2, inChannels: 8, outChannels: 8, layers: 2 },
      ],
      lastChannels: 16,
      stochasticDepth: 0.5,
    }),
};

for (const [family, make] of Object.entries(families)) {
  test(`${family}: every parameter gets a finite gradient in training mode`, () => {
    const backbone = make().initialize(4);
    const images = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(tf.square(backbone.forward(images, true))),
      backbone.parameters.map((p) => p.variable),
    );
    for (const parameter of backbone.parameters) {
      const gradient = grads[parameter.variable.name];
      assert.ok(gradient !== undefined, `${family}: no gradient for ${parameter.name}`);
      assert.deepEqual(gradient.shape, parameter.variable.shape);
      assert.ok(gradient.dataSync().every(Number.isFinite), `${family}: non-finite gradient for ${parameter.name}`);
    }
    tf.dispose([value, images, ...Object.values(grads)]);
    backbone.dispose();
  });
}

test('stochastic depth drops branches at random in training and never in evaluation', () => {
  const backbone = families.convnext!().initialize(2);
  const images = tf.randomNormal([4, 32, 32, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const [train1, train2, eval1, eval2] = [true, true, false, false].map((training) =>
    backbone.forward(images, training),
  );
  assert.notDeepEqual([...train1!.dataSync()], [...train2!.dataSync()]);
  assert.deepEqual([...eval1!.dataSync()], [...eval2!.dataSync()]);
  tf.dispose([images, train1!, train2!, eval1!, eval2!]);
  backbone.dispose();
});

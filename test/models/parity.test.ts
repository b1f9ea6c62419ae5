// Features of small configurations of every family match PyTorch's (torchvision's modules; for BEiT the
// registry generator's reconstruction of transformers' BeitModel) on the same weights and input, on the cpu
// backend and, for the forward pass, on the wasm backend. Fixtures: test/fixtures/models/parity/make_parity.py.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// The engine registers gradients for training; this test does it for itself.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import type { Backbone } from '../../core/models/module';
import { resnet, type ResnetConfig } from '../../core/models/resnet';
import { convnext, type ConvnextConfig } from '../../core/models/convnext';
import { vit, type VitConfig } from '../../core/models/vit';
import { swin, type SwinConfig } from '../../core/models/swin';
import { beit, type BeitConfig } from '../../core/models/beit';
import { efficientnet, type EfficientnetConfig } from '../../core/models/efficientnet';
import { importState } from '../../core/models/stateDict';
import { tfToTorch } from '../../core/models/torchLayout';
import { loadParityCase, nhwcInput, relativeError, tensorOf, type ParityCase } from './parityFixtures';

const TOLERANCE = 1e-4;
// Per-tensor bound for gradients (a tensor's gradient can be small relative to the float32 noise of a long chain).
const GRADIENT_TOLERANCE = 1e-3;

const BUILDERS: Record<string, (config: never) => Backbone> = {
  resnet_basic: (config: ResnetConfig) => resnet(config),
  resnet_bottleneck: (config: ResnetConfig) => resnet(config),
  convnext: (config: ConvnextConfig) => convnext(config),
  vit: (config: VitConfig) => vit(config),
  swin_window2: (config: SwinConfig) => swin(config),
  swin_window3_padded: (config: SwinConfig) => swin(config),
  efficientnet_v2: (config: EfficientnetConfig) => efficientnet(config),
  beit: (config: BeitConfig) => beit(config),
};

const cases = new Map<string, ParityCase>();

before(async () => {
  for (const name of Object.keys(BUILDERS)) {
    cases.set(name, await loadParityCase(name));
  }
});

function loaded(name: string): Backbone {
  const fixture = cases.get(name)!;
  const backbone = BUILDERS[name]!(fixture.config as never).initialize(1);
  importState(backbone.state, fixture.state, { source: `${name}.safetensors` });
  return backbone;
}

function evalFeatures(name: string): { error: number; shape: number[] } {
  const fixture = cases.get(name)!;
  const backbone = loaded(name);
  try {
    const features = tf.tidy(() => backbone.forward(nhwcInput(fixture.io), false));
    const expected = tensorOf(fixture.io, 'features');
    const result = { error: relativeError(features.dataSync(), expected.data), shape: features.shape };
    assert.deepEqual(result.shape, expected.shape);
    features.dispose();
    return result;
  } finally {
    backbone.dispose();
  }
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`eval-mode features match PyTorch on ${backend}`, () => {
    before(async () => {
      assert.ok(await tf.setBackend(backend), `the ${backend} backend did not initialise`);
    });
    for (const name of Object.keys(BUILDERS)) {
      test(name, () => {
        const { error } = evalFeatures(name);
        assert.ok(error < TOLERANCE, `${name} on ${backend}: relative error ${error.toExponential(2)}`);
      });
    }
  });
}

describe('training mode (cpu)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });

  test('batch norm normalises with batch statistics and moves the running ones like PyTorch', () => {
    const fixture = cases.get('resnet_bottleneck')!;
    const backbone = loaded('resnet_bottleneck');
    const features = tf.tidy(() => backbone.forward(nhwcInput(fixture.io), true));
    assert.ok(relativeError(features.dataSync(), tensorOf(fixture.io, 'features_train').data) < TOLERANCE);
    const running = new Map(backbone.buffers.map((buffer) => [buffer.name, buffer.variable.dataSync()]));
    for (const [buffer, key] of [
      ['bn1.running_mean', 'bn1.running_mean_after'],
      ['bn1.running_var', 'bn1.running_var_after'],
      ['layer4.0.bn3.running_var', 'layer4.0.bn3.running_var_after'],
    ] as const) {
      assert.ok(relativeError(running.get(buffer)!, tensorOf(fixture.io, key).data) < TOLERANCE, buffer);
    }
    assert.equal(running.get('bn1.num_batches_tracked')![0], 1);
    features.dispose();
    backbone.dispose();
  });
});

describe('parameter gradients match PyTorch (cpu)', () => {
  before(async () => {
    await tf.setBackend('cpu');
  });
  for (const name of Object.keys(BUILDERS)) {
    test(name, (t) => {
      const fixture = cases.get(name)!;
      if (!fixture.io.has('projection')) {
        t.skip('this fixture stores no gradients');
        return;
      }
      const backbone = loaded(name);
      const projection = tensorOf(fixture.io, 'projection');
      const variables = backbone.parameters.map((p) => p.variable);
      const { value, grads } = tf.variableGrads(
        () =>
          tf.sum(tf.mul(backbone.forward(nhwcInput(fixture.io), false), tf.tensor(projection.data, projection.shape))),
        variables,
      );
      let worst = 0;
      for (const parameter of backbone.state.parameters) {
        const expected = tensorOf(fixture.io, `grad.${parameter.name}`);
        const gradient = grads[parameter.variable.name];
        assert.ok(gradient !== undefined, `no gradient for ${parameter.name}`);
        const torchOrdered = tfToTorch(gradient.dataSync() as Float32Array, parameter.torchShape, parameter.layout);
        const error = relativeError(torchOrdered, expected.data);
        worst = Math.max(worst, error);
        assert.ok(error < GRADIENT_TOLERANCE, `${name} ${parameter.name}: relative error ${error.toExponential(2)}`);
      }
      tf.dispose([value, ...Object.values(grads)]);
      backbone.dispose();
    });
  }
});

test("Swin's computed relative position index equals torchvision's buffer", () => {
  for (const name of ['swin_window2', 'swin_window3_padded']) {
    const fixture = cases.get(name)!;
    const backbone = BUILDERS[name]!(fixture.config as never).initialize(0);
    for (const buffer of backbone.buffers.filter((b) => b.name.endsWith('relative_position_index'))) {
      assert.deepEqual([...buffer.variable.dataSync()], [...fixture.state.get(buffer.name)!.data], buffer.name);
    }
    backbone.dispose();
  }
});

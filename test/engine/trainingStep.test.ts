// A whole training step (forward, gradients via tf.variableGrads, SGD update) of a tiny model per backbone
// family gives the same updated weights on the wasm engine as on tfjs's cpu backend; and repeated steps leak no
// tensors.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { stopWasm } from '../../core/engine/wasmEngine';
import { relativeError, seededValues, useWasm } from './backendCompare';
import { crossEntropy, imageShape, initialValues, tinyFamilies, type Params, type TinyModel } from './tinyFamilies';

const learningRate = 0.5;
const labels = [0, 2];

interface StepResult {
  loss: number;
  grads: Record<string, Float32Array>;
  updated: Record<string, Float32Array>;
}

function makeVariables(model: TinyModel, seed: number): Record<string, tf.Variable> {
  const values = initialValues(model.shapes, seed);
  return Object.fromEntries(
    Object.entries(model.shapes).map(([name, shape]) => [
      name,
      tf.variable(tf.tensor(values[name]!, shape), true, `${model.name}/${name}/${seed}`),
    ]),
  );
}

function trainStep(
  model: TinyModel,
  vars: Record<string, tf.Variable>,
  image: tf.Tensor4D,
): { loss: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const { value, grads } = tf.variableGrads(
    () => crossEntropy(model.forward(vars as Params, image), labels),
    Object.values(vars),
  );
  for (const [name, v] of Object.entries(vars)) {
    const g = grads[v.name];
    if (!g) throw new Error(`no gradient for ${name}`);
    const next = tf.tidy(() => tf.sub(v, tf.mul(g, learningRate)));
    v.assign(next);
    next.dispose();
  }
  const named = Object.fromEntries(Object.entries(vars).map(([name, v]) => [name, grads[v.name]!]));
  return { loss: value, grads: named };
}

async function stepOn(backend: 'cpu' | 'wasm', model: TinyModel, seed: number): Promise<StepResult> {
  await tf.setBackend(backend);
  const vars = makeVariables(model, seed);
  const image = tf.tensor4d(
    seededValues(
      imageShape.reduce((a, b) => a * b, 1),
      7,
    ),
    imageShape,
  );
  const { loss, grads } = trainStep(model, vars, image);
  const result: StepResult = {
    loss: loss.dataSync()[0]!,
    grads: Object.fromEntries(Object.entries(grads).map(([n, g]) => [n, Float32Array.from(g.dataSync())])),
    updated: Object.fromEntries(Object.entries(vars).map(([n, v]) => [n, Float32Array.from(v.dataSync())])),
  };
  tf.dispose([loss, image, ...Object.values(grads), ...Object.values(vars)]);
  return result;
}

describe('a training step on the wasm engine matches the cpu backend', () => {
  before(async () => useWasm(2));
  after(() => stopWasm());

  tinyFamilies.forEach((model, index) => {
    test(model.name, async () => {
      const expected = await stepOn('cpu', model, index + 1);
      const actual = await stepOn('wasm', model, index + 1);
      assert.ok(
        Math.abs(actual.loss - expected.loss) <= 1e-5 * Math.abs(expected.loss),
        `loss ${actual.loss} vs ${expected.loss}`,
      );
      const magnitude = (v: Float32Array): number => v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      const largest = Math.max(...Object.values(expected.grads).map(magnitude));
      let compared = 0;
      for (const name of Object.keys(model.shapes)) {
        const g = expected.grads[name]!;
        // Some gradients are zero in exact arithmetic (a key bias under softmax, a shift removed by the next
        // batch norm) and only rounding noise in float32: their relative error says nothing, so only the
        // updated weights are compared for them.
        if (magnitude(g) > 1e-4 * largest) {
          compared++;
          const gradError = relativeError(actual.grads[name]!, g);
          assert.ok(gradError < 1e-3, `${name}: gradient relative error ${gradError.toExponential(2)}`);
        }
        const weightError = relativeError(actual.updated[name]!, expected.updated[name]!);
        assert.ok(weightError < 1e-4, `${name}: updated weight relative error ${weightError.toExponential(2)}`);
      }
      assert.ok(
        compared >= Object.keys(model.shapes).length - 3,
        `only ${compared} parameters have a non-vanishing gradient`,
      );
    });
  });

  test('50 training steps leave the number of live tensors unchanged', async () => {
    await tf.setBackend('wasm');
    const model = tinyFamilies[0]!;
    const vars = makeVariables(model, 99);
    const image = tf.tensor4d(
      seededValues(
        imageShape.reduce((a, b) => a * b, 1),
        8,
      ),
      imageShape,
    );
    const counts: number[] = [];
    for (let step = 0; step < 50; step++) {
      const { loss, grads } = trainStep(model, vars, image);
      loss.dataSync();
      tf.dispose([loss, ...Object.values(grads)]);
      counts.push(tf.memory().numTensors);
    }
    assert.equal(
      new Set(counts).size,
      1,
      `live tensors changed across steps: ${counts.slice(0, 5).join(', ')} ... ${counts.slice(-3).join(', ')}`,
    );
    tf.dispose([image, ...Object.values(vars)]);
  });
});

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { stopWasm } from '../../core/engine/wasmEngine';
import { AdamW } from '../../core/train/adamw';
import { FUSED_ADAMW_KERNEL } from '../../core/train/adamWStep';
import { Sgd } from '../../core/train/sgd';
import type { SlotOptimizer } from '../../core/train/slotOptimizer';
import { seededValues, useWasm } from '../engine/backendCompare';
import { maxRelativeError, torchReference, useCpuBackend } from './helpers';

interface OptimizerCase {
  name: string;
  settings: Record<string, any>;
  shapes: Record<string, number[]>;
  initial: Record<string, number[]>;
  gradients: Record<string, number[]>[];
  final: Record<string, number[]>;
}

let variableCounter = 0;

/** Creates the case's variables under unique names; returns name in the fixture → variable. */
function makeVariables(reference: OptimizerCase): Map<string, tf.Variable> {
  const variables = new Map<string, tf.Variable>();
  variableCounter++;
  for (const [key, shape] of Object.entries(reference.shapes)) {
    variables.set(key, tf.variable(tf.tensor(reference.initial[key]!, shape), true, `case${variableCounter}/${key}`));
  }
  return variables;
}

/** Runs steps [from, to) of the case's gradients. */
function runSteps(
  optimizer: SlotOptimizer,
  reference: OptimizerCase,
  variables: Map<string, tf.Variable>,
  from: number,
  to: number,
): void {
  for (let step = from; step < to; step++) {
    const rates = reference.settings.learningRates as number[] | null;
    if (rates) optimizer.learningRate = rates[step]!;
    const gradients: tf.NamedTensorMap = {};
    for (const [key, variable] of variables) {
      gradients[variable.name] = tf.tensor(reference.gradients[step]![key]!, variable.shape);
    }
    optimizer.applyGradients(gradients);
    tf.dispose(Object.values(gradients));
  }
}

function makeAdamW(settings: Record<string, any>): AdamW {
  return new AdamW({
    learningRate: settings.lr,
    beta1: settings.beta1,
    beta2: settings.beta2,
    epsilon: settings.epsilon,
    weightDecay: settings.weightDecay,
    noDecay: settings.biasWithoutDecay ? 'vectors' : 'none',
  });
}

function makeSgd(settings: Record<string, any>): Sgd {
  return new Sgd({
    learningRate: settings.lr,
    momentum: settings.momentum,
    weightDecay: settings.weightDecay,
    dampening: settings.dampening,
    nesterov: settings.nesterov,
  });
}

function assertMatchesTorch(reference: OptimizerCase, variables: Map<string, tf.Variable>): void {
  for (const [key, variable] of variables) {
    const error = maxRelativeError(variable.dataSync(), reference.final[key]!);
    assert.ok(error < 1e-6, `${reference.name} ${key}: relative error ${error} against torch`);
  }
}

const reference = torchReference();
const makers: Record<string, (settings: Record<string, any>) => SlotOptimizer> = { adamw: makeAdamW, sgd: makeSgd };

describe('optimizers against torch.optim after 5 steps', () => {
  before(useCpuBackend);
  for (const [kind, cases] of Object.entries(reference.optimizers as Record<string, OptimizerCase[]>)) {
    for (const optimizerCase of cases) {
      it(`${kind}: ${optimizerCase.name}`, () => {
        const variables = makeVariables(optimizerCase);
        const optimizer = makers[kind]!(optimizerCase.settings);
        runSteps(optimizer, optimizerCase, variables, 0, 5);
        assertMatchesTorch(optimizerCase, variables);
        // The fixture must be able to tell the settings apart: the initial values are far from the result.
        assert.ok(
          maxRelativeError(variables.get('head/kernel')!.dataSync(), optimizerCase.initial['head/kernel']!) > 1e-3,
        );
        optimizer.dispose();
        variables.forEach((variable) => variable.dispose());
      });
    }
  }

  it('resumes from saved state exactly (AdamW: save after 2 steps, restore into a new optimizer, 3 more)', async () => {
    const scheduled = (reference.optimizers.adamw as OptimizerCase[]).find(
      (c) => c.name === 'scheduled-lr-strong-decay',
    )!;
    const variables = makeVariables(scheduled);
    const first = makeAdamW(scheduled.settings);
    runSteps(first, scheduled, variables, 0, 2);
    const saved = await first.getWeights();
    const copies = saved.map(({ name, tensor }) => ({ name, tensor: tensor.clone() }));
    first.dispose();
    const resumed = makeAdamW(scheduled.settings);
    await resumed.setWeights(copies);
    assert.equal(resumed.iterations, 2);
    runSteps(resumed, scheduled, variables, 2, 5);
    assertMatchesTorch(scheduled, variables);
  });

  it('differs from torch when the bias-correction step is lost (the resume test can fail)', async () => {
    const scheduled = (reference.optimizers.adamw as OptimizerCase[]).find(
      (c) => c.name === 'scheduled-lr-strong-decay',
    )!;
    const variables = makeVariables(scheduled);
    const first = makeAdamW(scheduled.settings);
    runSteps(first, scheduled, variables, 0, 2);
    const restarted = makeAdamW(scheduled.settings);
    runSteps(restarted, scheduled, variables, 2, 5);
    const error = maxRelativeError(variables.get('head/kernel')!.dataSync(), scheduled.final['head/kernel']!);
    assert.ok(error > 1e-4, `a fresh optimizer should not reproduce torch (error ${error})`);
  });

  it('refuses state for a variable the model does not have', async () => {
    const optimizer = new AdamW({ learningRate: 1e-3 });
    await assert.rejects(
      optimizer.setWeights([
        { name: 'iter', tensor: tf.scalar(3) },
        { name: 'no/such/variable/m', tensor: tf.zeros([2]) },
      ]),
      /no\/such\/variable, which is not a variable of this model/,
    );
  });

  it('rejects a gradient for an unknown variable and bad settings', () => {
    assert.throws(
      () => new AdamW({ learningRate: 1e-3 }).applyGradients({ ghost: tf.zeros([1]) }),
      /no variable named ghost/,
    );
    assert.throws(() => new AdamW({ learningRate: 1e-3, beta1: 1 }), /beta1 must be in \[0, 1\)/);
    assert.throws(() => new Sgd({ learningRate: 0.1, nesterov: true }), /Nesterov momentum needs momentum > 0/);
  });

  it('updates all variables with one chain of arithmetic, not one per tensor', async () => {
    const arithmetic = new Set(['Add', 'Sub', 'Mul', 'RealDiv', 'Sqrt', 'Square']);
    const arithmeticKernels = async (count: number): Promise<number> => {
      variableCounter++;
      const variables = Array.from({ length: count }, (_, i) =>
        tf.variable(tf.ones([3, 2]), true, `case${variableCounter}/w${i}`),
      );
      const optimizer = new AdamW({ learningRate: 1e-3, weightDecay: 0.01 });
      const gradients = Object.fromEntries(variables.map((v) => [v.name, tf.fill([3, 2], 0.5)]));
      optimizer.applyGradients(gradients);
      const info = await tf.profile(() => optimizer.applyGradients(gradients));
      tf.dispose(Object.values(gradients));
      optimizer.dispose();
      variables.forEach((v) => v.dispose());
      return info.kernels.filter((k) => arithmetic.has(k.name)).length;
    };
    const few = await arithmeticKernels(2);
    assert.ok(few > 0);
    assert.equal(await arithmeticKernels(40), few);
  });

  it('works through tf.Optimizer.minimize', () => {
    // f(x) = (x − 3)²: AdamW's first step moves x by lr (Adam's normalised step), here from 0 to 0.1.
    const x = tf.variable(tf.scalar(0), true, 'minimize/x');
    const optimizer = new AdamW({ learningRate: 0.1, weightDecay: 0 });
    optimizer.minimize(() => tf.square(tf.sub(x, 3)) as tf.Scalar);
    assert.ok(Math.abs(x.dataSync()[0]! - 0.1) < 1e-6);
  });
});

describe('AdamW on the wasm engine: one fused kernel call per variable', () => {
  before(() => useWasm());
  after(() => stopWasm());

  for (const optimizerCase of reference.optimizers.adamw as OptimizerCase[]) {
    it(`${optimizerCase.name} matches torch`, async () => {
      const variables = makeVariables(optimizerCase);
      const optimizer = makeAdamW(optimizerCase.settings);
      runSteps(optimizer, optimizerCase, variables, 0, 4);
      const info = await tf.profile(() => runSteps(optimizer, optimizerCase, variables, 4, 5));
      assert.deepEqual([...new Set(info.kernels.map((k) => k.name))], [FUSED_ADAMW_KERNEL]);
      assertMatchesTorch(optimizerCase, variables);
      optimizer.dispose();
      variables.forEach((variable) => variable.dispose());
    });
  }

  it('gives the numbers of the element-wise form on the cpu backend, values past the SIMD lanes included', async () => {
    const shapes = [[5, 7], [1000, 3], [3]];
    const afterThreeSteps = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      variableCounter++;
      const variables = shapes.map((shape, i) =>
        tf.variable(
          tf.tensor(seededValues(tf.util.sizeFromShape(shape), i + 1), shape),
          true,
          `fused${variableCounter}/${i}`,
        ),
      );
      const optimizer = new AdamW({ learningRate: 0.01, weightDecay: 0.1, noDecay: 'vectors' });
      for (let step = 0; step < 3; step++) {
        const gradients = Object.fromEntries(
          variables.map((v, i) => [v.name, tf.tensor(seededValues(v.size, 100 * step + i + 7), v.shape)]),
        );
        optimizer.applyGradients(gradients);
        tf.dispose(Object.values(gradients));
      }
      const values = variables.map((v) => Float32Array.from(v.dataSync()));
      optimizer.dispose();
      variables.forEach((v) => v.dispose());
      return values;
    };
    const elementWise = await afterThreeSteps('cpu');
    const fused = await afterThreeSteps('wasm');
    shapes.forEach((shape, i) => {
      assert.ok(
        maxRelativeError(fused[i]!, elementWise[i]!) < 1e-6,
        `[${shape}]: ${maxRelativeError(fused[i]!, elementWise[i]!)}`,
      );
      assert.ok(maxRelativeError(fused[i]!, seededValues(fused[i]!.length, i + 1)) > 1e-3, `[${shape}] moved`);
    });
  });
});

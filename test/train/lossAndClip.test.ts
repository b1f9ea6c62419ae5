import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { clipGradientsByGlobalNorm } from '../../core/train/gradClip';
import { crossEntropyLoss, inverseFrequencyWeights } from '../../core/train/loss';
import { referenceCases } from '../metrics/helpers';
import { maxRelativeError, torchReference, useCpuBackend } from './helpers';

const reference = torchReference();

describe('crossEntropyLoss', () => {
  before(useCpuBackend);

  it('matches a hand computation with weights and smoothing', () => {
    // logits [0, 0, ln 2] → softmax [1/4, 1/4, 1/2], −log p = [ln 4, ln 4, ln 2]; one row, target 2, weights
    // [1, 2, 3], s = 0.3: target term 3·ln 2; smoothing term Σ_c w_c ℓ_c = ln 4 + 2 ln 4 + 3 ln 2 = 9 ln 2;
    // loss = (0.7 · 3 ln 2 + (0.3/3) · 9 ln 2) / 3 = (2.1 + 0.9) ln 2 / 3 = ln 2.
    const loss = crossEntropyLoss(tf.tensor2d([[0, 0, Math.LN2]]), [2], {
      classWeights: [1, 2, 3],
      labelSmoothing: 0.3,
    });
    assert.ok(Math.abs(loss.dataSync()[0]! - Math.LN2) < 1e-6);
  });

  for (const torchCase of reference.crossEntropy) {
    it(`matches torch.nn.CrossEntropyLoss: ${torchCase.name} (loss and gradient)`, () => {
      // variableGrads differentiates with respect to variables, so the logits are one.
      const logits = tf.variable(
        tf.tensor2d(torchCase.logits),
        true,
        `ce/${torchCase.name}`,
      ) as tf.Variable<tf.Rank.R2>;
      const settings = { classWeights: torchCase.weight ?? undefined, labelSmoothing: torchCase.labelSmoothing };
      const result = tf.variableGrads(() => crossEntropyLoss(logits, torchCase.targets, settings), [logits]);
      const gradient = result.grads[logits.name]!;
      assert.ok(
        maxRelativeError([result.value.dataSync()[0]!], [torchCase.loss], 1e-6) < 1e-6,
        `loss ${result.value.dataSync()[0]} vs ${torchCase.loss}`,
      );
      const gradientError = maxRelativeError(gradient.dataSync(), torchCase.gradient.flat(), 1e-4);
      assert.ok(gradientError < 1e-5, `gradient relative error ${gradientError}`);
    });
  }

  it('rejects mismatched weights and targets', () => {
    assert.throws(
      () => crossEntropyLoss(tf.zeros([2, 3]) as tf.Tensor2D, [0, 1], { classWeights: [1, 2] }),
      /2 class weights for 3 classes/,
    );
    assert.throws(() => crossEntropyLoss(tf.zeros([2, 3]) as tf.Tensor2D, [0]), /1 targets for 2 rows/);
  });
});

describe('inverseFrequencyWeights', () => {
  it('is n / (classes · count): hand case', () => {
    // labels [0, 0, 0, 0, 1, 1, 2, 0]: counts 5, 2, 1 of 8 → 8/15, 8/6, 8/3
    const { weights, missing } = inverseFrequencyWeights([0, 0, 0, 0, 1, 1, 2, 0], 3);
    assert.ok(maxRelativeError(weights, [8 / 15, 4 / 3, 8 / 3], 0) < 1e-15);
    assert.deepEqual(missing, []);
  });

  it("matches scikit-learn's compute_class_weight('balanced')", () => {
    for (const metricsCase of referenceCases()) {
      if (!metricsCase.expected.balancedClassWeights) continue;
      const { weights } = inverseFrequencyWeights(metricsCase.labels, 3);
      assert.ok(maxRelativeError(weights, metricsCase.expected.balancedClassWeights, 0) < 1e-12, metricsCase.name);
    }
  });

  it('gives a class with no sample weight 0 and reports it', () => {
    const { weights, missing } = inverseFrequencyWeights([0, 0, 1], 3);
    assert.deepEqual(missing, [2]);
    assert.equal(weights[2], 0);
    assert.ok(maxRelativeError(weights, [0.5, 1, 0], 1e-12) < 1e-15);
  });
});

describe('clipGradientsByGlobalNorm against torch.nn.utils.clip_grad_norm_', () => {
  before(useCpuBackend);

  for (const torchCase of reference.clipGradNorm) {
    it(torchCase.name, () => {
      const gradients: tf.NamedTensorMap = {};
      for (const [name, values] of Object.entries(torchCase.gradients as Record<string, number[]>)) {
        gradients[name] = tf.tensor(values, torchCase.shapes[name]);
      }
      const normType = torchCase.normType === 'inf' ? Infinity : torchCase.normType;
      const clipped = clipGradientsByGlobalNorm(gradients, torchCase.maxNorm, normType);
      assert.ok(
        maxRelativeError(clipped.totalNorm.dataSync(), [torchCase.totalNorm], 0) < 1e-6,
        `total norm ${clipped.totalNorm.dataSync()[0]}`,
      );
      for (const name of Object.keys(gradients)) {
        const error = maxRelativeError(clipped.gradients[name]!.dataSync(), torchCase.clipped[name], 1e-6);
        assert.ok(error < 1e-6, `${name}: relative error ${error}`);
      }
    });
  }

  it('hand case: gradients (3, 4) with max norm 1 become (0.6, 0.8) up to the 1e-6 guard', () => {
    // ‖(3, 4)‖ = 5 → coefficient 1 / (5 + 1e-6)
    const clipped = clipGradientsByGlobalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1);
    assert.ok(Math.abs(clipped.totalNorm.dataSync()[0]! - 5) < 1e-6);
    assert.ok(Math.abs(clipped.gradients.a!.dataSync()[0]! - 3 / (5 + 1e-6)) < 1e-6);
    assert.ok(Math.abs(clipped.gradients.b!.dataSync()[0]! - 4 / (5 + 1e-6)) < 1e-6);
  });

  it('reads nothing back from the engine: the step never waits on the clipping', () => {
    const backend = tf.backend();
    const reads = { count: 0 };
    const readSync = backend.readSync.bind(backend);
    const read = backend.read.bind(backend);
    backend.readSync = (dataId) => (reads.count++, readSync(dataId));
    backend.read = (dataId) => (reads.count++, read(dataId));
    try {
      const clipped = clipGradientsByGlobalNorm({ a: tf.tensor1d([3]), b: tf.tensor1d([4]) }, 1);
      assert.equal(reads.count, 0);
      tf.dispose([clipped.totalNorm, ...Object.values(clipped.gradients)]);
    } finally {
      backend.readSync = readSync;
      backend.read = read;
    }
  });
});

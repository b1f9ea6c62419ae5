// Attention rollout on a toy transformer whose attention weights are set by hand: a class token and a 2x2 patch
// grid (tokens 0..4), a 2x2 image so that the map is the rollout row itself (upsampling to the same size is the
// identity), normalised to [0, 1].
//
// Layer 1, two heads: every token attends to token 1 in head 1 and to token 2 in head 2, except the class token,
// which attends to token 4 in both. Head mean W1: rows 1..4 = 0.5 e1 + 0.5 e2, row 0 = e4.
// Layer 2, one head: every token attends to token 3. W2 = e3 in every row.
// With the residual, A = 0.5 W + 0.5 I:
//   A1 row 0 = 0.5 e4 + 0.5 e0;  A1 row i = 0.25 e1 + 0.25 e2 + 0.5 ei (i = 1..4);  A2 row i = 0.5 e3 + 0.5 ei.
// R = A2 A1, so R row i = 0.5 (A1 row 3) + 0.5 (A1 row i), with A1 row 3 = 0.25 e1 + 0.25 e2 + 0.5 e3:
//   R row 0 over patches 1..4 = [0.125, 0.125, 0.25, 0.25]            -> class token map [0, 0, 1, 1]
//   R rows 1..4 over patches  = [.5 .25 .25 0], [.25 .5 .25 0], [.25 .25 .5 0], [.25 .25 .25 .25]
//   their mean                = [0.3125, 0.3125, 0.3125, 0.0625]      -> patch mean map [1, 1, 1, 0]
// Multiplied the other way round (A1 A2) the class token's row would be [0, 0, 0.5, 0.25] -> [0, 0, 1, 0.5].
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { attentionRollout } from '../../core/explain/attentionRollout';
import { LevelClassifier } from '../../core/models/classifier';
import { LevelHead } from '../../core/models/levelHead';
import { Backbone, ModelState, StageList, type ForwardContext } from '../../core/models/module';

const TOKENS = 5;

/** Attention weights [1, heads, 5, 5] where row i of head h attends only to targets[h][i]. */
function oneHot(targets: number[][]): tf.Tensor4D {
  const values = targets.flatMap((rows) =>
    rows.flatMap((target) => [...Array(TOKENS).keys()].map((k) => +(k === target))),
  );
  return tf.tensor4d(values, [1, targets.length, TOKENS, TOKENS]);
}

function toyClassifier(): LevelClassifier {
  const state = new ModelState();
  const stages = new StageList(state);
  const attend = (weights: () => tf.Tensor4D) => (x: tf.Tensor3D, context: ForwardContext) => {
    context.observeAttention?.(weights());
    return x;
  };
  stages.add((images: tf.Tensor4D) => tf.ones([images.shape[0], TOKENS, 2]) as tf.Tensor3D);
  stages.add(
    attend(() =>
      oneHot([
        [4, 1, 1, 1, 1],
        [4, 2, 2, 2, 2],
      ]),
    ),
  );
  stages.add(attend(() => oneHot([[3, 3, 3, 3, 3]])));
  stages.add((x: tf.Tensor3D) => tf.mean(x, 1) as tf.Tensor2D);
  const backbone = new Backbone('toy', 2, state, stages, 2);
  return new LevelClassifier(backbone, new LevelHead({ featureWidth: 2, embedding: 2, hidden: [] }).initialize(0));
}

const image = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;

function close(actual: Float32Array, expected: number[]): void {
  assert.equal(actual.length, expected.length);
  expected.forEach((value, i) => assert.ok(Math.abs(actual[i]! - value) < 1e-6, `[${[...actual]}] vs [${expected}]`));
}

test('the class token row of the rolled-out attention is the ViT map (layers multiplied from the first)', () => {
  const map = attentionRollout(toyClassifier(), image, 0, 'class-token');
  assert.deepEqual(map.grid, [2, 2]);
  close(map.values, [0, 0, 1, 1]);
});

test("the mean of the patch tokens' rows is the BEiT map (its feature is the mean of the patch tokens)", () => {
  close(attentionRollout(toyClassifier(), image, 0, 'patch-mean').values, [1, 1, 1, 0]);
});

test('the map does not depend on the grade, and says so', () => {
  const model = toyClassifier();
  const maps = [0, 1, 2].map((grade) => attentionRollout(model, image, 0, 'class-token', grade));
  for (const map of maps) {
    assert.equal(map.gradeSpecific, false);
    assert.deepEqual([...map.values], [...maps[0]!.values]);
  }
  assert.deepEqual(
    maps.map((map) => map.grade),
    [0, 1, 2],
  );
});

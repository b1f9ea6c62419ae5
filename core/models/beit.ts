// BEiT with Hugging Face transformers' BeitModel naming (microsoft/beit-base-patch16-224's configuration): a
// relative position bias table per layer, layer scale (lambda_1, lambda_2), query and value projections with
// bias and the key without, no absolute position embeddings, and mean pooling of the patch tokens followed by
// the pooler's LayerNorm. Parameter order follows the registry generator's reconstruction
// (test/fixtures/models/make_registry_facts.py), which mirrors transformers' module registration.
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, ModelState, StageList, type ForwardContext, type Scope } from './module';
import { Conv2d, LayerNorm, Linear, gelu, multiHeadAttention, stochasticDepth } from './layers';
import { constant, normal, zeros } from './random';

export interface BeitConfig {
  imageSize: number;
  patchSize: number;
  layers: number;
  heads: number;
  hiddenDim: number;
  /** MLP width; 4 x hiddenDim when left out. */
  mlpDim?: number;
  /** Initial lambda_1/lambda_2 value (transformers' layer_scale_init_value). */
  layerScale?: number;
  /** Stochastic depth rate of the last layer, rising linearly from 0 (transformers' drop_path_rate). */
  stochasticDepth?: number;
}

const beitVariant = (hiddenDim: number, heads: number): BeitConfig => ({
  imageSize: 224,
  patchSize: 16,
  layers: 12,
  heads,
  hiddenDim,
  layerScale: 0.1,
  stochasticDepth: 0.1,
});

export const BEIT_VARIANTS = {
  beit_b_16: beitVariant(768, 12),
  beit_s_16: beitVariant(384, 6),
} as const satisfies Record<string, BeitConfig>;

const EPS = 1e-12;
// transformers' BeitPreTrainedModel._init_weights: normal(0, initializer_range = 0.02), zero biases.
const WEIGHT_INIT = { weightInit: normal(0.02), biasInit: zeros };

/**
 * Rows of the relative position bias table for every (query, key) pair of the (grid^2 + 1) tokens, class token
 * first: patch pairs by their offset, (dy + g - 1) * (2g - 1) + (dx + g - 1); then three shared entries:
 * class -> patch (row L - 3), patch -> class (L - 2), class -> class (L - 1), L = (2g - 1)^2 + 3. Row-major
 * [query][key].
 */
export function beitRelativePositionIndex(grid: number): Int32Array {
  const distances = (2 * grid - 1) ** 2 + 3;
  const tokens = grid * grid + 1;
  const index = new Int32Array(tokens * tokens);
  for (let q = 0; q < tokens; q += 1) {
    for (let k = 0; k < tokens; k += 1) {
      let row: number;
      if (q === 0 && k === 0) {
        row = distances - 1;
      } else if (q === 0) {
        row = distances - 3;
      } else if (k === 0) {
        row = distances - 2;
      } else {
        const a = q - 1;
        const b = k - 1;
        const dy = Math.floor(a / grid) - Math.floor(b / grid) + grid - 1;
        const dx = (a % grid) - (b % grid) + grid - 1;
        row = dy * (2 * grid - 1) + dx;
      }
      index[q * tokens + k] = row;
    }
  }
  return index;
}

type Layer = (x: tf.Tensor3D, context: ForwardContext) => tf.Tensor3D;

function beitLayer(scope: Scope, config: BeitConfig, grid: number, dropRate: number): Layer {
  const { hiddenDim: dim, heads } = config;
  const mlpDim = config.mlpDim ?? 4 * dim;
  // BeitLayer's own parameters (lambda_1, lambda_2) precede its children's.
  const lambda1 = scope.param('lambda_1', [dim], 'plain', constant(config.layerScale ?? 0.1));
  const lambda2 = scope.param('lambda_2', [dim], 'plain', constant(config.layerScale ?? 0.1));
  const selfAttention = scope.child('attention').child('attention');
  const query = new Linear(selfAttention.child('query'), dim, dim, WEIGHT_INIT);
  const key = new Linear(selfAttention.child('key'), dim, dim, { ...WEIGHT_INIT, bias: false });
  const value = new Linear(selfAttention.child('value'), dim, dim, WEIGHT_INIT);
  const distances = (2 * grid - 1) ** 2 + 3;
  const table = selfAttention
    .child('relative_position_bias')
    .param('relative_position_bias_table', [distances, heads], 'plain', zeros);
  const tokens = grid * grid + 1;
  // A constant, not state: transformers registers this index as a non-persistent buffer (not in checkpoints).
  const positionIndex = beitRelativePositionIndex(grid);
  const output = new Linear(scope.child('attention').child('output').child('dense'), dim, dim, WEIGHT_INIT);
  const intermediate = new Linear(scope.child('intermediate').child('dense'), dim, mlpDim, WEIGHT_INIT);
  const project = new Linear(scope.child('output').child('dense'), mlpDim, dim, WEIGHT_INIT);
  const normBefore = new LayerNorm(scope.child('layernorm_before'), dim, EPS);
  const normAfter = new LayerNorm(scope.child('layernorm_after'), dim, EPS);
  return (x, context) => {
    const bias = tf.transpose(
      tf.reshape(tf.gather(table.variable, tf.tensor1d(positionIndex, 'int32')), [tokens, tokens, heads]),
      [2, 0, 1],
    );
    const normed = normBefore.apply(x);
    const attended = output.apply(
      multiHeadAttention(
        query.apply(normed),
        key.apply(normed),
        value.apply(normed),
        heads,
        (scores) => tf.add(scores, bias),
        context.observeAttention,
      ),
    );
    const y = tf.add(x, stochasticDepth(tf.mul(attended, lambda1.variable), dropRate, context));
    const mlp = project.apply(gelu(intermediate.apply(normAfter.apply(y))));
    return tf.add(y, stochasticDepth(tf.mul(mlp, lambda2.variable), dropRate, context));
  };
}

/** Mean of the patch tokens (the class token, first, left out): [B, S, E] -> [B, E]. */
export function meanOfPatchTokens(x: tf.Tensor3D): tf.Tensor2D {
  const [batch, tokens, dim] = x.shape;
  return tf.mean(tf.slice(x, [0, 1, 0], [batch, tokens - 1, dim]), 1);
}

export function beit(config: BeitConfig, name = 'beit'): Backbone {
  const { imageSize, patchSize, hiddenDim: dim } = config;
  if (imageSize % patchSize !== 0) {
    throw new RangeError(`beit: the image size ${imageSize} is not a multiple of the patch size ${patchSize}`);
  }
  const grid = imageSize / patchSize;
  const state = new ModelState();
  const root = state.scope();
  const embeddings = root.child('embeddings');
  const classToken = embeddings.param('cls_token', [1, 1, dim], 'plain', zeros);
  const patchify = new Conv2d(embeddings.child('patch_embeddings').child('projection'), {
    inChannels: 3,
    outChannels: dim,
    kernel: patchSize,
    stride: patchSize,
    ...WEIGHT_INIT,
  });
  const stages = new StageList(state);
  stages.add((images: tf.Tensor4D) => {
    const batch = images.shape[0];
    const patches = tf.reshape(patchify.apply(images), [batch, grid * grid, dim]);
    return tf.concat([tf.broadcastTo(classToken.variable, [batch, 1, dim]), patches], 1) as tf.Tensor3D;
  });
  for (let index = 0; index < config.layers; index += 1) {
    const dropRate = config.layers > 1 ? ((config.stochasticDepth ?? 0) * index) / (config.layers - 1) : 0;
    stages.add(beitLayer(root.child('encoder').child('layer').child(index), config, grid, dropRate));
  }
  const poolerNorm = new LayerNorm(root.child('pooler').child('layernorm'), dim, EPS);
  stages.add((x: tf.Tensor3D) => poolerNorm.apply(meanOfPatchTokens(x)));
  return new Backbone(name, dim, state, stages, imageSize);
}

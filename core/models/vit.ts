// Vision Transformer (torchvision's VisionTransformer), without its heads: the feature is the class token after
// the encoder's final LayerNorm.
import * as tf from '@tensorflow/tfjs-core';
import { Backbone, ModelState, StageList, type ForwardContext, type Scope } from './module';
import { Conv2d, LayerNorm, Linear, dropout, gelu, linear, multiHeadAttention } from './layers';
import { normal, torchDefault, truncatedNormal, xavierUniform, zeros } from './random';

export interface VitConfig {
  imageSize: number;
  patchSize: number;
  layers: number;
  heads: number;
  hiddenDim: number;
  mlpDim: number;
  /** Dropout after attention and in the MLP (torchvision's default 0). */
  dropout?: number;
}

const vitVariant = (hiddenDim: number, heads: number): VitConfig => ({
  imageSize: 224,
  patchSize: 16,
  layers: 12,
  heads,
  hiddenDim,
  mlpDim: 4 * hiddenDim,
});

export const VIT_VARIANTS = {
  vit_b_16: vitVariant(768, 12),
  vit_ti_16: vitVariant(192, 3),
  vit_s_16: vitVariant(384, 6),
} as const satisfies Record<string, VitConfig>;

const EPS = 1e-6;

type Layer = (x: tf.Tensor3D, context: ForwardContext) => tf.Tensor3D;

function encoderLayer(scope: Scope, config: VitConfig): Layer {
  const { hiddenDim: dim, mlpDim, heads } = config;
  const rate = config.dropout ?? 0;
  const ln1 = new LayerNorm(scope.child('ln_1'), dim, EPS);
  const attention = scope.child('self_attention');
  // nn.MultiheadAttention: one packed (3E, E) input projection, xavier-initialised, zero biases.
  const inProjWeight = attention.param('in_proj_weight', [3 * dim, dim], 'linear', xavierUniform(dim, 3 * dim));
  const inProjBias = attention.param('in_proj_bias', [3 * dim], 'plain', zeros);
  const outProj = new Linear(attention.child('out_proj'), dim, dim, { weightInit: torchDefault(dim), biasInit: zeros });
  const ln2 = new LayerNorm(scope.child('ln_2'), dim, EPS);
  const mlpInit = { biasInit: normal(1e-6) };
  const mlp = scope.child('mlp');
  const fc1 = new Linear(mlp.child(0), dim, mlpDim, { weightInit: xavierUniform(dim, mlpDim), ...mlpInit });
  const fc2 = new Linear(mlp.child(3), mlpDim, dim, { weightInit: xavierUniform(mlpDim, dim), ...mlpInit });
  return (x, context) => {
    const [q, k, v] = tf.split(linear(ln1.apply(x), inProjWeight.variable, inProjBias.variable), 3, 2) as [
      tf.Tensor3D,
      tf.Tensor3D,
      tf.Tensor3D,
    ];
    const attended = dropout(
      outProj.apply(multiHeadAttention(q, k, v, heads, undefined, context.observeAttention)),
      rate,
      context,
    );
    const y = tf.add(x, attended);
    const mlp = dropout(fc2.apply(dropout(gelu(fc1.apply(ln2.apply(y))), rate, context)), rate, context);
    return tf.add(y, mlp);
  };
}

export function vit(config: VitConfig, name = 'vit'): Backbone {
  const { imageSize, patchSize, hiddenDim: dim } = config;
  if (imageSize % patchSize !== 0) {
    throw new RangeError(`vit: the image size ${imageSize} is not a multiple of the patch size ${patchSize}`);
  }
  const tokens = (imageSize / patchSize) ** 2 + 1;
  const state = new ModelState();
  const root = state.scope();
  // VisionTransformer registers class_token before conv_proj; Encoder registers pos_embedding before its layers.
  const classToken = root.param('class_token', [1, 1, dim], 'plain', zeros);
  const fanIn = 3 * patchSize * patchSize;
  const patchify = new Conv2d(root.child('conv_proj'), {
    inChannels: 3,
    outChannels: dim,
    kernel: patchSize,
    stride: patchSize,
    weightInit: truncatedNormal(Math.sqrt(1 / fanIn)),
    biasInit: zeros,
  });
  const encoder = root.child('encoder');
  const positions = encoder.param('pos_embedding', [1, tokens, dim], 'plain', normal(0.02));
  const stages = new StageList(state);
  stages.add((images: tf.Tensor4D, context) => {
    const batch = images.shape[0];
    const patches = tf.reshape(patchify.apply(images), [batch, tokens - 1, dim]);
    const x = tf.concat([tf.broadcastTo(classToken.variable, [batch, 1, dim]), patches], 1) as tf.Tensor3D;
    return dropout(tf.add(x, positions.variable), config.dropout ?? 0, context);
  });
  for (let index = 0; index < config.layers; index += 1) {
    stages.add(encoderLayer(encoder.child('layers').child(`encoder_layer_${index}`), config));
  }
  const finalNorm = new LayerNorm(encoder.child('ln'), dim, EPS);
  stages.add((x: tf.Tensor3D) => {
    const batch = x.shape[0];
    return tf.reshape(tf.slice(finalNorm.apply(x), [0, 0, 0], [batch, 1, dim]), [batch, dim]);
  });
  return new Backbone(name, dim, state, stages, imageSize);
}

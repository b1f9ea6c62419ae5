// The classification head: a learned embedding of the lumbar level (L1/L2 .. L5/S1) concatenated to the
// backbone's features, then Linear -> LayerNorm -> GELU -> Dropout for each hidden size, and a Linear to the
// severity classes. Its parameter names are those of the equivalent PyTorch module (an nn.Embedding
// `level_embedding`, an nn.Sequential `mlp` of [Linear, LayerNorm, GELU, Dropout] per hidden size, a Linear
// `classifier`), so checkpoints stay loadable in PyTorch.
import * as tf from '@tensorflow/tfjs-core';
import { ModelState, type ForwardContext, type ParamRecord } from './module';
import { LayerNorm, Linear, dropout, gelu } from './layers';
import { normal, SeededRandom } from './random';

export interface LevelHeadConfig {
  featureWidth: number;
  /** Number of lumbar levels the embedding covers. */
  levels?: number;
  /** Width of the level embedding. */
  embedding?: number;
  hidden?: readonly number[];
  dropout?: number;
  classes?: number;
}

export const LEVEL_HEAD_DEFAULTS = { levels: 5, embedding: 256, hidden: [512, 256], dropout: 0.1, classes: 3 } as const;

const LAYER_NORM_EPS = 1e-5;
// Each hidden size occupies four slots of the PyTorch Sequential: Linear, LayerNorm, GELU, Dropout.
const SLOTS_PER_HIDDEN = 4;

export class LevelHead {
  readonly state = new ModelState();
  readonly levels: number;
  readonly classes: number;
  private readonly table;
  private readonly layers: { linear: Linear; norm: LayerNorm }[] = [];
  private readonly output: Linear;
  private readonly rate: number;
  private dropoutSeeds = new SeededRandom(0);

  constructor(readonly config: LevelHeadConfig) {
    const levels = config.levels ?? LEVEL_HEAD_DEFAULTS.levels;
    const embedding = config.embedding ?? LEVEL_HEAD_DEFAULTS.embedding;
    const hidden = config.hidden ?? LEVEL_HEAD_DEFAULTS.hidden;
    this.rate = config.dropout ?? LEVEL_HEAD_DEFAULTS.dropout;
    this.classes = config.classes ?? LEVEL_HEAD_DEFAULTS.classes;
    this.levels = levels;
    const root = this.state.scope();
    // nn.Embedding initialises N(0, 1); Linear and LayerNorm keep PyTorch's defaults.
    this.table = root.child('level_embedding').param('weight', [levels, embedding], 'plain', normal(1));
    let width = config.featureWidth + embedding;
    hidden.forEach((size, index) => {
      const mlp = root.child('mlp');
      this.layers.push({
        linear: new Linear(mlp.child(SLOTS_PER_HIDDEN * index), width, size),
        norm: new LayerNorm(mlp.child(SLOTS_PER_HIDDEN * index + 1), size, LAYER_NORM_EPS),
      });
      width = size;
    });
    this.output = new Linear(root.child('classifier'), width, this.classes);
  }

  get parameters(): readonly ParamRecord[] {
    return this.state.parameters;
  }

  initialize(seed: number): this {
    this.state.initialize(seed);
    this.dropoutSeeds = new SeededRandom(seed ^ 0xd209);
    return this;
  }

  /** Restarts the dropout draws from `seed` (see Backbone.reseed). */
  reseed(seed: number): void {
    this.dropoutSeeds = new SeededRandom(seed ^ 0xd209);
  }

  /** Logits [N, classes] from features [N, featureWidth] and level indices [N] (int32, 0 .. levels - 1). */
  forward(features: tf.Tensor2D, levels: tf.Tensor1D, training: boolean): tf.Tensor2D {
    if (features.shape[1] !== this.config.featureWidth) {
      throw new RangeError(`the head takes ${this.config.featureWidth} features, got [${features.shape.join(', ')}]`);
    }
    if (levels.dtype !== 'int32' || levels.shape[0] !== features.shape[0]) {
      throw new RangeError(
        `the head needs one int32 level index per row: got ${levels.dtype} [${levels.shape.join(', ')}] for ` +
          `${features.shape[0]} rows`,
      );
    }
    const seeds = this.dropoutSeeds;
    const context: ForwardContext = { training, frozen: new Set(), nextSeed: () => seeds.nextSeed() };
    let x = tf.concat([features, tf.gather(this.table.variable, levels) as tf.Tensor2D], 1);
    for (const { linear, norm } of this.layers) {
      x = dropout(gelu(norm.apply(linear.apply(x))), this.rate, context);
    }
    return this.output.apply(x);
  }

  dispose(): void {
    this.state.dispose();
  }
}

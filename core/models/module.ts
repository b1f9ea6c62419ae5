// A minimal functional module system for the backbones and the head.
//
// Why not tfjs-layers: pretrained weights are PyTorch state_dicts, and `unfreeze_last_n` counts "the last N
// parameter tensors in PyTorch's order". Both need every parameter to carry its exact PyTorch name and to be
// registered in exactly PyTorch's order (a module's own parameters, then its own buffers, then its children in
// the order they were assigned), which tfjs-layers' auto-named, Keras-ordered weights cannot reproduce. Here a
// model declares its state entries through scopes that build the dotted names, in the reference order, and its
// forward pass is a plain function of tfjs-core ops over those entries.
import * as tf from '@tensorflow/tfjs-core';
import { SeededRandom, type Initializer } from './random';
import { tfShapeOf, type TorchLayout } from './torchLayout';

export type { TorchLayout } from './torchLayout';

/** A trainable tensor with its PyTorch identity. */
export interface ParamRecord {
  /** The PyTorch state_dict key, e.g. `layer4.2.conv3.weight`. */
  readonly name: string;
  readonly variable: tf.Variable;
  readonly torchShape: readonly number[];
  readonly layout: TorchLayout;
}

/** Element type of a buffer in PyTorch (int64 buffers are held as int32 tensors in tfjs). */
export type BufferDtype = 'float32' | 'int64';

/** A non-trainable state tensor (batch-norm statistics, index tables) with its PyTorch identity. */
export interface BufferRecord {
  readonly name: string;
  readonly variable: tf.Variable;
  readonly torchShape: readonly number[];
  readonly dtype: BufferDtype;
}

function sizeOf(shape: readonly number[]): number {
  return shape.reduce((product, side) => product * side, 1);
}

abstract class StateEntry {
  private held: tf.Variable | undefined;

  constructor(
    readonly name: string,
    readonly torchShape: readonly number[],
  ) {}

  get variable(): tf.Variable {
    if (this.held === undefined) {
      throw new Error(`'${this.name}' was read before its model was initialised (call initialize(seed) first)`);
    }
    return this.held;
  }

  get initialized(): boolean {
    return this.held !== undefined;
  }

  get size(): number {
    return sizeOf(this.torchShape);
  }

  protected hold(variable: tf.Variable): void {
    this.held?.dispose();
    this.held = variable;
  }

  dispose(): void {
    this.held?.dispose();
    this.held = undefined;
  }
}

export class Parameter extends StateEntry implements ParamRecord {
  readonly kind = 'parameter';

  constructor(
    name: string,
    torchShape: readonly number[],
    readonly layout: TorchLayout,
    private readonly init: Initializer,
  ) {
    super(name, torchShape);
  }

  get tfShape(): number[] {
    return tfShapeOf(this.torchShape, this.layout);
  }

  initialize(random: SeededRandom): void {
    // Values are i.i.d., so they can be drawn straight into the tfjs order. A variable shares its initial value's
    // data and leaves that tensor alive; tidy releases it, so disposing the variable frees the memory.
    this.hold(tf.tidy(() => tf.variable(tf.tensor(this.init(this.size, random), this.tfShape, 'float32'), true)));
  }
}

export class Buffer extends StateEntry implements BufferRecord {
  readonly kind = 'buffer';

  constructor(
    name: string,
    torchShape: readonly number[],
    readonly dtype: BufferDtype,
    private readonly init: () => Float32Array | Int32Array,
  ) {
    super(name, torchShape);
  }

  initialize(): void {
    const values = this.init();
    const tensor =
      this.dtype === 'int64'
        ? tf.tensor(Int32Array.from(values), [...this.torchShape], 'int32')
        : tf.tensor(Float32Array.from(values), [...this.torchShape], 'float32');
    this.hold(tf.variable(tensor, false));
    // As for a parameter: the variable keeps the data, the initial tensor is released.
    tensor.dispose();
  }
}

export type StateEntryOf = Parameter | Buffer;

/** A model's state in PyTorch state_dict order. */
export class ModelState {
  readonly entries: StateEntryOf[] = [];
  private readonly names = new Set<string>();

  /** The scope whose names start at the root (or at `prefix`). */
  scope(prefix = ''): Scope {
    return new Scope(this, prefix);
  }

  add<T extends StateEntryOf>(entry: T): T {
    if (this.names.has(entry.name)) {
      throw new Error(`the model declares '${entry.name}' twice`);
    }
    this.names.add(entry.name);
    this.entries.push(entry);
    return entry;
  }

  get parameters(): Parameter[] {
    return this.entries.filter((entry): entry is Parameter => entry.kind === 'parameter');
  }

  get buffers(): Buffer[] {
    return this.entries.filter((entry): entry is Buffer => entry.kind === 'buffer');
  }

  get parameterCount(): number {
    return this.parameters.reduce((sum, parameter) => sum + parameter.size, 0);
  }

  get initialized(): boolean {
    return this.entries.length > 0 && this.entries.every((entry) => entry.initialized);
  }

  /** Allocates every variable: parameters drawn in declaration order from `seed`, buffers at their defaults. */
  initialize(seed: number): void {
    const random = new SeededRandom(seed);
    for (const entry of this.entries) {
      if (entry.kind === 'parameter') {
        entry.initialize(random);
      } else {
        entry.initialize();
      }
    }
  }

  dispose(): void {
    for (const entry of this.entries) {
      entry.dispose();
    }
  }
}

/** Builds dotted PyTorch names: `scope.child('layer1').child(0).param('weight', ...)` is `layer1.0.weight`. */
export class Scope {
  constructor(
    private readonly state: ModelState,
    readonly prefix: string,
  ) {}

  private qualify(name: string | number): string {
    return this.prefix === '' ? String(name) : `${this.prefix}.${name}`;
  }

  child(name: string | number): Scope {
    return new Scope(this.state, this.qualify(name));
  }

  param(name: string, torchShape: readonly number[], layout: TorchLayout, init: Initializer): Parameter {
    return this.state.add(new Parameter(this.qualify(name), torchShape, layout, init));
  }

  buffer(
    name: string,
    torchShape: readonly number[],
    dtype: BufferDtype,
    init: () => Float32Array | Int32Array,
  ): Buffer {
    return this.state.add(new Buffer(this.qualify(name), torchShape, dtype, init));
  }
}

/** What one forward pass needs besides its input: the mode, and seeds for dropout and stochastic depth. */
export interface ForwardContext {
  readonly training: boolean;
  /** Parameters the optimizer leaves alone: batch norms they scale run in inference mode even in training. */
  readonly frozen: ReadonlySet<ParamRecord>;
  nextSeed(): number;
  /**
   * Receives each global self-attention layer's weights [batch, heads, query, key] in forward order (ViT, BEiT),
   * for attention rollout; tensors it keeps must be kept from the caller's tidy.
   */
  readonly observeAttention?: (weights: tf.Tensor4D) => void;
}

/** One step of a backbone's forward pass (the stem, one block, the pooling at the end). */
export type StageRun = (x: tf.Tensor, context: ForwardContext) => tf.Tensor;

export interface BackboneStage {
  readonly run: StageRun;
  /** The stage's own parameters: `count` entries of the state's parameters from `first`, in declaration order. */
  readonly first: number;
  readonly count: number;
}

/**
 * A backbone's stages in forward order, collected while it is built: each stage owns the parameters declared since
 * the previous one was added, so build a stage's layers, then add the function that runs them.
 */
export class StageList {
  readonly stages: BackboneStage[] = [];
  private declared = 0;

  constructor(private readonly state: ModelState) {}

  add<In extends tf.Tensor, Out extends tf.Tensor>(run: (x: In, context: ForwardContext) => Out): void {
    const total = this.state.parameters.length;
    this.stages.push({ run: run as unknown as StageRun, first: this.declared, count: total - this.declared });
    this.declared = total;
  }
}

/**
 * A forward pass run stage by stage, so a trainer can run a frozen prefix outside the gradient tape and the rest
 * inside it. Every stage of one pass draws from the same dropout and stochastic-depth seeds, so a split pass draws
 * exactly what `forward` would.
 */
export interface BackbonePass {
  readonly stageCount: number;
  /** Runs stage `index` on the previous stage's output (the images for stage 0). */
  runStage(index: number, x: tf.Tensor): tf.Tensor;
}

/**
 * A feature extractor: images NHWC float32 (normalised) -> features [N, featureWidth]. Its parameters are named
 * and ordered exactly as in the reference PyTorch model without its classification head.
 */
export class Backbone {
  private dropoutSeeds = new SeededRandom(0);
  private frozen: ReadonlySet<ParamRecord> = new Set();
  readonly stages: readonly BackboneStage[];

  constructor(
    /** The registry name, or a description of a custom configuration. */
    readonly name: string,
    readonly featureWidth: number,
    readonly state: ModelState,
    stages: StageList,
    /** Input side the configuration requires (position embeddings fix it), or undefined for any side. */
    readonly fixedInputSize?: number,
  ) {
    if (stages.stages.reduce((sum, stage) => sum + stage.count, 0) !== state.parameters.length) {
      throw new Error(`${name}: its stages own fewer parameters than the model declares; add every stage`);
    }
    this.stages = stages.stages;
  }

  get parameters(): readonly ParamRecord[] {
    return this.state.parameters;
  }

  get buffers(): readonly BufferRecord[] {
    return this.state.buffers;
  }

  /** Allocates and initialises the weights (as the reference does) from an explicit seed; returns this. */
  initialize(seed: number): this {
    this.state.initialize(seed);
    this.dropoutSeeds = new SeededRandom(seed ^ 0x5eed);
    return this;
  }

  /**
   * Restarts the dropout and stochastic-depth draws from `seed`. The trainer reseeds at every epoch so an epoch
   * draws the same masks whether or not the run was interrupted and resumed before it.
   */
  reseed(seed: number): void {
    this.dropoutSeeds = new SeededRandom(seed ^ 0x5eed);
  }

  /** Marks the parameters training leaves unchanged (see ForwardContext.frozen); replaces any earlier marking. */
  setFrozen(parameters: Iterable<ParamRecord>): void {
    this.frozen = new Set(parameters);
  }

  /**
   * Features of a batch. `training` selects batch statistics in batch norm (and updates the running statistics),
   * dropout and stochastic depth, as PyTorch's train()/eval().
   */
  forward(images: tf.Tensor4D, training: boolean): tf.Tensor2D {
    const pass = this.beginPass(images, training);
    let x: tf.Tensor = images;
    for (let index = 0; index < pass.stageCount; index += 1) x = pass.runStage(index, x);
    return x as tf.Tensor2D;
  }

  /** Checks the images and starts a stage-by-stage pass over them (see BackbonePass). */
  beginPass(
    images: tf.Tensor4D,
    training: boolean,
    observeAttention?: ForwardContext['observeAttention'],
  ): BackbonePass {
    if (images.rank !== 4 || images.shape[3] !== 3) {
      throw new RangeError(`${this.name} takes NHWC images with 3 channels, got shape [${images.shape.join(', ')}]`);
    }
    const [, height, width] = images.shape;
    if (this.fixedInputSize !== undefined && (height !== this.fixedInputSize || width !== this.fixedInputSize)) {
      throw new RangeError(
        `${this.name} takes ${this.fixedInputSize}x${this.fixedInputSize} images (its position embeddings fix the ` +
          `size), got ${height}x${width}; set the input size to ${this.fixedInputSize}`,
      );
    }
    const seeds = this.dropoutSeeds;
    const context: ForwardContext = {
      training,
      frozen: this.frozen,
      nextSeed: () => seeds.nextSeed(),
      ...(observeAttention && { observeAttention }),
    };
    return { stageCount: this.stages.length, runStage: (index, x) => this.stages[index]!.run(x, context) };
  }

  /**
   * How many leading stages hold no trainable parameter: their output is a constant to the gradient, so a trainer
   * can run them outside the gradient tape. The stages only use parameters they own, so this is exact.
   */
  frozenStageCount(trainable: ReadonlySet<tf.Variable>): number {
    const parameters = this.parameters;
    const index = this.stages.findIndex((stage) =>
      parameters.slice(stage.first, stage.first + stage.count).some((p) => trainable.has(p.variable)),
    );
    return index === -1 ? this.stages.length : index;
  }

  dispose(): void {
    this.state.dispose();
  }
}

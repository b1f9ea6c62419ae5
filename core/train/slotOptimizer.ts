// The bookkeeping our optimizers share: look up each gradient's variable, keep per-variable state tensors
// ("slots": Adam's moments, SGD's momentum buffer) and a per-variable step count, and save/restore both for
// checkpoints through tfjs's Optimizer getWeights/setWeights contract. Subclassing tf.Optimizer keeps
// `minimize`, `computeGradients` and `applyGradients` usable by any tfjs training code.
//
// The step count is per variable, as in PyTorch (a parameter that gets no gradient in a step does not advance
// its own bias correction), so results match torch.optim step for step.
//
// An update runs over groups, not tensors: the variables that share a step count and a subclass's group key
// (AdamW: whether weight decay applies), up to GROUP_VALUES values per group, are flattened and concatenated,
// updated by one short chain of element-wise operations, and split back. A ResNet-18 has 62 parameter tensors and
// 11.7M parameters: three groups, so a dozen operations per group instead of a dozen per tensor. Element-wise
// operations give the same float32 results on a concatenation as on its parts, so the numbers are those of a
// per-tensor update. A subclass may update a group its own way (`updateGroup`): AdamW, on an engine with its fused
// kernel, makes one call per tensor instead, with no concatenation.

import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';

/**
 * How many values an update takes together: 16 MiB of float32, one group per ~4M parameters, which keeps the
 * operation count low without a heap-sized concatenation; an update's temporaries are a few copies of one group.
 */
const GROUP_VALUES = 1 << 22;

/** A variable, its slots (in the order of the optimizer's slot names) and its own step count. */
export interface VariableState {
  variable: tf.Variable;
  slots: tf.Variable[];
  steps: number;
}

/** Variables updated together: their values, gradients and slots flattened into one vector each. */
export interface UpdateGroup {
  /** What `groupKey` returned for every member. */
  key: string;
  /** The members' shared step count, 1 on their first update. */
  step: number;
  value: tf.Tensor1D;
  gradient: tf.Tensor1D;
  /** In the order of the optimizer's slot names. */
  slots: tf.Tensor1D[];
}

/** New flat values for the group's variables and slots. */
export interface UpdatedGroup {
  value: tf.Tensor;
  slots: tf.Tensor[];
}

const STEP_SUFFIX = 'step';

export abstract class SlotOptimizer extends tf.Optimizer {
  /** The learning rate of the next step; schedules set it before each step. */
  learningRate: number;
  private readonly states = new Map<string, VariableState>();

  protected constructor(
    learningRate: number,
    /** Names of the per-variable state tensors, in the order `update` receives them. */
    private readonly slotNames: readonly string[],
  ) {
    super();
    if (!(learningRate >= 0)) throw new Error(`optimizer: learning rate must be >= 0, got ${learningRate}`);
    this.learningRate = learningRate;
  }

  /** Computes a group's new values and slots from its gradient. Runs inside tf.tidy. */
  protected abstract update(group: UpdateGroup): UpdatedGroup;

  /** Variables with different keys are never updated together; the key reaches `update`. */
  protected groupKey(_name: string, _variable: tf.Variable): string {
    return '';
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const gradients = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name]! }));
    const groups = new Map<string, { key: string; states: VariableState[]; gradients: tf.Tensor[]; values: number }>();
    const part = new Map<string, number>();
    for (const { name, tensor } of gradients) {
      if (tensor == null) continue;
      const state = this.stateOf(name);
      if (!tf.util.arraysEqual(tensor.shape, state.variable.shape)) {
        throw new Error(
          `optimizer: gradient of ${name} has shape [${tensor.shape}], the variable [${state.variable.shape}]`,
        );
      }
      state.steps += 1;
      const key = this.groupKey(name, state.variable);
      const kind = `${state.steps}/${key}`;
      let id = `${kind}/${part.get(kind) ?? 0}`;
      const current = groups.get(id);
      if (current !== undefined && current.values + tensor.size > GROUP_VALUES) {
        part.set(kind, (part.get(kind) ?? 0) + 1);
        id = `${kind}/${part.get(kind)}`;
      }
      const group = groups.get(id) ?? { key, states: [], gradients: [], values: 0 };
      group.states.push(state);
      group.gradients.push(tensor);
      group.values += tensor.size;
      groups.set(id, group);
    }
    for (const { key, states, gradients: groupGradients } of groups.values()) {
      tf.tidy(() => this.updateGroup(key, states, groupGradients));
    }
    this.incrementIterations();
  }

  /**
   * Updates a group's variables and slots in place: by default flattened into one vector each and run through
   * `update` together. Runs inside tf.tidy; the states share `key` and their (already advanced) step count.
   */
  protected updateGroup(key: string, states: VariableState[], gradients: tf.Tensor[]): void {
    const flat = (tensors: tf.Tensor[]): tf.Tensor1D =>
      tensors.length === 1
        ? tf.reshape(tensors[0]!, [-1])
        : tf.concat(
            tensors.map((t) => tf.reshape(t, [-1])),
            0,
          );
    const updated = this.update({
      key,
      step: states[0]!.steps,
      value: flat(states.map((s) => s.variable)),
      gradient: flat(gradients),
      slots: this.slotNames.map((_, i) => flat(states.map((s) => s.slots[i]!))),
    });
    const sizes = states.map((s) => s.variable.size);
    const pieces = (vector: tf.Tensor): tf.Tensor[] => (states.length === 1 ? [vector] : tf.split(vector, sizes));
    pieces(updated.value).forEach((piece, i) =>
      states[i]!.variable.assign(tf.reshape(piece, states[i]!.variable.shape)),
    );
    updated.slots.forEach((slot, j) =>
      pieces(slot).forEach((piece, i) => states[i]!.slots[j]!.assign(tf.reshape(piece, states[i]!.variable.shape))),
    );
  }

  private stateOf(name: string): VariableState {
    const existing = this.states.get(name);
    if (existing) return existing;
    const variable = tf.engine().registeredVariables[name];
    if (!variable)
      throw new Error(`optimizer: no variable named ${name} is registered; pass gradients keyed by variable name`);
    // tidy releases the zeros each slot starts from, which tf.variable would leave alive beside the slot.
    const slots = this.slotNames.map(() => tf.tidy(() => tf.variable(tf.zerosLike(variable), false)));
    const state = { variable, slots, steps: 0 };
    this.states.set(name, state);
    return state;
  }

  /** [iterations, then for each variable `<name>/<slot>` tensors and `<name>/step`]: what a checkpoint stores. */
  override async getWeights(): Promise<NamedTensor[]> {
    const weights = [await this.saveIterations()];
    for (const [name, state] of this.states) {
      state.slots.forEach((slot, i) => weights.push({ name: `${name}/${this.slotNames[i]}`, tensor: slot }));
      weights.push({ name: `${name}/${STEP_SUFFIX}`, tensor: tf.scalar(state.steps, 'int32') });
    }
    return weights;
  }

  /** Restores what getWeights saved; the variables must already exist under the same names. */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    const weights = await this.extractIterations(weightValues);
    const byVariable = new Map<string, Map<string, tf.Tensor>>();
    for (const { name, tensor } of weights) {
      const cut = name.lastIndexOf('/');
      if (cut <= 0) throw new Error(`optimizer state: entry "${name}" is not <variable>/<slot>`);
      const entries = byVariable.get(name.slice(0, cut)) ?? new Map<string, tf.Tensor>();
      entries.set(name.slice(cut + 1), tensor);
      byVariable.set(name.slice(0, cut), entries);
    }
    this.disposeStates();
    for (const [name, entries] of byVariable) {
      const variable = tf.engine().registeredVariables[name];
      if (!variable)
        throw new Error(`optimizer state: it holds state for ${name}, which is not a variable of this model`);
      const step = entries.get(STEP_SUFFIX);
      if (!step) throw new Error(`optimizer state: ${name}/${STEP_SUFFIX} is missing`);
      const slots = this.slotNames.map((slotName) => {
        const value = entries.get(slotName);
        if (!value) throw new Error(`optimizer state: ${name}/${slotName} is missing`);
        if (!tf.util.arraysEqual(value.shape, variable.shape)) {
          throw new Error(
            `optimizer state: ${name}/${slotName} has shape [${value.shape}], the variable [${variable.shape}]`,
          );
        }
        return tf.variable(value, false);
      });
      this.states.set(name, { variable, slots, steps: (await step.data())[0]! });
    }
  }

  private disposeStates(): void {
    for (const state of this.states.values()) state.slots.forEach((slot) => slot.dispose());
    this.states.clear();
  }

  override dispose(): void {
    super.dispose();
    this.disposeStates();
  }
}

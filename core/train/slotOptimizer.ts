// The bookkeeping our optimizers share: look up each gradient's variable, keep per-variable state tensors
// ("slots": Adam's moments, SGD's momentum buffer) and a per-variable step count, and save/restore both for
// checkpoints through tfjs's Optimizer getWeights/setWeights contract. Subclassing tf.Optimizer keeps
// `minimize`, `computeGradients` and `applyGradients` usable by any tfjs training code.
//
// The step count is per variable, as in PyTorch (a parameter that gets no gradient in a step does not advance
// its own bias correction), so results match torch.optim step for step.

import * as tf from '@tensorflow/tfjs-core';
import type { NamedTensor } from '@tensorflow/tfjs-core/dist/tensor_types';

interface VariableState {
  variable: tf.Variable;
  slots: tf.Variable[];
  steps: number;
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

  /**
   * Computes the new value of `variable` from its gradient and assigns it (and the slots). Runs inside tf.tidy.
   * `step` counts this variable's updates, 1 on its first.
   */
  protected abstract update(
    name: string,
    variable: tf.Variable,
    gradient: tf.Tensor,
    slots: tf.Variable[],
    step: number,
  ): void;

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedTensor[]): void {
    const gradients = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name]! }));
    for (const { name, tensor } of gradients) {
      if (tensor == null) continue;
      const state = this.stateOf(name);
      if (!tf.util.arraysEqual(tensor.shape, state.variable.shape)) {
        throw new Error(
          `optimizer: gradient of ${name} has shape [${tensor.shape}], the variable [${state.variable.shape}]`,
        );
      }
      state.steps += 1;
      tf.tidy(() => this.update(name, state.variable, tensor, state.slots, state.steps));
    }
    this.incrementIterations();
  }

  private stateOf(name: string): VariableState {
    const existing = this.states.get(name);
    if (existing) return existing;
    const variable = tf.engine().registeredVariables[name];
    if (!variable)
      throw new Error(`optimizer: no variable named ${name} is registered; pass gradients keyed by variable name`);
    const state = { variable, slots: this.slotNames.map(() => tf.variable(tf.zerosLike(variable), false)), steps: 0 };
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

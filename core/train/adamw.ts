// AdamW (Loshchilov & Hutter, "Decoupled Weight Decay Regularization"): Adam whose weight decay shrinks the
// parameters directly instead of being added to the gradient. tfjs ships Adam but no AdamW, and Adam with an L2
// term is a different optimizer, so this follows torch.optim.AdamW (amsgrad off) operation for operation:
//
//   p ← p · (1 − lr·wd)                       (decoupled decay, skipped for variables the no-decay rule names)
//   m ← β1·m + (1 − β1)·g
//   v ← β2·v + (1 − β2)·g²
//   p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
//
// with t the variable's own step count. The scalar factors are computed in double precision, as PyTorch does.

import * as tf from '@tensorflow/tfjs-core';
import { FUSED_ADAMW_KERNEL, type AdamWStepFactors } from './adamWStep';
import { SlotOptimizer, type UpdatedGroup, type UpdateGroup, type VariableState } from './slotOptimizer';

/**
 * Which variables skip weight decay: 'none' decays everything (torch.optim.AdamW's default), 'vectors' spares
 * 1-D variables (biases, normalisation scales and shifts), or a function of the variable's name and variable.
 */
export type NoDecayRule = 'none' | 'vectors' | ((name: string, variable: tf.Variable) => boolean);

export interface AdamWSettings {
  learningRate: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
  noDecay?: NoDecayRule;
}

/** torch.optim.AdamW's defaults. */
export const ADAMW_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 1e-2 } as const;

export function skipsDecay(rule: NoDecayRule, name: string, variable: tf.Variable): boolean {
  if (rule === 'none') return false;
  if (rule === 'vectors') return variable.rank <= 1;
  return rule(name, variable);
}

export class AdamW extends SlotOptimizer {
  static get className(): string {
    return 'AdamW';
  }

  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly weightDecay: number;
  private readonly noDecay: NoDecayRule;

  constructor(settings: AdamWSettings) {
    super(settings.learningRate, ['m', 'v']);
    this.beta1 = settings.beta1 ?? ADAMW_DEFAULTS.beta1;
    this.beta2 = settings.beta2 ?? ADAMW_DEFAULTS.beta2;
    this.epsilon = settings.epsilon ?? ADAMW_DEFAULTS.epsilon;
    this.weightDecay = settings.weightDecay ?? ADAMW_DEFAULTS.weightDecay;
    this.noDecay = settings.noDecay ?? 'none';
    for (const [key, value] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(value >= 0 && value < 1)) throw new Error(`AdamW: ${key} must be in [0, 1), got ${value}`);
    }
    if (!(this.epsilon >= 0)) throw new Error(`AdamW: epsilon must be >= 0, got ${this.epsilon}`);
    if (!(this.weightDecay >= 0)) throw new Error(`AdamW: weight decay must be >= 0, got ${this.weightDecay}`);
  }

  protected override groupKey(name: string, variable: tf.Variable): string {
    return this.weightDecay !== 0 && !skipsDecay(this.noDecay, name, variable) ? 'decay' : 'no-decay';
  }

  private stepFactors(key: string, step: number): AdamWStepFactors {
    const lr = this.learningRate;
    return {
      decay: key === 'decay' ? 1 - lr * this.weightDecay : 1,
      beta1: this.beta1,
      gradientShare1: 1 - this.beta1,
      beta2: this.beta2,
      gradientShare2: 1 - this.beta2,
      biasCorrection2Root: Math.sqrt(1 - this.beta2 ** step),
      epsilon: this.epsilon,
      stepSize: lr / (1 - this.beta1 ** step),
    };
  }

  /** One fused kernel call per variable where the engine has one (the wasm engine), else the element-wise form. */
  protected override updateGroup(key: string, states: VariableState[], gradients: tf.Tensor[]): void {
    if (!tf.getKernel(FUSED_ADAMW_KERNEL, tf.getBackend())) return super.updateGroup(key, states, gradients);
    const factors = this.stepFactors(key, states[0]!.steps);
    states.forEach(({ variable, slots }, i) => {
      const [m, v] = slots as [tf.Variable, tf.Variable];
      const inputs = { value: variable, gradient: gradients[i]!, m, v };
      const attrs = factors as unknown as tf.NamedAttrMap;
      const [newValue, newM, newV] = tf.engine().runKernel(FUSED_ADAMW_KERNEL, inputs, attrs) as tf.Tensor[];
      variable.assign(newValue!);
      m.assign(newM!);
      v.assign(newV!);
    });
  }

  protected update({ key, step, value, gradient, slots }: UpdateGroup): UpdatedGroup {
    const [m, v] = slots as [tf.Tensor1D, tf.Tensor1D];
    const f = this.stepFactors(key, step);
    const decayed = f.decay === 1 ? value : tf.mul(value, f.decay);
    const newM = tf.add(tf.mul(m, f.beta1), tf.mul(gradient, f.gradientShare1));
    const newV = tf.add(tf.mul(v, f.beta2), tf.mul(tf.square(gradient), f.gradientShare2));
    const denominator = tf.add(tf.div(tf.sqrt(newV), f.biasCorrection2Root), f.epsilon);
    return { value: tf.sub(decayed, tf.mul(tf.div(newM, denominator), f.stepSize)), slots: [newM, newV] };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      weightDecay: this.weightDecay,
      noDecay: typeof this.noDecay === 'function' ? 'custom' : this.noDecay,
    };
  }
}

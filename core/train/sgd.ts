// SGD with momentum as torch.optim.SGD computes it (tfjs's MomentumOptimizer has no weight decay, dampening or
// torch's first-step rule):
//
//   d ← g + wd·p                                  (coupled L2 weight decay)
//   b ← d on a variable's first step, else b ← μ·b + (1 − dampening)·d
//   d ← d + μ·b with Nesterov, else d ← b          (only when μ > 0)
//   p ← p − lr·d

import * as tf from '@tensorflow/tfjs-core';
import { SlotOptimizer, type UpdatedGroup, type UpdateGroup } from './slotOptimizer';

export interface SgdSettings {
  learningRate: number;
  momentum?: number;
  weightDecay?: number;
  dampening?: number;
  nesterov?: boolean;
}

export class Sgd extends SlotOptimizer {
  static get className(): string {
    return 'SgdTorch';
  }

  readonly momentum: number;
  readonly weightDecay: number;
  readonly dampening: number;
  readonly nesterov: boolean;

  constructor(settings: SgdSettings) {
    const momentum = settings.momentum ?? 0;
    super(settings.learningRate, momentum > 0 ? ['momentum'] : []);
    this.momentum = momentum;
    this.weightDecay = settings.weightDecay ?? 0;
    this.dampening = settings.dampening ?? 0;
    this.nesterov = settings.nesterov ?? false;
    if (!(momentum >= 0 && momentum < 1)) throw new Error(`SGD: momentum must be in [0, 1), got ${momentum}`);
    if (!(this.weightDecay >= 0)) throw new Error(`SGD: weight decay must be >= 0, got ${this.weightDecay}`);
    if (this.nesterov && (momentum === 0 || this.dampening !== 0)) {
      throw new Error('SGD: Nesterov momentum needs momentum > 0 and dampening 0 (as in torch.optim.SGD)');
    }
  }

  protected update({ step, value, gradient, slots }: UpdateGroup): UpdatedGroup {
    let direction: tf.Tensor = this.weightDecay !== 0 ? tf.add(gradient, tf.mul(value, this.weightDecay)) : gradient;
    const newSlots: tf.Tensor[] = [];
    if (this.momentum > 0) {
      const newBuffer =
        step === 1 ? direction : tf.add(tf.mul(slots[0]!, this.momentum), tf.mul(direction, 1 - this.dampening));
      newSlots.push(newBuffer);
      direction = this.nesterov ? tf.add(direction, tf.mul(newBuffer, this.momentum)) : newBuffer;
    }
    return { value: tf.sub(value, tf.mul(direction, this.learningRate)), slots: newSlots };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      learningRate: this.learningRate,
      momentum: this.momentum,
      weightDecay: this.weightDecay,
      dampening: this.dampening,
      nesterov: this.nesterov,
    };
  }
}

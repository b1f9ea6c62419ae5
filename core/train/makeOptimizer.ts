// The optimizer an experiment's train.optimizer names, built the one way the trainer and the engine benchmark
// both use.
import { AdamW } from './adamw';
import { Sgd } from './sgd';
import type { SlotOptimizer } from './slotOptimizer';

export interface OptimizerSetting {
  name: 'adamw' | 'sgd';
  lr: number;
  weight_decay: number;
  momentum: number;
}

export function makeOptimizer({ name, lr, weight_decay: weightDecay, momentum }: OptimizerSetting): SlotOptimizer {
  return name === 'sgd'
    ? new Sgd({ learningRate: lr, momentum, weightDecay })
    : new AdamW({ learningRate: lr, weightDecay });
}

// Which epoch's checkpoint is kept: select_best names a validation metric; losses count as better when lower,
// so every metric is turned into a score where higher is better.
import type { ResolvedRun } from '../experiment/resolvedRun';

export interface ValidationScores {
  loss: number;
  accuracy: number;
  macroF1: number;
  weightedLogLoss: number;
}

export function selectionScore(metric: ResolvedRun['train']['select_best'], val: ValidationScores): number {
  switch (metric) {
    case 'val_macro_f1':
      return val.macroF1;
    case 'val_accuracy':
      return val.accuracy;
    case 'val_loss':
      return -val.loss;
    case 'val_weighted_log_loss':
      return -val.weightedLogLoss;
  }
}

/**
 * Whether an epoch's score replaces the best so far. A tie goes to the later epoch: it has trained longer for the
 * same validation result, and with small validation sets (few distinct accuracies) ties are common.
 */
export function isNewBest(score: number, bestScore: number): boolean {
  return score >= bestScore;
}

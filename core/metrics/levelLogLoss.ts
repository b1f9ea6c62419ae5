// The competition's condition term (the sample-weighted log loss of rsnaLogLoss.ts) broken down by lumbar level,
// to show which levels the score is lost on. For level ℓ with samples S_ℓ and weights w_i (1/2/4 by true grade):
//     loss_ℓ = Σ_{i∈S_ℓ} w_i · (−ln q_{i,y_i}) / Σ_{i∈S_ℓ} w_i          (the level's own weighted log loss)
//     contribution_ℓ = loss_ℓ · Σ_{i∈S_ℓ} w_i / Σ_i w_i                   (its share of L_condition)
// so the contributions add up to L_condition. The any_severe_spinal term is per study, not per level, and has no
// such breakdown.

import { DEFAULT_CLIP_EPSILON, GRADE_SAMPLE_WEIGHTS, weightedLogLoss, type GradedSample } from './rsnaLogLoss';

export interface LevelLogLoss {
  level: string;
  samples: number;
  /** Sum of the level's sample weights. */
  weight: number;
  /** The level's own weighted log loss. */
  weightedLogLoss: number;
  /** The level's part of the condition's weighted log loss; the parts sum to it. */
  contribution: number;
}

/** The weighted log loss of each level's samples and its contribution to the whole, levels in name order. */
export function weightedLogLossByLevel(samples: readonly GradedSample[], eps = DEFAULT_CLIP_EPSILON): LevelLogLoss[] {
  if (samples.length === 0) throw new Error('rsna log loss: no samples to break down by level');
  const byLevel = new Map<string, GradedSample[]>();
  for (const sample of samples) byLevel.set(sample.level, [...(byLevel.get(sample.level) ?? []), sample]);
  const weightOf = (group: readonly GradedSample[]) =>
    group.reduce((sum, sample) => sum + GRADE_SAMPLE_WEIGHTS[sample.trueLabel]!, 0);
  const totalWeight = weightOf(samples);
  return [...byLevel.keys()].sort().map((level) => {
    const group = byLevel.get(level)!;
    const loss = weightedLogLoss(
      group.map((sample) => sample.trueLabel),
      group.map((sample) => sample.probabilities),
      eps,
    );
    const weight = weightOf(group);
    return { level, samples: group.length, weight, weightedLogLoss: loss, contribution: (loss * weight) / totalWeight };
  });
}

// Learning-rate schedules, evaluated per optimizer step (0-based: `rateAt(0)` is the rate of the first step).
//
// constant:  lr(s) = peak
// cosine with linear warm-up over W steps, T steps in all, floor f (default 0):
//   s < W:   lr(s) = peak · (s + 1) / W                   (rises linearly; step W−1 reaches the peak, and the
//                                                          first step is not wasted at rate 0)
//   s ≥ W:   lr(s) = f + (peak − f) · ½ · (1 + cos(π · min(1, (s − W) / max(1, T − W))))
// so the first step after warm-up runs at the peak and the rate reaches the floor at s = T (one past the last
// step, as torch's CosineAnnealingLR with T_max = T − W does). Steps past T stay at the floor.

export type ScheduleSettings =
  | { name: 'constant'; peak: number }
  | { name: 'cosine'; peak: number; warmupSteps: number; totalSteps: number; floor?: number };

export interface LearningRateSchedule {
  rateAt(step: number): number;
}

export function makeSchedule(settings: ScheduleSettings): LearningRateSchedule {
  if (!(settings.peak >= 0)) throw new Error(`schedule: peak learning rate must be >= 0, got ${settings.peak}`);
  if (settings.name === 'constant') return { rateAt: () => settings.peak };
  const { peak, warmupSteps, totalSteps } = settings;
  const floor = settings.floor ?? 0;
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0) {
    throw new Error(`schedule: warm-up steps must be a whole number >= 0, got ${warmupSteps}`);
  }
  if (!Number.isInteger(totalSteps) || totalSteps < warmupSteps) {
    throw new Error(
      `schedule: total steps (${totalSteps}) must be a whole number >= the warm-up steps (${warmupSteps})`,
    );
  }
  if (!(floor >= 0 && floor <= peak)) throw new Error(`schedule: floor ${floor} must be in [0, peak ${peak}]`);
  const decaySteps = Math.max(1, totalSteps - warmupSteps);
  return {
    rateAt(step: number): number {
      if (!Number.isInteger(step) || step < 0)
        throw new Error(`schedule: step must be a whole number >= 0, got ${step}`);
      if (step < warmupSteps) return (peak * (step + 1)) / warmupSteps;
      const progress = Math.min(1, (step - warmupSteps) / decaySteps);
      return floor + (peak - floor) * 0.5 * (1 + Math.cos(Math.PI * progress));
    },
  };
}

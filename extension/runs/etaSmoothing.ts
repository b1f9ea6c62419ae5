// The ETA the editor shows, smoothed. The trainer's estimate is time so far / steps so far × steps left, which
// jumps when validation or a slow first batch lands in "time so far" (22 s → 1 min 31 s → 34 s). The shown value
// counts down with the clock between estimates and moves only part of the way towards each new one.

export interface SmoothedEta {
  seconds: number;
  /** When `seconds` was the estimate, in milliseconds since the epoch. */
  at: number;
}

/** How far the shown ETA moves towards each new estimate: 0.3 halves a jump within two updates. */
export const ETA_SMOOTHING = 0.3;

/** The ETA to show after a new raw estimate made at `at`, given the one shown before (if any). */
export function smoothEta(previous: SmoothedEta | undefined, rawSeconds: number, at: number): SmoothedEta {
  if (previous === undefined || !Number.isFinite(previous.seconds)) return { seconds: rawSeconds, at };
  const countedDown = Math.max(0, previous.seconds - Math.max(0, at - previous.at) / 1000);
  return { seconds: countedDown + ETA_SMOOTHING * (rawSeconds - countedDown), at };
}

// Train/val/test splits by study, so a study's levels never straddle two splits. Stratified by each study's
// worst grade, so the rare Severe studies reach every split; seeded, so a seed names one split everywhere.
import { deriveSeed, mulberry32, shuffled } from './random';
import type { Sample } from './datasetIndex';
import { GRADES, type Grade } from './lsdcVocabulary';

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SplitSettings {
  train: number;
  val: number;
  test: number;
  stratify: boolean;
  seed: number;
}

export interface DatasetSplit {
  /** Study ids per split, sorted. */
  studies: Record<SplitName, string[]>;
  splitOf: Map<string, SplitName>;
  /** Studies per split by their worst grade, and samples per split by grade. */
  studyCounts: Record<SplitName, Record<Grade, number>>;
  sampleCounts: Record<SplitName, Record<Grade, number>>;
}

const emptyGradeCounts = (): Record<Grade, number> => ({ 'Normal/Mild': 0, Moderate: 0, Severe: 0 });

/** Largest-remainder rounding of `total * fractions`: whole numbers that sum to `total`. */
function apportion(total: number, fractions: readonly number[]): number[] {
  const exact = fractions.map((f) => total * f);
  const counts = exact.map(Math.floor);
  const order = exact.map((value, i) => ({ i, rest: value - Math.floor(value) })).sort((a, b) => b.rest - a.rest || a.i - b.i);
  const shortfall = total - counts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < shortfall; k++) counts[order[k]!.i]!++;
  return counts;
}

/**
 * How many studies of each stratum go to each split. Overall counts are the largest-remainder rounding of the
 * fractions; within that, each stratum's share follows the fractions as closely as whole studies allow, and a
 * stratum with at least one study per non-empty split puts one in each.
 */
function allocate(strataSizes: number[], fractions: readonly number[]): number[][] {
  const total = strataSizes.reduce((a, b) => a + b, 0);
  const targets = apportion(total, fractions);
  const used = fractions.filter((f) => f > 0).length;
  const allocation = strataSizes.map((size) => {
    const base = fractions.map((f) => Math.floor(size * f));
    if (size >= used) {
      for (const [s, f] of fractions.entries()) if (f > 0) base[s] = Math.max(base[s]!, 1);
    }
    while (base.reduce((a, b) => a + b, 0) > size) base[base.indexOf(Math.max(...base))]!--;
    return base;
  });
  const remaining = targets.map((target, s) => target - allocation.reduce((sum, row) => sum + row[s]!, 0));
  // Hand out the studies the floors left over to the (stratum, split) pairs furthest below their exact share,
  // first only to splits still short of their overall target, then (when the minimum of one per split took
  // their place) to any.
  const pairs = strataSizes
    .flatMap((size, g) => fractions.map((f, s) => ({ g, s, rest: size * f - allocation[g]![s]!, used: f > 0 })))
    .filter((pair) => pair.used)
    .sort((a, b) => b.rest - a.rest || a.g - b.g || a.s - b.s);
  const short = (g: number) => strataSizes[g]! - allocation[g]!.reduce((a, b) => a + b, 0);
  for (const onlyShortSplits of [true, false]) {
    for (const { g, s } of pairs) {
      if (short(g) > 0 && (!onlyShortSplits || remaining[s]! > 0)) {
        allocation[g]![s]!++;
        remaining[s]!--;
      }
    }
  }
  return allocation;
}

export function splitByStudy(samples: readonly Pick<Sample, 'studyId' | 'gradeIndex'>[], settings: SplitSettings): DatasetSplit {
  const fractions = [settings.train, settings.val, settings.test];
  const sum = fractions.reduce((a, b) => a + b, 0);
  if (fractions.some((f) => !(f >= 0)) || Math.abs(sum - 1) > 1e-6) {
    throw new RangeError(`split fractions must be non-negative and sum to 1, got train ${settings.train}, val ${settings.val}, test ${settings.test}`);
  }
  const worst = new Map<string, number>();
  for (const sample of samples) worst.set(sample.studyId, Math.max(worst.get(sample.studyId) ?? 0, sample.gradeIndex));
  // Sorting first makes the split independent of the order samples arrive in.
  const studyIds = [...worst.keys()].sort((a, b) => a.length - b.length || a.localeCompare(b));
  const strata = settings.stratify ? GRADES.map((_, g) => studyIds.filter((id) => worst.get(id) === g)) : [studyIds];
  const allocation = allocate(strata.map((s) => s.length), fractions);

  const splitOf = new Map<string, SplitName>();
  strata.forEach((members, g) => {
    const order = shuffled(members, mulberry32(deriveSeed(settings.seed, 'split', settings.stratify ? g : 'all')));
    let next = 0;
    SPLIT_NAMES.forEach((name, s) => {
      for (let k = 0; k < allocation[g]![s]!; k++) splitOf.set(order[next++]!, name);
    });
  });

  const studies = { train: [] as string[], val: [] as string[], test: [] as string[] };
  const studyCounts = { train: emptyGradeCounts(), val: emptyGradeCounts(), test: emptyGradeCounts() };
  const sampleCounts = { train: emptyGradeCounts(), val: emptyGradeCounts(), test: emptyGradeCounts() };
  for (const id of studyIds) {
    const name = splitOf.get(id)!;
    studies[name].push(id);
    studyCounts[name][GRADES[worst.get(id)!]!]++;
  }
  for (const sample of samples) sampleCounts[splitOf.get(sample.studyId)!][GRADES[sample.gradeIndex]!]++;
  return { studies, splitOf, studyCounts, sampleCounts };
}

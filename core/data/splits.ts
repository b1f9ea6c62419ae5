// Train/val/test splits by study, so a study's levels never straddle two splits. The split is a property of the
// dataset and the seed alone: stratified by each study's worst grade over every condition and level train.csv
// grades, so the five conditions (and every backbone) train and test on the same studies and the rare Severe
// studies reach every split. With `folds` k ≥ 2 the studies are dealt into k stratified folds; fold i is the test
// set and validation studies are drawn from the others in the val : train proportion.
import type { DatasetTables } from './datasetTables';
import { deriveSeed, mulberry32, shuffled } from './random';
import type { Sample } from './datasetIndex';
import { GRADES, type Grade, type GradeIndex } from './lsdcVocabulary';

export const SPLIT_NAMES = ['train', 'val', 'test'] as const;
export type SplitName = (typeof SPLIT_NAMES)[number];

export interface SplitSettings {
  train: number;
  val: number;
  test: number;
  stratify: boolean;
  seed: number;
  /** 1 for one train/val/test split by the fractions; k ≥ 2 for k-fold cross-validation. */
  folds: number;
  /** The test fold (0 to folds - 1) when folds ≥ 2; null for a single split. */
  fold: number | null;
}

export interface DatasetSplit {
  /** Study ids per split, sorted. */
  studies: Record<SplitName, string[]>;
  splitOf: Map<string, SplitName>;
  /** Each study's fold (its test fold) under k-fold cross-validation; null for a single split. */
  foldOf: Map<string, number> | null;
  /** Studies per split by their worst grade. */
  studyCounts: Record<SplitName, Record<Grade, number>>;
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

/** Each study's worst grade over every condition and level train.csv grades; Normal/Mild when none is graded. */
export function worstGradeByStudy(tables: Pick<DatasetTables, 'train'>): Map<string, GradeIndex> {
  const worst = new Map<string, GradeIndex>();
  for (const row of tables.train) {
    let grade = 0;
    for (const cell of row.grades.values()) if (cell !== undefined) grade = Math.max(grade, GRADES.indexOf(cell));
    worst.set(row.studyId, grade as GradeIndex);
  }
  return worst;
}

/** Study ids in a fixed order (shorter first, then lexically), so the split never depends on file order. */
function sortedIds(ids: Iterable<string>): string[] {
  return [...ids].sort((a, b) => a.length - b.length || a.localeCompare(b));
}

/** Deals each stratum's studies to the splits by `fractions`, every stratum in its own seeded order. */
function dealByFractions(
  strata: string[][],
  fractions: readonly number[],
  seedOf: (stratum: number) => number,
  splitOf: Map<string, SplitName>,
): void {
  const allocation = allocate(
    strata.map((s) => s.length),
    fractions,
  );
  strata.forEach((members, g) => {
    const order = shuffled(members, mulberry32(seedOf(g)));
    let next = 0;
    SPLIT_NAMES.forEach((name, s) => {
      for (let k = 0; k < allocation[g]![s]!; k++) splitOf.set(order[next++]!, name);
    });
  });
}

/**
 * Each study's fold: every stratum is shuffled, the strata are laid end to end and study n of that sequence goes
 * to fold n mod k, so fold sizes differ by at most one overall and within every stratum.
 */
function assignFolds(strata: string[][], folds: number, seed: number, stratified: boolean): Map<string, number> {
  const foldOf = new Map<string, number>();
  let position = 0;
  strata.forEach((members, g) => {
    for (const id of shuffled(members, mulberry32(deriveSeed(seed, 'folds', stratified ? g : 'all')))) {
      foldOf.set(id, position++ % folds);
    }
  });
  return foldOf;
}

function checkSettings(settings: SplitSettings): void {
  const fractions = [settings.train, settings.val, settings.test];
  const sum = fractions.reduce((a, b) => a + b, 0);
  if (fractions.some((f) => !(f >= 0)) || Math.abs(sum - 1) > 1e-6) {
    throw new RangeError(
      `split fractions must be non-negative and sum to 1, got train ${settings.train}, val ${settings.val}, test ${settings.test}`,
    );
  }
  if (!Number.isInteger(settings.folds) || settings.folds < 1) {
    throw new RangeError(`split.folds must be a whole number of at least 1, got ${settings.folds}`);
  }
  if (settings.folds === 1) return;
  if (settings.fold === null || !Number.isInteger(settings.fold) || settings.fold < 0 || settings.fold >= settings.folds) {
    throw new RangeError(`split.fold must be a fold from 0 to ${settings.folds - 1}, got ${settings.fold}`);
  }
  if (settings.train <= 0) throw new RangeError('with split.folds, split.train must be above 0: it is the training share of the non-test folds');
}

/** The split of a dataset's studies, given each study's worst grade (see worstGradeByStudy). */
export function splitStudies(worst: ReadonlyMap<string, number>, settings: SplitSettings): DatasetSplit {
  checkSettings(settings);
  const studyIds = sortedIds(worst.keys());
  const strata = settings.stratify ? GRADES.map((_, g) => studyIds.filter((id) => worst.get(id) === g)) : [studyIds];
  const stratumKey = (g: number) => (settings.stratify ? g : 'all');
  const splitOf = new Map<string, SplitName>();
  const foldOf =
    settings.folds === 1 ? null : assignFolds(strata, settings.folds, settings.seed, settings.stratify);
  if (foldOf === null) {
    dealByFractions(strata, [settings.train, settings.val, settings.test], (g) => deriveSeed(settings.seed, 'split', stratumKey(g)), splitOf);
  } else {
    const testFold = settings.fold!;
    const rest = strata.map((members) => members.filter((id) => foldOf.get(id) !== testFold));
    for (const [id, fold] of foldOf) if (fold === testFold) splitOf.set(id, 'test');
    const share = settings.train + settings.val;
    dealByFractions(
      rest,
      [settings.train / share, settings.val / share, 0],
      (g) => deriveSeed(settings.seed, 'fold', testFold, stratumKey(g)),
      splitOf,
    );
  }

  const studies = { train: [] as string[], val: [] as string[], test: [] as string[] };
  const studyCounts = { train: emptyGradeCounts(), val: emptyGradeCounts(), test: emptyGradeCounts() };
  for (const id of studyIds) {
    const name = splitOf.get(id)!;
    studies[name].push(id);
    studyCounts[name][GRADES[worst.get(id)!]!]++;
  }
  return { studies, splitOf, foldOf, studyCounts };
}

/** The split every condition and backbone of a dataset shares for these settings. */
export function splitDataset(tables: Pick<DatasetTables, 'train'>, settings: SplitSettings): DatasetSplit {
  return splitStudies(worstGradeByStudy(tables), settings);
}

/** Samples per split by grade. A sample of a study the split does not know is an error. */
export function countSamplesBySplit(
  split: DatasetSplit,
  samples: readonly Pick<Sample, 'studyId' | 'gradeIndex'>[],
): Record<SplitName, Record<Grade, number>> {
  const counts = { train: emptyGradeCounts(), val: emptyGradeCounts(), test: emptyGradeCounts() };
  for (const sample of samples) {
    const name = split.splitOf.get(sample.studyId);
    if (name === undefined) throw new Error(`study ${sample.studyId} has samples but no row in train.csv`);
    counts[name][GRADES[sample.gradeIndex]!]++;
  }
  return counts;
}

export const SPLIT_FILE = 'split.csv';

/** split.csv: study_id,split (and fold under cross-validation), one row per study, in study order. */
export function splitCsv(split: DatasetSplit): string {
  const header = split.foldOf ? 'study_id,split,fold' : 'study_id,split';
  const rows = sortedIds(split.splitOf.keys()).map((id) =>
    split.foldOf ? `${id},${split.splitOf.get(id)},${split.foldOf.get(id)}` : `${id},${split.splitOf.get(id)}`,
  );
  return `${[header, ...rows].join('\n')}\n`;
}

// The irregularities of the real RSNA LSDC data that the synthetic dataset can reproduce on request, and which
// studies get each. A clean dataset draws nothing from these streams, so its bytes do not depend on this file.
import { deriveSeed, mulberry32 } from '../random';

export const MESSY_CASES = {
  'several-series':
    'a second series of one type: a repeated sagittal acquisition that carries the points, or the axial stack split in two series (upper and lower levels)',
  'missing-series':
    'one series type was not acquired: no images, no description row and no points for its conditions (the grades stay)',
  'missing-coordinates': 'graded levels without a point in train_label_coordinates.csv',
  'unlisted-series': 'points on a series whose images exist but which train_series_descriptions.csv does not list',
  'instance-numbers': 'instance numbers that start above 1 and skip values (files are named by instance number)',
  geometry: 'matrix sizes, pixel spacings and slice counts that differ from series to series',
  'unlabelled-studies': 'studies with images and series descriptions but no train.csv row and no points',
} as const;
export type MessyCase = keyof typeof MESSY_CASES;
export const MESSY_CASE_NAMES = Object.keys(MESSY_CASES) as MessyCase[];

/** The cases that concern images and series only: the ones a held-out (unlabelled) study can have. */
const SERIES_CASES: readonly MessyCase[] = ['several-series', 'missing-series', 'instance-numbers', 'geometry'];

export interface MessyOptions {
  cases: 'all' | MessyCase[];
  /** Share of studies each case touches; every requested case touches at least one study. */
  rate: number;
}

export const DEFAULT_MESSY_RATE = 0.2;

export function messyCaseList(cases: MessyOptions['cases']): MessyCase[] {
  return (cases === 'all' ? [...MESSY_CASE_NAMES] : [...new Set(cases)]).sort();
}

/** Parses `all` or a comma-separated list of case names; throws naming the unknown one. */
export function parseMessyCases(text: string): MessyOptions['cases'] {
  if (text.trim() === 'all') return 'all';
  const names = text.split(',').map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) throw new Error(`no messy case named; expected 'all' or a comma-separated list of ${MESSY_CASE_NAMES.join(', ')}`);
  for (const name of names) {
    if (!(name in MESSY_CASES)) {
      throw new Error(`unknown messy case '${name}'; expected 'all' or a comma-separated list of ${MESSY_CASE_NAMES.join(', ')}`);
    }
  }
  return names as MessyCase[];
}

export function checkMessyOptions(messy: MessyOptions, studies: number): void {
  if (!(messy.rate > 0 && messy.rate <= 1)) throw new Error(`the messy rate must be above 0 and at most 1, got ${messy.rate}`);
  const cases = messyCaseList(messy.cases);
  for (const name of cases) {
    if (!(name in MESSY_CASES)) throw new Error(`unknown messy case '${name}'; expected one of ${MESSY_CASE_NAMES.join(', ')}`);
  }
  if (cases.includes('unlabelled-studies') && studies < 2) {
    throw new Error("'unlabelled-studies' needs at least 2 studies, so that some keep their labels");
  }
}

/**
 * Which cases each study of a population ('train' or 'test') gets. Each study draws from its own stream, so a
 * study's cases do not depend on how many studies there are, except that a case nobody drew goes to the study
 * with the lowest draw (a requested case always appears) and unlabelled studies never take every study.
 */
export function assignMessyCases(
  seed: number,
  population: 'train' | 'test',
  studies: number,
  messy: MessyOptions | undefined,
): Set<MessyCase>[] {
  const assigned = Array.from({ length: studies }, () => new Set<MessyCase>());
  if (messy === undefined || studies === 0) return assigned;
  const requested = messyCaseList(messy.cases);
  const cases = population === 'train' ? requested : requested.filter((name) => SERIES_CASES.includes(name));
  for (const name of cases) {
    const draws = assigned.map((_, index) => mulberry32(deriveSeed(seed, 'messy', population, name, index))());
    const chosen = draws.map((draw) => draw < messy.rate);
    if (!chosen.includes(true)) chosen[draws.indexOf(Math.min(...draws))] = true;
    if (name === 'unlabelled-studies' && !chosen.includes(false)) chosen[draws.indexOf(Math.max(...draws))] = false;
    chosen.forEach((yes, index) => yes && assigned[index]!.add(name));
  }
  return assigned;
}

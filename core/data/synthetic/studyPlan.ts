// What one synthetic study holds before any pixel is drawn: its grades and phantom, its series with their
// geometry and instance numbers, which series carry the points, and the irregularities (messy.ts) it was given.
// The clean plan is drawn first from the study's own stream; irregularities come from a second stream, so a
// study without them is the same bytes whether or not other studies have them.
import { drawStudyGrades, type StudyGrades } from './grades';
import { LEVELS, type SeriesDescription } from '../lsdcVocabulary';
import { LumbarPhantom } from './phantom';
import { deriveSeed, integerBetween, mulberry32, uniform, type Random } from '../random';
import {
  axialSeries,
  planSagittal,
  sagittalSeries,
  type AxialLayout,
  type SagittalPlan,
  type SeriesGeometry,
} from './seriesGeometry';
import type { MessyCase } from './messy';

/** The order a study acquires (and numbers) its series; it fixes which random draw names which series. */
export const ACQUISITION_ORDER: readonly SeriesDescription[] = ['Sagittal T1', 'Sagittal T2/STIR', 'Axial T2'];

export interface PlannedSeries {
  id: string;
  geometry: SeriesGeometry;
  contrast: 'T1' | 'T2';
  /** InstanceNumber of each slice, in the order of geometry.slices; also the file name. */
  instanceNumbers: number[];
  /** False when train_series_descriptions.csv leaves the series out (its images are still written). */
  listed: boolean;
  /** Per level (L1/L2 .. L5/S1): whether the points of this series type at that level are marked on it. */
  carriesPoints: boolean[];
}

export interface StudyPlan {
  studyId: string;
  grades: StudyGrades;
  phantom: LumbarPhantom;
  series: PlannedSeries[];
  /** The study's stream, continued by the writer for dates and acquisition draws. */
  random: Random;
  /** False for a study without a train.csv row or points (held-out studies, 'unlabelled-studies'). */
  labelled: boolean;
  /** Graded cells left without a point, as `${condition}/${levelIndex}` ('missing-coordinates'). */
  droppedPoints: Set<string>;
  cases: Set<MessyCase>;
}

export interface PlanRequest {
  seed: number;
  /** 'train' studies are labelled; 'test' studies are held out, as the competition's test_images. */
  population: 'train' | 'test';
  index: number;
  studyId: string;
  /** One id per series of ACQUISITION_ORDER. */
  seriesIds: string[];
  cases: Set<MessyCase>;
  /** Draws a fresh unique id, for series beyond the usual three. */
  newId: () => string;
}

const ALL_LEVELS = LEVELS.map(() => true);

export function planStudy(request: PlanRequest): StudyPlan {
  const { seed, population, index, cases } = request;
  const random = mulberry32(deriveSeed(seed, population === 'train' ? 'study' : 'test-study', index));
  const grades = drawStudyGrades(random);
  const phantom = new LumbarPhantom(random, grades);
  const sagittal = planSagittal(random, phantom);
  const messy = mulberry32(deriveSeed(seed, 'messy-study', population, index));
  const varied = cases.has('geometry');
  const geometryFor = (description: SeriesDescription): SeriesGeometry =>
    description === 'Axial T2'
      ? axialSeries(random, phantom, varied ? variedAxialLayout(messy) : undefined)
      : sagittalSeries(description, varied ? variedSagittalPlan(messy, sagittal) : sagittal);
  let series: PlannedSeries[] = ACQUISITION_ORDER.map((description, i) => ({
    id: request.seriesIds[i]!,
    geometry: geometryFor(description),
    contrast: description === 'Sagittal T1' ? 'T1' : 'T2',
    instanceNumbers: [],
    listed: true,
    carriesPoints: [...ALL_LEVELS],
  }));

  let severalOf: SeriesDescription | undefined;
  if (cases.has('several-series')) {
    severalOf = ACQUISITION_ORDER[integerBetween(messy, 0, ACQUISITION_ORDER.length - 1)]!;
    series = series.flatMap((one) => (one.geometry.description === severalOf ? addSecondSeries(one, sagittal, messy, request.newId) : [one]));
  }
  if (cases.has('missing-series')) {
    const candidates = ACQUISITION_ORDER.filter((description) => description !== severalOf);
    const missing = candidates[integerBetween(messy, 0, candidates.length - 1)]!;
    series = series.filter((one) => one.geometry.description !== missing);
  }
  if (cases.has('unlisted-series')) {
    const carrying = series.filter((one) => one.carriesPoints.includes(true));
    carrying[integerBetween(messy, 0, carrying.length - 1)]!.listed = false;
  }
  for (const one of series) {
    one.instanceNumbers = cases.has('instance-numbers')
      ? irregularNumbers(messy, one.geometry.slices.length)
      : one.geometry.slices.map((_, i) => i + 1);
  }
  const droppedPoints = new Set<string>();
  if (cases.has('missing-coordinates')) {
    const graded = Object.entries(grades.labelled).flatMap(([condition, levels]) =>
      levels.flatMap((labelled, level) => (labelled ? [`${condition}/${level}`] : [])),
    );
    const count = Math.min(graded.length, integerBetween(messy, 1, 3));
    while (droppedPoints.size < count) droppedPoints.add(graded[integerBetween(messy, 0, graded.length - 1)]!);
  }
  return {
    studyId: request.studyId,
    grades,
    phantom,
    series,
    random,
    labelled: population === 'train' && !cases.has('unlabelled-studies'),
    droppedPoints,
    cases,
  };
}

/**
 * A second series of the same type. Axial: the stack is split into an upper series (L1/L2 to L3/L4) and a
 * lower one (L3/L4 to L5/S1) that share the L3/L4 slices, each carrying the points of its own levels.
 * Sagittal: a repeat acquisition, shifted a little as a patient moves between them, that carries the points.
 */
function addSecondSeries(original: PlannedSeries, sagittal: SagittalPlan, messy: Random, newId: () => string): PlannedSeries[] {
  const { geometry } = original;
  if (geometry.description === 'Axial T2') {
    const part = (from: number, to: number, carries: (level: number) => boolean, id: string): PlannedSeries => ({
      ...original,
      id,
      geometry: { ...geometry, slices: geometry.slices.filter((slice) => slice.level! >= from && slice.level! <= to) },
      carriesPoints: LEVELS.map((_, level) => carries(level)),
    });
    return [part(0, 2, (level) => level <= 2, original.id), part(2, 4, (level) => level > 2, newId())];
  }
  const shift = uniform(messy, -4, 4);
  const centre = [sagittal.centre[0] + shift, sagittal.centre[1], sagittal.centre[2]] as const;
  const repeat: SagittalPlan = {
    ...sagittal,
    size: geometry.rows,
    pixelSpacing: geometry.pixelSpacing,
    sliceCount: geometry.slices.length,
    centre,
  };
  return [
    { ...original, carriesPoints: LEVELS.map(() => false) },
    { ...original, id: newId(), geometry: sagittalSeries(geometry.description, repeat) },
  ];
}

/** Field of view 200-260 mm on a 256, 320 or 384 matrix, and 13 to 21 slices (both sides' foramina). */
function variedSagittalPlan(messy: Random, plan: SagittalPlan): SagittalPlan {
  const size = [256, 320, 384][integerBetween(messy, 0, 2)]!;
  return {
    ...plan,
    size,
    pixelSpacing: Number((uniform(messy, 200, 260) / size).toFixed(4)),
    sliceCount: integerBetween(messy, 13, 21),
  };
}

/** Field of view 150-200 mm on a 160, 192 or 256 matrix, and 2 to 5 slices per disc. */
function variedAxialLayout(messy: Random): AxialLayout {
  const size = [160, 192, 256][integerBetween(messy, 0, 2)]!;
  return {
    size,
    pixelSpacing: Number((uniform(messy, 150, 200) / size).toFixed(4)),
    slicesPerLevel: integerBetween(messy, 2, 5),
  };
}

/** Increasing numbers from 2-40 with at least one gap, as series renumbered or with discarded images have. */
function irregularNumbers(messy: Random, count: number): number[] {
  const forcedGap = integerBetween(messy, 1, Math.max(1, count - 1));
  const numbers = [integerBetween(messy, 2, 40)];
  for (let i = 1; i < count; i++) {
    const step = i === forcedGap ? integerBetween(messy, 2, 4) : messy() < 0.1 ? 2 : 1;
    numbers.push(numbers[i - 1]! + step);
  }
  return numbers;
}

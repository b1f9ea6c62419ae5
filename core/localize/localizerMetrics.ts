// How well levels are located: in-plane distance in mm (PixelSpacing: rows and columns may differ), slice error
// (slices between the predicted and the marked instance, in slice order), and the share of points a crop centred
// on the prediction would still contain (both in-plane offsets within half the crop side).
import type { Level } from '../data/lsdcVocabulary';

export interface LevelPosition {
  /** Index in the series' slices (slice-position order) and that slice's InstanceNumber. */
  slice: number;
  instanceNumber: number | null;
  x: number;
  y: number;
}

export interface PointError {
  studyId: string;
  level: Level;
  distanceMm: number;
  /** Slices between predicted and marked; null when the marked instance is not among the readable slices. */
  sliceError: number | null;
  withinHalfCrop: boolean;
}

export interface LocalizerScores {
  points: number;
  medianMm: number;
  p90Mm: number;
  meanMm: number;
  /** Mean absolute slice error, and the share of points on exactly the marked slice. */
  meanSliceError: number;
  exactSlice: number;
  withinHalfCrop: number;
}

/** Linear interpolation between order statistics (numpy.percentile's default). */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (q / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.min(sorted.length - 1, low + 1);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** One point's errors; `spacing` is PixelSpacing [row, column] in mm. */
export function pointError(
  truth: { x: number; y: number; slice: number },
  predicted: LevelPosition,
  spacing: [number, number],
  cropMm: number,
): Omit<PointError, 'studyId' | 'level'> {
  const dxMm = (predicted.x - truth.x) * spacing[1];
  const dyMm = (predicted.y - truth.y) * spacing[0];
  return {
    distanceMm: Math.hypot(dxMm, dyMm),
    sliceError: truth.slice < 0 ? null : Math.abs(predicted.slice - truth.slice),
    withinHalfCrop: Math.abs(dxMm) <= cropMm / 2 && Math.abs(dyMm) <= cropMm / 2,
  };
}

export function summarizeErrors(errors: readonly PointError[]): LocalizerScores {
  const distances = errors.map((e) => e.distanceMm);
  const slices = errors.map((e) => e.sliceError).filter((e): e is number => e !== null);
  const mean = (values: readonly number[]) =>
    values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;
  return {
    points: errors.length,
    medianMm: percentile(distances, 50),
    p90Mm: percentile(distances, 90),
    meanMm: mean(distances),
    meanSliceError: mean(slices),
    exactSlice: mean(slices.map((e) => (e === 0 ? 1 : 0))),
    withinHalfCrop: mean(errors.map((e) => (e.withinHalfCrop ? 1 : 0))),
  };
}

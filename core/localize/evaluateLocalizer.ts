// Scoring located levels against the marked points, for the model and for the trivial baseline it must beat:
// every level at its mean position (as a fraction of the slice square) over the training series.
import type { Level } from '../data/lsdcVocabulary';
import type { LocalizerExample } from './localizerData';
import { fromFraction, localizerRegion, toFraction } from './localizerInput';
import { pointError, type LevelPosition, type PointError } from './localizerMetrics';
import { levelPositions } from './trainLocalizer';

export interface LocatedExample {
  example: LocalizerExample;
  positions: LevelPosition[];
}

export function scoreLocated(
  located: readonly LocatedExample[],
  levels: readonly Level[],
  cropMm: number,
): PointError[] {
  const errors: PointError[] = [];
  for (const { example, positions } of located) {
    const spacing = example.image.meta.pixelSpacing ?? [1, 1];
    example.points.forEach((point, level) => {
      if (point === null) return;
      const truth = { x: point.x, y: point.y, slice: example.trueSlices[level]! };
      errors.push({
        studyId: example.studyId,
        level: levels[level]!,
        ...pointError(truth, positions[level]!, spacing, cropMm),
      });
    });
  }
  return errors;
}

/** Per level, the mean (u, v) of the marked points as fractions of the unframed slice square. */
export function meanFractions(examples: readonly LocalizerExample[], levels: number): [number, number][] {
  return Array.from({ length: levels }, (_, level) => {
    const fractions = examples
      .filter((example) => example.points[level] !== null)
      .map((example) => toFraction(localizerRegion(example.image), example.points[level]!.x, example.points[level]!.y));
    if (fractions.length === 0) return [0.5, 0.5];
    return [0, 1].map((axis) => fractions.reduce((sum, f) => sum + f[axis]!, 0) / fractions.length) as [number, number];
  });
}

/** The baseline's positions on an example: the mean fractions, the prior's slices. */
export function baselineLocated(
  example: LocalizerExample,
  means: readonly [number, number][],
  prior: readonly number[],
): LocatedExample {
  const region = localizerRegion(example.image);
  const inPlane = means.map(([u, v]) => {
    const [x, y] = fromFraction(region, u, v);
    return { x, y };
  });
  return { example, positions: levelPositions(example.series, inPlane, prior) };
}

// Localizer targets from train_label_coordinates.csv: per series of the condition's type, each level's marked
// point (instance, x, y), grouped from the dataset index's samples, and the series read from disk: its slices
// in order, the decoded middle slice, and where each marked instance lies along the stack.
import { dirname } from 'node:path';
import type { Sample } from '../data/datasetIndex';
import type { Level } from '../data/lsdcVocabulary';
import { readDicomFile, type DicomImage } from '../dicom';
import { readSeriesSlices, sliceOfInstance, type SeriesSlices, type UnreadableFile } from './seriesSlices';

export interface LevelPoint {
  instanceNumber: number;
  x: number;
  y: number;
}

/** One series with the points marked on it, one entry per localised level (null where a level has none). */
export interface SeriesTarget {
  studyId: string;
  seriesId: string;
  folder: string;
  points: (LevelPoint | null)[];
}

/** A series ready for training or evaluation. */
export interface LocalizerExample extends SeriesTarget {
  series: SeriesSlices;
  /** The decoded middle slice (series.slices[series.middle]). */
  image: DicomImage;
  /** Per level: the marked instance's index in series.slices, or -1 when it has no point or the file is unreadable. */
  trueSlices: number[];
}

/** Groups a condition's samples by the series they are marked on; a study's points on one series make one target. */
export function seriesTargets(samples: readonly Sample[], levels: readonly Level[]): SeriesTarget[] {
  const bySeries = new Map<string, SeriesTarget>();
  for (const sample of samples) {
    const key = `${sample.studyId}/${sample.seriesId}`;
    let target = bySeries.get(key);
    if (target === undefined) {
      target = {
        studyId: sample.studyId,
        seriesId: sample.seriesId,
        folder: dirname(sample.file),
        points: levels.map(() => null),
      };
      bySeries.set(key, target);
    }
    const level = levels.indexOf(sample.level);
    if (level >= 0) target.points[level] = { instanceNumber: sample.instanceNumber, x: sample.x, y: sample.y };
  }
  return [...bySeries.values()];
}

/** Reads each target's series; a series with no readable slice is returned among `unusable` with the reason. */
export async function loadExamples(
  targets: readonly SeriesTarget[],
  onProgress: (done: number, total: number) => void = () => {},
): Promise<{
  examples: LocalizerExample[];
  unusable: { target: SeriesTarget; reason: string }[];
  unreadable: UnreadableFile[];
}> {
  const examples: LocalizerExample[] = [];
  const unusable: { target: SeriesTarget; reason: string }[] = [];
  const unreadable: UnreadableFile[] = [];
  for (const [index, target] of targets.entries()) {
    onProgress(index, targets.length);
    try {
      const series = await readSeriesSlices(target.folder);
      unreadable.push(...series.unreadable);
      if (series.slices.length === 0) throw new Error(`no readable DICOM file in ${target.folder}`);
      const image = await readDicomFile(series.slices[series.middle]!.file);
      const trueSlices = target.points.map((point) =>
        point === null ? -1 : sliceOfInstance(series, point.instanceNumber),
      );
      examples.push({ ...target, series, image, trueSlices });
    } catch (error) {
      unusable.push({ target, reason: (error as Error).message });
    }
  }
  onProgress(targets.length, targets.length);
  return { examples, unusable, unreadable };
}

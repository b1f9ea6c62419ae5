// Grading studies that have only images: for each study, every localizer run places its levels on the study's
// series of its type; each grading run then crops at the positions its condition's localizer found (the same
// crop code training used) and grades them. A level that cannot be graded from an image — no series of the
// needed type, no localizer for the condition, an unreadable slice — gets the grading run's training prior and
// a warning saying why; nothing stops the other studies.
import { CONDITIONS, LEVELS, levelColumnSuffix, type Condition, type Level } from '../data/lsdcVocabulary';
import { buildSampleInput } from '../data/sampleInput';
import { SeriesImages } from '../data/seriesImages';
import { readDicomFile, type DicomImage } from '../dicom';
import type { LevelPosition } from '../localize/localizerMetrics';
import { readSeriesSlices, type SeriesSlices, type UnreadableFile } from '../localize/seriesSlices';
import { locateLevels } from '../localize/trainLocalizer';
import { prepareBatch } from '../train/augment';
import * as tf from '@tensorflow/tfjs-core';
import type { StudyFolder } from './studyFolders';
import type { TrainedClassifier, TrainedLocalizer, TrainedRun } from './trainedRuns';

export interface PredictionRow {
  /** `<study>_<condition>_<level suffix>`, the competition's row_id. */
  rowId: string;
  studyId: string;
  condition: Condition;
  level: Level;
  /** Normal/Mild, Moderate, Severe; they sum to 1. */
  probabilities: number[];
  from: 'model' | 'prior';
}

/** Where a localizer put a level: the file of the chosen slice and the pixel in it. */
export interface LocatedLevel {
  studyId: string;
  condition: Condition;
  level: Level;
  seriesId: string;
  file: string;
  instanceNumber: number | null;
  x: number;
  y: number;
}

export interface PredictOutcome {
  rows: PredictionRow[];
  located: LocatedLevel[];
  warnings: string[];
  unreadable: UnreadableFile[];
}

interface StudyLocation {
  seriesId: string;
  series: SeriesSlices;
  levels: readonly Level[];
  positions: LevelPosition[];
}

/** The readable slice nearest the middle, decoded; unreadable ones on the way are listed. */
async function decodeMiddle(series: SeriesSlices, unreadable: UnreadableFile[]): Promise<DicomImage | undefined> {
  const order = series.slices
    .map((_, i) => i)
    .sort((a, b) => Math.abs(a - series.middle) - Math.abs(b - series.middle));
  for (const index of order) {
    const file = series.slices[index]!.file;
    try {
      return await readDicomFile(file);
    } catch (error) {
      unreadable.push({ file, error: (error as Error).message });
    }
  }
  return undefined;
}

function splitRuns(runs: readonly TrainedRun[]) {
  const localizers = new Map<Condition, TrainedLocalizer>();
  const classifiers = new Map<Condition, TrainedClassifier>();
  for (const run of runs) {
    const condition = run.kind === 'localizer' ? run.description.condition : run.run.data.condition;
    const table: Map<Condition, TrainedRun> = run.kind === 'localizer' ? localizers : classifiers;
    const other = table.get(condition);
    if (other !== undefined)
      throw new Error(`${other.dir} and ${run.dir} are both ${run.kind} runs for ${condition}: give one of them`);
    table.set(condition, run);
  }
  if (classifiers.size === 0)
    throw new Error('no grading run was given: predict needs at least one run with model.task classifier');
  return { localizers, classifiers };
}

export async function predictStudies(
  runs: readonly TrainedRun[],
  studies: readonly StudyFolder[],
  onStudy: (done: number, total: number) => void = () => {},
): Promise<PredictOutcome> {
  const { localizers, classifiers } = splitRuns(runs);
  const outcome: PredictOutcome = { rows: [], located: [], warnings: [], unreadable: [] };
  for (const condition of classifiers.keys()) {
    if (!localizers.has(condition))
      outcome.warnings.push(`no localizer run for ${condition}: all its rows get the training prior`);
  }
  const images = new SeriesImages();
  for (const [done, study] of studies.entries()) {
    onStudy(done, studies.length);
    const locations = new Map<Condition, StudyLocation>();
    for (const [condition, localizer] of localizers) {
      if (!classifiers.has(condition)) continue;
      const type = localizer.description.seriesDescription;
      const found = study.series.find((series) => series.description === type);
      if (found === undefined) {
        outcome.warnings.push(
          `study ${study.studyId} has no ${type} series: its ${condition} rows get the training prior`,
        );
        continue;
      }
      const series = await readSeriesSlices(found.folder);
      outcome.unreadable.push(...series.unreadable);
      const middle = await decodeMiddle(series, outcome.unreadable);
      if (middle === undefined) {
        outcome.warnings.push(
          `study ${study.studyId}: no readable image in ${found.folder}: its ${condition} rows get the training prior`,
        );
        continue;
      }
      const { input, normalize, slicePrior, refine } = localizer.description;
      const settings = { input, normalize, batchSize: 5, seed: 0, reframe: { shift: 0, scale: 0 }, refine };
      const stages = { coarse: localizer.model, refiner: localizer.refiner };
      const { refined } = await locateLevels(stages, [{ series, image: middle }], settings, slicePrior);
      const positions = refined[0]!;
      locations.set(condition, { seriesId: found.seriesId, series, levels: localizer.description.levels, positions });
      positions.forEach((position, i) =>
        outcome.located.push({
          studyId: study.studyId,
          condition,
          level: localizer.description.levels[i]!,
          seriesId: found.seriesId,
          file: series.slices[position.slice]!.file,
          instanceNumber: position.instanceNumber,
          x: position.x,
          y: position.y,
        }),
      );
    }
    for (const condition of CONDITIONS) {
      const classifier = classifiers.get(condition);
      if (classifier !== undefined)
        outcome.rows.push(...(await gradeStudy(study.studyId, classifier, locations.get(condition), images, outcome)));
    }
  }
  onStudy(studies.length, studies.length);
  return outcome;
}

async function gradeStudy(
  studyId: string,
  classifier: TrainedClassifier,
  location: StudyLocation | undefined,
  images: SeriesImages,
  outcome: PredictOutcome,
): Promise<PredictionRow[]> {
  const { condition, levels, input } = classifier.run.data;
  const row = (level: Level, probabilities: number[], from: PredictionRow['from']): PredictionRow => ({
    rowId: `${studyId}_${condition}_${levelColumnSuffix(level)}`,
    studyId,
    condition,
    level,
    probabilities,
    from,
  });
  const rows = levels.map((level) => row(level, classifier.prior, 'prior'));
  if (location === undefined) return rows;
  const graded: { index: number; input: Uint8Array }[] = [];
  for (const [index, level] of levels.entries()) {
    const at = location.levels.indexOf(level);
    if (at < 0) {
      outcome.warnings.push(
        `study ${studyId}: the ${condition} localizer does not place ${level}: that row gets the training prior`,
      );
      continue;
    }
    const position = location.positions[at]!;
    const file = location.series.slices[position.slice]!.file;
    try {
      graded.push({ index, input: await buildSampleInput({ file, x: position.x, y: position.y }, input, images) });
    } catch (error) {
      outcome.unreadable.push({ file, error: (error as Error).message });
      outcome.warnings.push(
        `study ${studyId} ${condition} ${level}: the crop cannot be made: that row gets the training prior`,
      );
    }
  }
  if (graded.length === 0) return rows;
  const bytes = graded[0]!.input.length;
  const pixels = new Uint8Array(graded.length * bytes);
  graded.forEach(({ input: crop }, i) => pixels.set(crop, i * bytes));
  const channels = bytes / (input.size * input.size);
  const probabilities = tf.tidy(() => {
    const batch = prepareBatch(pixels, [graded.length, input.size, input.size, channels], {
      normalize: classifier.run.train.normalize,
    });
    const levelIndices = tf.tensor1d(
      graded.map(({ index }) => LEVELS.indexOf(levels[index]!)),
      'int32',
    );
    return tf.softmax(classifier.model.forward(batch, levelIndices, false));
  });
  const values = (await probabilities.array()) as number[][];
  probabilities.dispose();
  graded.forEach(({ index }, i) => {
    rows[index] = row(levels[index]!, values[i]!, 'model');
  });
  return rows;
}

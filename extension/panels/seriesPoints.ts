// The points the DICOM viewer draws on a series: the dataset's labelled levels when the series lies in an RSNA
// layout (<root>/train_images/<study>/<series>/, with train_label_coordinates.csv in <root>), and the levels the
// last Predict Study located on it with their grade probabilities. No `vscode` import: tested on files alone.
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { readCoordinatesCsv, readTrainCsv } from '../../core/data/datasetTables';
import {
  COORDINATES_CSV,
  DATASET_IMAGES_FOLDER,
  GRADES,
  TRAIN_CSV,
  gradeColumn,
  type Condition,
} from '../../core/data/lsdcVocabulary';
import { GRADE_COLOURS, UNGRADED_COLOUR } from '../../core/data/preview';
import { readPositions } from '../../core/predict/positionsFile';
import { readSubmission } from '../../core/predict/submission';
import type { SeriesPoints, SlicePoint } from '../../webview/contract';
import type { PredictionFiles } from './predictionFiles';

/** The readable name of a condition, e.g. 'spinal canal stenosis'. */
function conditionName(condition: Condition): string {
  return condition.replace(/_/g, ' ');
}

/** The dataset a series folder lies in: <root>/train_images/<study>/<series>, with the label file in <root>. */
function labelledDatasetOf(seriesFolder: string): { root: string; studyId: string; seriesId: string } | undefined {
  const studyFolder = dirname(seriesFolder);
  const images = dirname(studyFolder);
  const root = dirname(images);
  if (basename(images) !== DATASET_IMAGES_FOLDER || !existsSync(join(root, COORDINATES_CSV))) return undefined;
  return { root, studyId: basename(studyFolder), seriesId: basename(seriesFolder) };
}

async function labelledPoints(seriesFolder: string): Promise<{ points: SlicePoint[]; source: string } | undefined> {
  const dataset = labelledDatasetOf(seriesFolder);
  if (dataset === undefined) return undefined;
  const { root, studyId, seriesId } = dataset;
  const coordinates = await readCoordinatesCsv(root);
  const grades = existsSync(join(root, TRAIN_CSV))
    ? (await readTrainCsv(root)).find((row) => row.studyId === studyId)?.grades
    : undefined;
  const points = coordinates
    .filter((row) => row.studyId === studyId && row.seriesId === seriesId)
    .map((row) => {
      const grade = grades?.get(gradeColumn(row.condition, row.level));
      return {
        instanceNumber: row.instanceNumber,
        x: row.x,
        y: row.y,
        label: `${row.level} ${conditionName(row.condition)}${grade === undefined ? '' : ` · ${grade}`}`,
        colour: grade === undefined ? UNGRADED_COLOUR : GRADE_COLOURS[grade],
      };
    });
  return { points, source: join(root, COORDINATES_CSV) };
}

/** "N 0.71 · M 0.22 · S 0.07": each grade's initial and probability. */
function probabilityText(probabilities: readonly number[]): string {
  return GRADES.map((grade, i) => `${grade[0]} ${probabilities[i]!.toFixed(2)}`).join(' · ');
}

function predictedPoints(seriesFolder: string, files: PredictionFiles): SlicePoint[] {
  const folder = resolve(seriesFolder);
  const onSeries = readPositions(files.positions).filter(
    (position) => position.instanceNumber !== null && dirname(resolve(position.file)) === folder,
  );
  const probabilities = readSubmission(files.submission);
  // The condition is named only where the series carries more than one (left and right on a sagittal T1).
  const several = new Set(onSeries.map((position) => position.condition)).size > 1;
  return onSeries.map((position) => {
    const graded = probabilities.get(position.rowId);
    if (graded === undefined)
      throw new Error(`${files.submission} has no row ${position.rowId}, which ${files.positions} locates`);
    const best = graded.indexOf(Math.max(...graded));
    return {
      instanceNumber: position.instanceNumber!,
      x: position.x,
      y: position.y,
      label: `${position.level}${several ? ` ${conditionName(position.condition)}` : ''}  ${probabilityText(graded)}`,
      colour: GRADE_COLOURS[GRADES[best]!],
    };
  });
}

/**
 * The points of the series in `seriesFolder`. A label or prediction file that cannot be read leaves its points
 * out and says why in `problems`, so the image still shows.
 */
export async function seriesPoints(
  seriesFolder: string,
  prediction: PredictionFiles | undefined,
): Promise<SeriesPoints> {
  const result: SeriesPoints = { labelled: [], predicted: [], labelSource: null, predictionSource: null, problems: [] };
  try {
    const labelled = await labelledPoints(seriesFolder);
    if (labelled !== undefined) {
      result.labelled = labelled.points;
      result.labelSource = labelled.source;
    }
  } catch (error) {
    result.problems.push(`labels not shown: ${(error as Error).message}`);
  }
  if (prediction !== undefined && existsSync(prediction.positions)) {
    try {
      result.predicted = predictedPoints(seriesFolder, prediction);
      result.predictionSource = prediction.positions;
    } catch (error) {
      result.problems.push(`predictions not shown: ${(error as Error).message}`);
    }
  }
  return result;
}

// The saliency map of one test prediction of a grading run, rebuilt from its run folder: the best checkpoint
// (trained_models/model.safetensors), the row in results/predictions.csv, and the crop the model saw, made again
// from the run's dataset by the code path evaluation took: the stored input settings (storedInputSettings), the
// sample's input built by buildSampleInput as the sample cache does, and prepareBatch's centre crop and
// normalisation as predict() applies them. The probabilities computed here are returned beside the recorded ones,
// so a changed dataset shows as a difference instead of a map of the wrong image.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parse as parseCsv } from 'csv-parse/sync';
import { indexTables, SKIP_REASONS } from '../data/datasetIndex';
import { readDatasetTables } from '../data/datasetTables';
import { GRADES, LEVELS, type Level } from '../data/lsdcVocabulary';
import { buildSampleInput, inputChannels, storedSide } from '../data/sampleInput';
import { SeriesImages } from '../data/seriesImages';
import { RESULT_FILES, rowId as rowIdOf } from '../metrics/predictionsCsv';
import { loadTrainedRun } from '../predict/trainedRuns';
import { runPaths } from '../run/runFolder';
import { storedInputSettings } from '../run/storedInputs';
import { prepareBatch } from '../train/augment';
import { explainImage } from './explainModel';
import type { GradCamStep } from './gradCam';
import type { SaliencyMap } from './saliencyMap';

/** A row of results/predictions.csv. */
export interface RecordedPrediction {
  rowId: string;
  trueLabel: string;
  predictedLabel: string;
  probabilities: number[];
}

export interface PredictionExplanation {
  /** The run folder the checkpoint and predictions came from. */
  runFolder: string;
  backbone: string;
  condition: string;
  level: Level;
  /** The labelled DICOM instance the crop was cut from. */
  file: string;
  recorded: RecordedPrediction;
  saliency: SaliencyMap;
  /** The crop the model saw, side x side grey values (the labelled slice's channel), row-major. */
  crop: { side: number; grey: Uint8Array };
}

const PROBABILITY_COLUMNS = ['prob_normal_mild', 'prob_moderate', 'prob_severe'] as const;

/** The row `rowId` of a run's predictions.csv, or an error naming the file and what it holds. */
function recordedPrediction(runFolder: string, rowId: string): RecordedPrediction {
  const file = join(runPaths(runFolder, '').results, RESULT_FILES.predictions);
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: the run has no test predictions to explain (did it complete?)`);
  }
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
  const row = rows.find((candidate) => candidate.row_id === rowId);
  if (row === undefined) {
    const example = rows.length > 0 ? `, e.g. ${rows[0]!.row_id}` : '';
    throw new Error(
      `row id '${rowId}' is not in ${file} (${rows.length} rows${example}); give a row_id from its first column`,
    );
  }
  return {
    rowId,
    trueLabel: row.true_label ?? '',
    predictedLabel: row.predicted_label ?? '',
    probabilities: PROBABILITY_COLUMNS.map((column) => Number(row[column])),
  };
}

/**
 * The saliency map of the prediction `rowId` of the grading run in `runFolder` (a run folder, or an experiment's
 * output folder for its newest completed run), for `grade` (index into GRADES; default: the predicted grade), with
 * Grad-CAM on `step` (see gradCam.ts).
 */
export async function explainPrediction(
  runFolder: string,
  rowId: string,
  grade?: number,
  step: GradCamStep = 'auto',
): Promise<PredictionExplanation> {
  const trained = await loadTrainedRun(runFolder);
  if (trained.kind !== 'classifier') {
    throw new Error(`${trained.dir} is a localizer run: it places levels and has no grades to explain`);
  }
  try {
    const recorded = recordedPrediction(trained.dir, rowId);
    const { run, model } = trained;
    const index = indexTables(await readDatasetTables(run.data.root), {
      condition: run.data.condition,
      levels: run.data.levels,
      series: run.data.series,
    });
    const sample = index.samples.find((candidate) => candidate.id === rowId);
    if (sample === undefined) {
      const skipped = index.skipped.find((s) => rowIdOf(s.studyId, run.data.condition, s.level) === rowId);
      const why = skipped ? `: ${SKIP_REASONS[skipped.reason]} (${skipped.detail})` : '';
      throw new Error(`the run's dataset ${run.data.root} no longer has a sample for ${rowId}${why}`);
    }
    const settings = storedInputSettings(run);
    const side = storedSide(settings);
    const channels = inputChannels(settings);
    const pixels = await buildSampleInput(sample, settings, new SeriesImages());
    const shape: [number, number, number, number] = [1, side, side, channels];
    const image = prepareBatch(pixels, shape, { normalize: run.train.normalize, outputSize: settings.size });
    const seen = prepareBatch(pixels, shape, { normalize: 'none', outputSize: settings.size });
    try {
      const saliency = explainImage(model, image, LEVELS.indexOf(sample.level), grade, step);
      // For 2.5D the middle channel is the labelled slice; for one slice all three channels are that slice.
      const middle = tf.tidy(() => tf.slice(seen, [0, 0, 0, Math.floor(channels / 2)], [1, -1, -1, 1]).dataSync());
      const grey = Uint8Array.from(middle, (value) => Math.round(value * 255));
      return {
        runFolder: trained.dir,
        backbone: model.backbone.name,
        condition: run.data.condition,
        level: sample.level,
        file: sample.file,
        recorded,
        saliency,
        crop: { side: settings.size, grey },
      };
    } finally {
      tf.dispose([image, seen]);
    }
  } finally {
    trained.model.dispose();
  }
}

/** A grade given by index (0, 1, 2) or name (Normal/Mild, Moderate, Severe; any case), as an index. */
export function gradeIndexOf(text: string): number {
  const byName = GRADES.findIndex((grade) => grade.toLowerCase() === text.toLowerCase());
  if (byName >= 0) return byName;
  const index = Number(text);
  if (text.trim() !== '' && Number.isInteger(index) && index >= 0 && index < GRADES.length) return index;
  throw new RangeError(
    `'${text}' is not a grade: give 0 to ${GRADES.length - 1} or one of ${GRADES.map((g) => `'${g}'`).join(', ')}`,
  );
}

// The CSV files of a run's results/ folder:
// - predictions.csv: one row per graded level, with the model's three probabilities
//     row_id,true_label,predicted_label,prob_normal_mild,prob_moderate,prob_severe
//   labels spelled as in train.csv (Normal/Mild, Moderate, Severe);
// - submission.csv: the competition's format, row_id,normal_mild,moderate,severe;
// - confusion matrix CSVs (counts and row-normalised), rows = true grade, columns = predicted grade.
// row_id is the competition's `<study_id>_<condition>_<level>`, the level lowercased with '/' → '_', e.g.
// 4003253_spinal_canal_stenosis_l1_l2. Numbers are written in full (JavaScript's shortest round-trip form).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GRADES, LEVELS, gradeColumn, type Condition, type Level } from '../data/lsdcVocabulary';
import { CLASS_COUNT, argmaxRows, checkPredictions } from './classification';
import type { GradedSample } from './rsnaLogLoss';

export const PREDICTION_COLUMNS = [
  'row_id',
  'true_label',
  'predicted_label',
  'prob_normal_mild',
  'prob_moderate',
  'prob_severe',
] as const;
export const SUBMISSION_COLUMNS = ['row_id', 'normal_mild', 'moderate', 'severe'] as const;

/** The competition's row id for a study's condition at a level. */
export function rowId(studyId: string, condition: Condition, level: string): string {
  if (!(LEVELS as readonly string[]).includes(level)) {
    throw new Error(`row id: level "${level}" of study ${studyId} is not one of ${LEVELS.join(', ')}`);
  }
  return `${studyId}_${gradeColumn(condition, level as Level)}`;
}

/** RFC 4180 quoting, needed only when a field holds a comma, quote or line break. */
function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function toCsv(header: readonly string[], rows: (string | number)[][]): string {
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\n') + '\n';
}

function checkSamples(samples: readonly GradedSample[]): void {
  checkPredictions(
    samples.map((s) => s.trueLabel),
    samples.map((s) => s.probabilities),
  );
}

export function predictionsCsv(condition: Condition, samples: readonly GradedSample[]): string {
  checkSamples(samples);
  const predicted = argmaxRows(samples.map((s) => s.probabilities));
  return toCsv(
    PREDICTION_COLUMNS,
    samples.map((sample, i) => [
      rowId(sample.studyId, condition, sample.level),
      GRADES[sample.trueLabel]!,
      GRADES[predicted[i]!]!,
      ...Array.from({ length: CLASS_COUNT }, (_, k) => sample.probabilities[k]!),
    ]),
  );
}

export function submissionCsv(condition: Condition, samples: readonly GradedSample[]): string {
  checkSamples(samples);
  return toCsv(
    SUBMISSION_COLUMNS,
    samples.map((sample) => [
      rowId(sample.studyId, condition, sample.level),
      ...Array.from({ length: CLASS_COUNT }, (_, k) => sample.probabilities[k]!),
    ]),
  );
}

/** A 3×3 matrix as CSV: first column the true grade, then one column per predicted grade. */
export function confusionMatrixCsv(matrix: number[][]): string {
  if (matrix.length !== CLASS_COUNT || matrix.some((row) => row.length !== CLASS_COUNT)) {
    throw new Error(`confusion matrix CSV: expected a ${CLASS_COUNT}×${CLASS_COUNT} matrix`);
  }
  return toCsv(
    ['true_label', ...GRADES.map((grade) => `predicted_${grade}`)],
    matrix.map((row, t) => [GRADES[t]!, ...row]),
  );
}

export const RESULT_FILES = {
  predictions: 'predictions.csv',
  submission: 'submission.csv',
  confusionCounts: 'confusion_matrix.csv',
  confusionNormalised: 'confusion_matrix_normalized.csv',
} as const;

/** Writes the four CSV files into `resultsFolder` (created if needed); returns their paths. */
export function writeResultCsvs(
  resultsFolder: string,
  condition: Condition,
  samples: readonly GradedSample[],
  confusion: { counts: number[][]; normalised: number[][] },
): Record<keyof typeof RESULT_FILES, string> {
  mkdirSync(resultsFolder, { recursive: true });
  const contents: Record<keyof typeof RESULT_FILES, string> = {
    predictions: predictionsCsv(condition, samples),
    submission: submissionCsv(condition, samples),
    confusionCounts: confusionMatrixCsv(confusion.counts),
    confusionNormalised: confusionMatrixCsv(confusion.normalised),
  };
  const paths = {} as Record<keyof typeof RESULT_FILES, string>;
  for (const key of Object.keys(RESULT_FILES) as (keyof typeof RESULT_FILES)[]) {
    paths[key] = join(resultsFolder, RESULT_FILES[key]);
    writeFileSync(paths[key], contents[key]);
  }
  return paths;
}

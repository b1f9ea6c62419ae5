// submission.csv in the competition's format, and the score of predicted rows against a train.csv-shaped labels
// file: each covered condition's term, and the full competition score when all five conditions are predicted.
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { readTrainCsv } from '../data/datasetTables';
import { CONDITIONS, GRADES, gradeColumn, type Condition } from '../data/lsdcVocabulary';
import {
  rsnaCompetitionScore,
  rsnaConditionScore,
  type CompetitionScore,
  type ConditionGradedSample,
  type RsnaScore,
} from '../metrics/rsnaLogLoss';
import type { PredictionRow } from './predictStudies';

export const SUBMISSION_COLUMNS = ['row_id', 'normal_mild', 'moderate', 'severe'] as const;

export function writeSubmission(path: string, rows: readonly PredictionRow[]): void {
  writeFileSync(
    path,
    stringify(
      rows.map((row) => [row.rowId, ...row.probabilities]),
      { header: true, columns: [...SUBMISSION_COLUMNS] },
    ),
  );
}

/** A submission's probabilities by row_id; a row whose probabilities are not numbers is an error naming its line. */
export function readSubmission(path: string): Map<string, number[]> {
  const records = parse(readFileSync(path, 'utf8'), { columns: true, info: true, skip_empty_lines: true }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  const rows = new Map<string, number[]>();
  for (const { record, info } of records) {
    const probabilities = SUBMISSION_COLUMNS.slice(1).map((column) => Number(record[column]));
    if (record.row_id === undefined || probabilities.some((p) => !Number.isFinite(p)))
      throw new Error(`${path} line ${info.lines}: expected ${SUBMISSION_COLUMNS.join(',')} with numbers`);
    rows.set(record.row_id, probabilities);
  }
  return rows;
}

export interface PredictionScore {
  /** Rows with a label in the labels file, and rows without one (not scored). */
  scored: number;
  unlabelled: number;
  conditions: Partial<Record<Condition, RsnaScore>>;
  /** Present when every condition was predicted. */
  competition?: CompetitionScore;
}

export async function scorePredictions(rows: readonly PredictionRow[], labelsFile: string): Promise<PredictionScore> {
  const labels = new Map(
    (await readTrainCsv(dirname(labelsFile), basename(labelsFile))).map((row) => [row.studyId, row.grades]),
  );
  const samples: ConditionGradedSample[] = [];
  for (const row of rows) {
    const grade = labels.get(row.studyId)?.get(gradeColumn(row.condition, row.level));
    if (grade === undefined) continue;
    samples.push({
      studyId: row.studyId,
      condition: row.condition,
      level: row.level,
      trueLabel: GRADES.indexOf(grade),
      probabilities: row.probabilities,
    });
  }
  if (samples.length === 0)
    throw new Error(`${labelsFile} grades none of the predicted rows: are these the labels of these studies?`);
  const conditions: PredictionScore['conditions'] = {};
  for (const condition of CONDITIONS) {
    const ofCondition = samples.filter((sample) => sample.condition === condition);
    if (ofCondition.length > 0) conditions[condition] = rsnaConditionScore(condition, ofCondition);
  }
  const covered = new Set(samples.map((sample) => sample.condition));
  return {
    scored: samples.length,
    unlabelled: rows.length - samples.length,
    conditions,
    ...(covered.size === CONDITIONS.length ? { competition: rsnaCompetitionScore(samples) } : {}),
  };
}

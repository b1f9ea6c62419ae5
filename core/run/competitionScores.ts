// competition_score.csv: the RSNA 2024 LSDC score of a sweep that graded every condition, written beside the
// run folders. For each backbone (and test fold), the five condition runs' test predictions (results/
// predictions.csv) are scored together as the competition scores a submission: the score and its four terms.
// All five runs test on the same studies because the split belongs to the dataset (core/data/splits.ts).
// Under cross-validation each backbone also gets a `mean` and a `std` row over its folds.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { CONDITIONS, GRADES, type Condition, type Grade } from '../data/lsdcVocabulary';
import { RESULT_FILES } from '../metrics/predictionsCsv';
import { rsnaCompetitionScore, type CompetitionScore, type ConditionGradedSample } from '../metrics/rsnaLogLoss';
import { cell, groupBy, meanAndStd, type SweepMember } from './sweepSummary';

export const COMPETITION_FILE = 'competition_score.csv';

const TERMS = [
  ['score', 'score'],
  ['spinal_canal', 'spinalCanal'],
  ['neural_foraminal', 'neuralForaminal'],
  ['subarticular', 'subarticular'],
  ['any_severe_spinal', 'anySevereSpinal'],
] as const satisfies readonly (readonly [string, keyof CompetitionScore])[];

/** One run's test predictions, read back from its predictions.csv. */
export function readTestPredictions(runDir: string, condition: Condition): ConditionGradedSample[] {
  const file = join(runDir, 'results', RESULT_FILES.predictions);
  const records = parse(readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  return records.map((record, i) => {
    const line = i + 2;
    const rowId = record.row_id ?? '';
    const studyId = rowId.split('_')[0]!;
    const prefix = `${studyId}_${condition}_`;
    const trueLabel = GRADES.indexOf(record.true_label as Grade);
    const probabilities = [record.prob_normal_mild, record.prob_moderate, record.prob_severe].map(Number);
    if (!rowId.startsWith(prefix) || trueLabel < 0 || probabilities.some((p) => !Number.isFinite(p))) {
      throw new Error(
        `${file} line ${line}: expected a ${condition} row (row_id ${prefix}<level>, true_label one of ${GRADES.join(', ')}, three probabilities); the run folder may be damaged — rerun it`,
      );
    }
    return { studyId, condition, level: rowId.slice(prefix.length), trueLabel, probabilities };
  });
}

export interface CompetitionRow {
  backbone: string;
  fold: number | null;
  score: CompetitionScore;
}

/** The competition score of every backbone (and fold) whose five condition runs all completed. */
export function competitionScores(members: readonly SweepMember[]): CompetitionRow[] {
  const rows: CompetitionRow[] = [];
  for (const group of groupBy(members, (m) => `${m.backbone}\u0000${m.fold ?? ''}`)) {
    const completed = CONDITIONS.map((condition) =>
      group.find((m) => m.condition === condition && m.status === 'completed'),
    );
    if (completed.some((m) => m === undefined || !existsSync(join(m.runDir, 'results', RESULT_FILES.predictions))))
      continue;
    const samples = completed.flatMap((m) => readTestPredictions(m!.runDir, m!.condition as Condition));
    rows.push({ backbone: group[0]!.backbone, fold: group[0]!.fold ?? null, score: rsnaCompetitionScore(samples) });
  }
  return rows;
}

export function competitionScoresCsv(rows: readonly CompetitionRow[]): string {
  const folds = rows.some((row) => row.fold !== null);
  const header = ['backbone', ...(folds ? ['fold'] : []), ...TERMS.map(([name]) => name), 'studies', 'samples'];
  const lines = rows.map((row) => [
    row.backbone,
    ...(folds ? [String(row.fold)] : []),
    ...TERMS.map(([, key]) => cell(row.score[key])),
    String(row.score.studies),
    String(row.score.samples),
  ]);
  if (folds) {
    for (const group of groupBy(rows, (row) => row.backbone)) {
      const stats = TERMS.map(([, key]) => meanAndStd(group.map((row) => row.score[key])));
      lines.push([group[0]!.backbone, 'mean', ...stats.map((s) => cell(s.mean)), '', '']);
      lines.push([group[0]!.backbone, 'std', ...stats.map((s) => cell(s.std)), '', '']);
    }
  }
  return stringify([header, ...lines]);
}

/** Writes competition_score.csv when some backbone graded every condition; returns its path, or undefined. */
export function writeCompetitionScores(experimentFolder: string, members: readonly SweepMember[]): string | undefined {
  const rows = competitionScores(members);
  if (rows.length === 0) return undefined;
  const path = join(experimentFolder, COMPETITION_FILE);
  writeFileSync(path, competitionScoresCsv(rows));
  return path;
}

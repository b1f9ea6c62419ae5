// The validation predictions of every epoch, kept compactly in the run folder so the run panel can show the
// confusion matrix, per-grade metrics and the validation rows of any epoch, from disk alone:
//   results/val_predictions/rows.csv        row_id,true_label,level — one line per validation row, in the order
//                                           every epoch file uses (the validation split is fixed for a run)
//   results/val_predictions/epoch-NNN.f32   rows × 3 float32 little-endian: p(Normal/Mild), p(Moderate), p(Severe)
// An epoch costs rows × 12 bytes (a validation split of 10 000 rows: 120 kB an epoch, 6 MB for 50 epochs).
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { GRADES, type Condition, type Grade } from '../data/lsdcVocabulary';
import type { GradedSample } from '../metrics/rsnaLogLoss';
import { rowId } from '../metrics/predictionsCsv';

const VAL_PREDICTIONS_DIR = join('results', 'val_predictions');
const ROWS_FILE = 'rows.csv';
const BYTES_PER_ROW = 3 * Float32Array.BYTES_PER_ELEMENT;

export interface ValidationRow {
  rowId: string;
  trueLabel: Grade;
  level: string;
}

function epochFileName(epoch: number): string {
  return `epoch-${String(epoch).padStart(3, '0')}.f32`;
}

/** Writes one epoch's probabilities, and the row index the first time (a resumed run writes the same rows). */
export function writeEpochPredictions(
  runDir: string,
  condition: Condition,
  epoch: number,
  samples: readonly GradedSample[],
): string {
  const folder = join(runDir, VAL_PREDICTIONS_DIR);
  mkdirSync(folder, { recursive: true });
  const rowsPath = join(folder, ROWS_FILE);
  if (!existsSync(rowsPath)) {
    const lines = samples.map((s) => `${rowId(s.studyId, condition, s.level)},${GRADES[s.trueLabel]},${s.level}`);
    writeFileSync(rowsPath, ['row_id,true_label,level', ...lines].join('\n') + '\n');
  }
  const values = new Float32Array(samples.length * 3);
  samples.forEach((s, i) => {
    for (let grade = 0; grade < 3; grade++) values[i * 3 + grade] = s.probabilities[grade]!;
  });
  const path = join(folder, epochFileName(epoch));
  // Float32Array is in the machine's byte order; the format is little-endian, as every machine we run on is.
  writeFileSync(path, new Uint8Array(values.buffer));
  return path;
}

/** The epochs with stored validation predictions, ascending. */
export function storedEpochs(runDir: string): number[] {
  const folder = join(runDir, VAL_PREDICTIONS_DIR);
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .map((name) => /^epoch-(\d+)\.f32$/.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

export function readValidationRows(runDir: string): ValidationRow[] {
  const path = join(runDir, VAL_PREDICTIONS_DIR, ROWS_FILE);
  const records = parseCsv(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
    string,
    string
  >[];
  return records.map((record, i) => {
    if (!record.row_id || !(GRADES as readonly string[]).includes(record.true_label ?? '') || !record.level) {
      throw new Error(
        `${path} line ${i + 2}: expected row_id,true_label,level with a grade of ${GRADES.join('/')}; the run's validation predictions cannot be read`,
      );
    }
    return { rowId: record.row_id, trueLabel: record.true_label as Grade, level: record.level };
  });
}

/** One epoch's probabilities, a [p0, p1, p2] per row of rows.csv. */
export function readEpochProbabilities(runDir: string, epoch: number, rowCount: number): [number, number, number][] {
  const path = join(runDir, VAL_PREDICTIONS_DIR, epochFileName(epoch));
  const bytes = readFileSync(path);
  if (bytes.length !== rowCount * BYTES_PER_ROW) {
    throw new Error(
      `${path}: ${bytes.length} bytes, expected ${rowCount * BYTES_PER_ROW} (${rowCount} rows of ${ROWS_FILE} × 3 float32); the file is truncated or from another run`,
    );
  }
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
  return Array.from({ length: rowCount }, (_, i) => [values[i * 3]!, values[i * 3 + 1]!, values[i * 3 + 2]!]);
}

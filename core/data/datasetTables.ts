// The three CSV files of an RSNA LSDC dataset, read with csv-parse into typed rows. A malformed file is an
// error naming the file, the line and the column, because nothing downstream can be trusted from it; a merely
// missing label is not an error here (the index counts it as a skipped sample).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import {
  CONDITION_LABELS,
  CONDITIONS,
  COORDINATE_COLUMNS,
  COORDINATES_CSV,
  GRADES,
  LEVELS,
  SERIES_COLUMNS,
  SERIES_CSV,
  TEST_SERIES_CSV,
  TRAIN_COLUMNS,
  TRAIN_CSV,
  type Condition,
  type Grade,
  type Level,
} from './lsdcVocabulary';

export class DatasetCsvError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly column: string | undefined,
    problem: string,
  ) {
    const where = [line === undefined ? '' : `line ${line}`, column === undefined ? '' : `column '${column}'`].filter(Boolean);
    super(`${file}${where.length > 0 ? ` (${where.join(', ')})` : ''}: ${problem}`);
    this.name = 'DatasetCsvError';
  }
}

/** One train.csv row: the grade of every condition at every level, undefined where the cell is empty. */
export interface TrainRow {
  studyId: string;
  line: number;
  grades: Map<string, Grade | undefined>;
}

export interface CoordinateRow {
  studyId: string;
  seriesId: string;
  instanceNumber: number;
  condition: Condition;
  level: Level;
  x: number;
  y: number;
  line: number;
}

export interface SeriesRow {
  studyId: string;
  seriesId: string;
  description: string;
  line: number;
}

export interface DatasetTables {
  root: string;
  train: TrainRow[];
  coordinates: CoordinateRow[];
  series: SeriesRow[];
}

interface ParsedRecord {
  record: Record<string, string>;
  line: number;
}

const CONDITION_BY_LABEL = new Map<string, Condition>(CONDITIONS.map((condition) => [CONDITION_LABELS[condition], condition]));
const LEVEL_SET = new Set<string>(LEVELS);
const GRADE_SET = new Set<string>(GRADES);

async function readRecords(path: string, required: readonly string[]): Promise<ParsedRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DatasetCsvError(path, undefined, undefined, `cannot read the file (${(error as Error).message})`);
  }
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    const csvError = error as Error & { lines?: number };
    throw new DatasetCsvError(path, csvError.lines, undefined, `not valid CSV: ${csvError.message}`);
  }
  const header = rows.length > 0 ? Object.keys(rows[0]!.record) : (parse(text, { to_line: 1, bom: true }) as string[][])[0] ?? [];
  const missing = required.filter((column) => !header.includes(column));
  if (missing.length > 0) {
    throw new DatasetCsvError(path, 1, missing[0], `the header lacks ${missing.map((c) => `'${c}'`).join(', ')}; is this the competition's file?`);
  }
  return rows.map(({ record, info }) => ({ record, line: info.lines }));
}

function identifier(path: string, { record, line }: ParsedRecord, column: string): string {
  const value = record[column]!;
  if (!/^\d+$/.test(value)) throw new DatasetCsvError(path, line, column, `expected a numeric id, got '${value}'`);
  return value;
}

function finite(path: string, { record, line }: ParsedRecord, column: string, integer = false): number {
  const text = record[column]!;
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || (integer && !Number.isInteger(value))) {
    throw new DatasetCsvError(path, line, column, `expected ${integer ? 'a whole number' : 'a number'}, got '${text}'`);
  }
  return value;
}

function member<T extends string>(path: string, { record, line }: ParsedRecord, column: string, lookup: (value: string) => T | undefined, known: readonly string[]): T {
  const value = record[column]!;
  const found = lookup(value);
  if (found === undefined) {
    throw new DatasetCsvError(path, line, column, `unknown value '${value}'; expected one of ${known.map((k) => `'${k}'`).join(', ')}`);
  }
  return found;
}

/** `file` names another file of train.csv's shape in `root` (e.g. the labels of held-out studies). */
export async function readTrainCsv(root: string, file: string = TRAIN_CSV): Promise<TrainRow[]> {
  const path = join(root, file);
  const gradeColumns = TRAIN_COLUMNS.slice(1);
  return (await readRecords(path, TRAIN_COLUMNS)).map((parsed) => {
    const grades = new Map<string, Grade | undefined>();
    for (const column of gradeColumns) {
      const cell = parsed.record[column]!;
      if (cell !== '' && !GRADE_SET.has(cell)) {
        throw new DatasetCsvError(path, parsed.line, column, `unknown grade '${cell}'; expected ${GRADES.map((g) => `'${g}'`).join(', ')} or an empty cell`);
      }
      grades.set(column, cell === '' ? undefined : (cell as Grade));
    }
    return { studyId: identifier(path, parsed, 'study_id'), line: parsed.line, grades };
  });
}

export async function readCoordinatesCsv(root: string): Promise<CoordinateRow[]> {
  const path = join(root, COORDINATES_CSV);
  return (await readRecords(path, COORDINATE_COLUMNS)).map((parsed) => ({
    studyId: identifier(path, parsed, 'study_id'),
    seriesId: identifier(path, parsed, 'series_id'),
    instanceNumber: finite(path, parsed, 'instance_number', true),
    condition: member(path, parsed, 'condition', (v) => CONDITION_BY_LABEL.get(v), [...CONDITION_BY_LABEL.keys()]),
    level: member(path, parsed, 'level', (v) => (LEVEL_SET.has(v) ? (v as Level) : undefined), LEVELS),
    x: finite(path, parsed, 'x'),
    y: finite(path, parsed, 'y'),
    line: parsed.line,
  }));
}

/** `file` names another file of the same shape in `root`, e.g. test_series_descriptions.csv. */
export async function readSeriesCsv(root: string, file: string = SERIES_CSV): Promise<SeriesRow[]> {
  const path = join(root, file);
  return (await readRecords(path, SERIES_COLUMNS)).map((parsed) => ({
    studyId: identifier(path, parsed, 'study_id'),
    seriesId: identifier(path, parsed, 'series_id'),
    description: parsed.record.series_description!,
    line: parsed.line,
  }));
}

/** The held-out part's series (test_series_descriptions.csv), or undefined when the dataset has none. */
export async function readHeldOutSeries(root: string): Promise<SeriesRow[] | undefined> {
  if (!existsSync(join(root, TEST_SERIES_CSV))) return undefined;
  return readSeriesCsv(root, TEST_SERIES_CSV);
}

export async function readDatasetTables(root: string): Promise<DatasetTables> {
  const [train, coordinates, series] = await Promise.all([readTrainCsv(root), readCoordinatesCsv(root), readSeriesCsv(root)]);
  return { root, train, coordinates, series };
}

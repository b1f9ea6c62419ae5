// What the listed series of a dataset look like on disk: slice count and instance numbering from the folder
// listing, matrix and pixel spacing from one DICOM header per series. Real data varies in all of these, and model
// inputs cope by construction; the survey shows the spread and lists each series that is irregular.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readDicomMeta, type DicomMeta } from '../dicom';
import type { SeriesRow } from './datasetTables';
import { DATASET_IMAGES_FOLDER } from './lsdcVocabulary';

/** How inputs absorb differences in geometry between series; shown beside the spread. */
export const GEOMETRY_HANDLING =
  "crops are crop_mm millimetres measured with each image's PixelSpacing and resized to input.size; " +
  '2.5D neighbours are the nearest slices by position, the edge slice repeating past either end';

export const SERIES_NOTE_REASONS = {
  'instance-numbering':
    'instance numbers do not run 1..n: files are found by instance number, 2.5D neighbours by slice position',
  'no-images': 'the series is listed but its train_images folder holds no DICOM file',
  'unreadable-header': 'the first DICOM file of the series cannot be read; its samples fail when inputs are built',
} as const;
export type SeriesNoteReason = keyof typeof SERIES_NOTE_REASONS;

export interface SeriesNote {
  studyId: string;
  seriesId: string;
  reason: SeriesNoteReason;
  detail: string;
}

interface Range {
  min: number;
  max: number;
}

export interface SeriesTypeSpread {
  description: string;
  /** Series with images whose header could be read. */
  series: number;
  slices: Range;
  /** Null when no header gave a PixelSpacing. */
  pixelSpacingMm: Range | null;
  /** Distinct matrices, `columns x rows`, most common first. */
  matrices: string[];
}

export interface SeriesSurvey {
  byType: SeriesTypeSpread[];
  notes: SeriesNote[];
  handling: string;
}

const widen = (range: Range | undefined, value: number): Range =>
  range === undefined ? { min: value, max: value } : { min: Math.min(range.min, value), max: Math.max(range.max, value) };

/** Surveys the listed series of the given types (all listed series when `descriptions` is absent). */
export async function surveySeries(
  root: string,
  rows: readonly SeriesRow[],
  descriptions?: readonly string[],
  readMeta: (path: string) => Promise<DicomMeta> = readDicomMeta,
): Promise<SeriesSurvey> {
  const notes: SeriesNote[] = [];
  const spreads = new Map<string, { series: number; slices?: Range; spacing?: Range; matrices: Map<string, number> }>();
  for (const row of rows) {
    if (descriptions !== undefined && !descriptions.includes(row.description)) continue;
    const note = (reason: SeriesNoteReason, detail: string) =>
      notes.push({ studyId: row.studyId, seriesId: row.seriesId, reason, detail });
    const folder = join(root, DATASET_IMAGES_FOLDER, row.studyId, row.seriesId);
    const names = await readdir(folder).catch(() => [] as string[]);
    const numbers = names
      .filter((name) => /^\d+\.dcm$/i.test(name))
      .map((name) => Number.parseInt(name, 10))
      .sort((a, b) => a - b);
    if (numbers.length === 0) {
      note('no-images', folder);
      continue;
    }
    if (numbers[0] !== 1 || numbers[numbers.length - 1] !== numbers.length) {
      note('instance-numbering', `${numbers.length} files numbered ${describeNumbers(numbers)}`);
    }
    let meta: DicomMeta;
    try {
      meta = await readMeta(join(folder, `${numbers[0]}.dcm`));
    } catch (error) {
      note('unreadable-header', (error as Error).message);
      continue;
    }
    const spread = spreads.get(row.description) ?? { series: 0, matrices: new Map<string, number>() };
    spread.series++;
    spread.slices = widen(spread.slices, numbers.length);
    if (meta.pixelSpacing !== null) spread.spacing = widen(widen(spread.spacing, meta.pixelSpacing[0]), meta.pixelSpacing[1]);
    const matrix = `${meta.columns}x${meta.rows}`;
    spread.matrices.set(matrix, (spread.matrices.get(matrix) ?? 0) + 1);
    spreads.set(row.description, spread);
  }
  const byType = [...spreads.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([description, spread]) => ({
      description,
      series: spread.series,
      slices: spread.slices!,
      pixelSpacingMm: spread.spacing ?? null,
      matrices: [...spread.matrices.entries()].sort((a, b) => b[1] - a[1]).map(([matrix]) => matrix),
    }));
  return { byType, notes, handling: GEOMETRY_HANDLING };
}

/** `3..17 (missing 5, 9)` for sorted numbers: the span and the values absent from it. */
function describeNumbers(numbers: number[]): string {
  const present = new Set(numbers);
  const missing: number[] = [];
  for (let value = numbers[0]!; value <= numbers[numbers.length - 1]! && missing.length <= 10; value++) {
    if (!present.has(value)) missing.push(value);
  }
  const gaps = missing.length === 0 ? '' : ` (missing ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? ', ...' : ''})`;
  return `${numbers[0]}..${numbers[numbers.length - 1]}${gaps}`;
}

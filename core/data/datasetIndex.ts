// The samples of one condition: a study's grade at a level, joined with the point a reader marked on the series
// type the condition is labelled on. Anything that keeps a sample from being usable (no grade, no coordinate, no
// series of the type, a series the descriptions file does not list, a missing DICOM file) skips that sample with
// a counted reason; irregularities that do not cost a sample (several series of the type, points on more than
// one of them, studies without labels) are listed as notes saying what was chosen.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { readDatasetTables, type CoordinateRow, type DatasetTables } from './datasetTables';
import {
  DATASET_IMAGES_FOLDER,
  GRADES,
  gradeColumn,
  LABELLED_SERIES,
  LEVELS,
  levelColumnSuffix,
  type Condition,
  type Grade,
  type GradeIndex,
  type Level,
  type SeriesDescription,
} from './lsdcVocabulary';

export interface Sample {
  /** `<study>_<condition>_<level suffix>`, the row_id of the competition's submission format. */
  id: string;
  studyId: string;
  level: Level;
  /** The side a left/right condition is graded on; null for the (central) spinal canal. */
  side: 'left' | 'right' | null;
  grade: Grade;
  gradeIndex: GradeIndex;
  seriesId: string;
  instanceNumber: number;
  /** The marked point in pixels of that instance: x along a row (column index), y down the columns (row index). */
  x: number;
  y: number;
  /** Absolute path of the labelled instance's DICOM file, with its size and modification time. */
  file: string;
  fileSize: number;
  fileMtimeMs: number;
}

export const SKIP_REASONS = {
  'no-grade': 'the train.csv cell is empty or the study is not in train.csv',
  'no-coordinates': 'graded, but train_label_coordinates.csv has no point for it',
  'no-series-of-type': 'graded, but the study has no series of the selected type and no point',
  'series-not-listed': 'the point is on a series that train_series_descriptions.csv does not list',
  'other-series-type': 'the only points are on another series type than the one selected',
  'missing-image': 'the labelled DICOM file is not in train_images',
  'unusable-image': 'the labelled DICOM file or a neighbouring slice cannot be decoded or lacks PixelSpacing',
} as const;
export type SkipReason = keyof typeof SKIP_REASONS;

export interface SkippedSample {
  studyId: string;
  level: Level;
  reason: SkipReason;
  detail: string;
}

export const NOTE_REASONS = {
  'several-series': 'the study has several series of the selected type: each level uses the series its point is on',
  'several-points':
    'a level has points on more than one series of the selected type: the first row of train_label_coordinates.csv is used',
  'unlabelled-study': 'the study has series but no train.csv row: it has no labels, so no samples',
} as const;
export type NoteReason = keyof typeof NOTE_REASONS;

/** Something irregular that was handled by a documented choice rather than by skipping a sample. */
export interface IndexNote {
  studyId: string;
  reason: NoteReason;
  detail: string;
}

export interface DatasetIndex {
  root: string;
  condition: Condition;
  levels: Level[];
  seriesDescription: SeriesDescription;
  /** Studies in train.csv. */
  studies: number;
  /** Series of `seriesDescription` listed for those studies, and series of any type. */
  seriesOfType: number;
  seriesTotal: number;
  samples: Sample[];
  skipped: SkippedSample[];
  notes: IndexNote[];
}

export interface IndexOptions {
  condition: Condition;
  levels?: readonly Level[];
  /** 'auto' (or absent) is the series type the condition is labelled on. */
  series?: 'auto' | SeriesDescription;
}

export function sideOf(condition: Condition): 'left' | 'right' | null {
  if (condition.startsWith('left_')) return 'left';
  if (condition.startsWith('right_')) return 'right';
  return null;
}

export function seriesDescriptionFor(condition: Condition, series: IndexOptions['series']): SeriesDescription {
  return series === undefined || series === 'auto' ? LABELLED_SERIES[condition] : series;
}

/** Where the competition keeps a labelled instance: train_images/<study>/<series>/<instance>.dcm. */
export function instancePath(root: string, studyId: string, seriesId: string, instanceNumber: number): string {
  return join(root, DATASET_IMAGES_FOLDER, studyId, seriesId, `${instanceNumber}.dcm`);
}

export async function indexDataset(root: string, options: IndexOptions): Promise<DatasetIndex> {
  return indexTables(await readDatasetTables(root), options);
}

export function indexTables(tables: DatasetTables, options: IndexOptions): DatasetIndex {
  const { condition } = options;
  const levels = [...(options.levels ?? LEVELS)];
  const seriesDescription = seriesDescriptionFor(condition, options.series);
  const descriptionOf = new Map(tables.series.map((row) => [`${row.studyId}/${row.seriesId}`, row.description]));
  const studyIds = new Set(tables.train.map((row) => row.studyId));
  const seriesOfTypeIn = new Map<string, string[]>();
  for (const row of tables.series) {
    if (row.description !== seriesDescription) continue;
    seriesOfTypeIn.set(row.studyId, [...(seriesOfTypeIn.get(row.studyId) ?? []), row.seriesId]);
  }
  const pointsOf = new Map<string, CoordinateRow[]>();
  for (const row of tables.coordinates) {
    if (row.condition !== condition) continue;
    const key = `${row.studyId}/${row.level}`;
    const list = pointsOf.get(key);
    if (list === undefined) pointsOf.set(key, [row]);
    else list.push(row);
  }

  const samples: Sample[] = [];
  const skipped: SkippedSample[] = [];
  const notes: IndexNote[] = [];
  const side = sideOf(condition);
  for (const study of tables.train) {
    const studySeries = seriesOfTypeIn.get(study.studyId) ?? [];
    const used = new Map<string, Level[]>();
    for (const level of levels) {
      const skip = (reason: SkipReason, detail: string) => skipped.push({ studyId: study.studyId, level, reason, detail });
      const grade = study.grades.get(gradeColumn(condition, level));
      if (grade === undefined) {
        skip('no-grade', `train.csv line ${study.line}, column ${gradeColumn(condition, level)}`);
        continue;
      }
      const points = pointsOf.get(`${study.studyId}/${level}`) ?? [];
      if (points.length === 0) {
        if (studySeries.length === 0) {
          skip('no-series-of-type', `train_series_descriptions.csv lists no ${seriesDescription} series for study ${study.studyId}`);
        } else {
          skip('no-coordinates', `no '${condition}' row for study ${study.studyId} at ${level}`);
        }
        continue;
      }
      const onType = points.filter((row) => descriptionOf.get(`${row.studyId}/${row.seriesId}`) === seriesDescription);
      const point = onType[0];
      if (new Set(onType.map((row) => row.seriesId)).size > 1) {
        notes.push({
          studyId: study.studyId,
          reason: 'several-points',
          detail: `${level}: points on series ${onType.map((row) => `${row.seriesId} (line ${row.line})`).join(', ')}; series ${point!.seriesId} is used`,
        });
      }
      if (point === undefined) {
        const unlisted = points.find((row) => !descriptionOf.has(`${row.studyId}/${row.seriesId}`));
        if (unlisted !== undefined) {
          skip('series-not-listed', `train_label_coordinates.csv line ${unlisted.line}: series ${unlisted.seriesId}`);
        } else {
          const types = [...new Set(points.map((row) => descriptionOf.get(`${row.studyId}/${row.seriesId}`)))].join(', ');
          skip('other-series-type', `points on ${types}, selected ${seriesDescription}`);
        }
        continue;
      }
      const file = instancePath(tables.root, point.studyId, point.seriesId, point.instanceNumber);
      const stats = statSync(file, { throwIfNoEntry: false });
      if (stats === undefined || !stats.isFile()) {
        skip('missing-image', file);
        continue;
      }
      used.set(point.seriesId, [...(used.get(point.seriesId) ?? []), level]);
      samples.push({
        id: `${study.studyId}_${condition}_${levelColumnSuffix(level)}`,
        studyId: study.studyId,
        level,
        side,
        grade,
        gradeIndex: GRADES.indexOf(grade) as GradeIndex,
        seriesId: point.seriesId,
        instanceNumber: point.instanceNumber,
        x: point.x,
        y: point.y,
        file,
        fileSize: stats.size,
        fileMtimeMs: stats.mtimeMs,
      });
    }
    if (studySeries.length > 1) {
      const uses = studySeries.map((id) => `${id} (${used.get(id)?.join(', ') ?? 'no samples'})`);
      notes.push({ studyId: study.studyId, reason: 'several-series', detail: `${seriesDescription} series ${uses.join(', ')}` });
    }
  }
  for (const studyId of new Set(tables.series.map((row) => row.studyId))) {
    if (studyIds.has(studyId)) continue;
    const line = tables.series.find((row) => row.studyId === studyId)!.line;
    notes.push({ studyId, reason: 'unlabelled-study', detail: `train_series_descriptions.csv line ${line}; not in train.csv` });
  }
  const seriesForStudies = tables.series.filter((row) => studyIds.has(row.studyId));
  return {
    root: tables.root,
    condition,
    levels,
    seriesDescription,
    studies: studyIds.size,
    seriesOfType: seriesForStudies.filter((row) => row.description === seriesDescription).length,
    seriesTotal: seriesForStudies.length,
    samples,
    skipped,
    notes,
  };
}

/** Samples per level and grade, and skipped items per reason: what `radlab dataset` prints. */
export function countIndex(index: DatasetIndex): {
  samplesByLevel: Record<string, Record<Grade, number>>;
  skippedByReason: Partial<Record<SkipReason, number>>;
  notesByReason: Partial<Record<NoteReason, number>>;
} {
  const samplesByLevel: Record<string, Record<Grade, number>> = {};
  for (const level of index.levels) samplesByLevel[level] = { 'Normal/Mild': 0, Moderate: 0, Severe: 0 };
  for (const sample of index.samples) samplesByLevel[sample.level]![sample.grade]++;
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  for (const item of index.skipped) skippedByReason[item.reason] = (skippedByReason[item.reason] ?? 0) + 1;
  const notesByReason: Partial<Record<NoteReason, number>> = {};
  for (const item of index.notes) notesByReason[item.reason] = (notesByReason[item.reason] ?? 0) + 1;
  return { samplesByLevel, skippedByReason, notesByReason };
}

// The messages that cross between the extension host and RadLab's webviews, in one file both sides import.
// Every message is an object with a `type` from one of the enums below; payload types are plain data so they
// survive postMessage's structured clone. Each side checks what it receives with the guards at the bottom
// before acting on it: a page can be stale (an old bundle after an update) and a host can be replaced.
//
// The payloads carry the run folder's own shapes (metrics.json, the trainer's epoch scores) as core defines them, so the trainer, the host and the pages share one definition of each.
// This file is bundled into the browser pages, so it imports types only, and values from modules with no imports.
import { GRADES } from '../core/data/lsdcVocabulary';
import type { SaliencyMethod } from '../core/explain/saliencyMethods';
import { isRecord } from '../core/json/isRecord';
import type { ClassificationSummary } from '../core/metrics/classification';
import type { RunMetricsFile } from '../core/run/metricsFile';
import type { RunState as RecordedState } from '../core/run/runRecord';
import type { EpochScores } from '../core/metrics/epochScores';
import type { SplitCounts } from '../core/train/events';

/** Messages a webview page sends to its host. */
export enum FromWebview {
  /** The page has loaded and listens: the host answers with its data (the handshake). */
  Ready = 'ready',
  /** The page hit an error it cannot show by itself. */
  Failed = 'failed',
  GalleryPage = 'gallery-page',
  OpenSlice = 'open-slice',
  /** The epoch scrubber moved: the host answers with that epoch's validation evidence. */
  SelectEpoch = 'select-epoch',
  ExplainItem = 'explain-item',
  OpenInDicomViewer = 'open-in-dicom-viewer',
  StepInstance = 'step-instance',
  OpenSeries = 'open-series',
  OpenDatasetSlice = 'open-dataset-slice',
  PredictStudy = 'predict-study',
}

/** Messages a host sends to its webview page. */
export enum ToWebview {
  RunModel = 'run-model',
  GalleryPage = 'gallery-page',
  SliceImage = 'slice-image',
  EpochEvidence = 'epoch-evidence',
  Saliency = 'saliency',
  /** The DICOM viewer's instance was opened from a run's gallery: the prediction to draw on it. */
  DicomFocus = 'dicom-focus',
  DicomInstance = 'dicom-instance',
  DatasetTree = 'dataset-tree',
  SeriesSlices = 'series-slices',
  DatasetSlice = 'dataset-slice',
  DatasetSummary = 'dataset-summary',
  SeriesPoints = 'series-points',
  /** Something the host could not do; the page shows it where the user is looking. */
  Error = 'error',
}

export const GRADE_NAMES = GRADES;
export type GradeName = (typeof GRADE_NAMES)[number];

// ---- Run panel --------------------------------------------------------------------------------------------

/** run.json's status, or 'unknown' before the run has written one. */
export type RunState = RecordedState | 'unknown';

/** One epoch as the curves show it: from the trainer's epoch-end events, or from metrics.json's history. */
export interface EpochPoint {
  epoch: number;
  train: EpochScores;
  val: EpochScores;
  lr: number | null;
  best: boolean;
}

export interface BatchProgress {
  epoch: number;
  epochs: number | null;
  step: number;
  steps: number;
  loss: number;
  imagesPerSecond: number;
  etaSeconds: number;
}

export interface RunSummary {
  runDir: string;
  runId: string;
  experiment: string;
  backbone: string;
  engine: string;
  device: string;
  state: RunState;
  error: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationSeconds: number | null;
  counts: SplitCounts | null;
  condition: string | null;
  datasetRoot: string | null;
}

export interface RunPanelModel {
  summary: RunSummary;
  history: EpochPoint[];
  progress: BatchProgress | null;
  bestEpoch: number | null;
  /** results/metrics.json once the run has tested its best checkpoint; null before (or when it is unreadable). */
  metrics: RunMetricsFile | null;
  /** Rows of results/predictions.csv, how many of them are wrong, and their levels (for the gallery's filter). */
  predictions: { total: number; mistakes: number; levels: string[] };
  /** Lines of the run folder that could not be read, with file and line, so the user knows what is missing. */
  problems: string[];
}

/** One row of results/predictions.csv. */
export interface PredictionRow {
  rowId: string;
  studyId: string;
  level: string;
  trueLabel: GradeName;
  predictedLabel: GradeName;
  probabilities: [number, number, number];
}

/** The probability the model gave the grade it predicted. */
export function confidenceOf(row: PredictionRow): number {
  return row.probabilities[GRADE_NAMES.indexOf(row.predictedLabel)]!;
}

/** Cross-entropy of the row: -log p(true grade). */
export function lossOf(row: PredictionRow): number {
  return -Math.log(row.probabilities[GRADE_NAMES.indexOf(row.trueLabel)]!);
}

export interface GalleryItem extends PredictionRow {
  /**
   * A PNG data URL of what the model saw: the input crop at the training input size (size x size pixels), or null
   * when the image could not be read (see `imageError`).
   */
  crop: string | null;
  imageError: string | null;
}

/**
 * The gallery's order: as in predictions.csv, most confident first (the predicted grade's probability), or highest
 * loss first (-log p(true grade)).
 */
export const GALLERY_SORTS = ['file', 'confidence', 'loss'] as const;
export type GallerySort = (typeof GALLERY_SORTS)[number];

/** Which predictions the gallery shows, in which order, and which page of them; null filters let every row through. */
export interface GalleryQuery {
  page: number;
  sort: GallerySort;
  mistakesOnly: boolean;
  trueGrade: GradeName | null;
  predictedGrade: GradeName | null;
  level: string | null;
}

export interface GalleryPage {
  query: GalleryQuery;
  pageSize: number;
  /** Rows matching the filter. */
  total: number;
  items: GalleryItem[];
  /** The side of the model's input in pixels (data.input.size), each crop's side; null without the run's settings. */
  inputSize: number | null;
  /** Why no item has an image, when the run's dataset cannot be read at all (e.g. it is not on this machine). */
  imagesUnavailable: string | null;
}

export interface SliceImage {
  title: string;
  /** PNG data URL: the whole slice, with the level marked and the model's input square drawn on. */
  png: string;
}

/** What `radlab explain --json` computed for one gallery row, ready to draw. */
export interface SaliencyView {
  rowId: string;
  method: SaliencyMethod;
  /** The grade the map explains (Grad-CAM), or the predicted grade (attention rollout, the same for every grade). */
  grade: GradeName;
  gradeSpecific: boolean;
  /** The feature grid the map was computed on, [rows, columns]. */
  grid: [number, number];
  /** Grad-CAM: the backbone step it explains (from 1) and the steps before pooling; null for attention rollout. */
  step: [number, number] | null;
  /** e.g. "Grad-CAM for Severe (8×8, backbone step 6 of 9)". */
  caption: string;
  /** PNG data URLs at the input size: the crop evaluation used, and the map in colour at full opacity. */
  cropPng: string;
  heatmapPng: string;
}

/** One epoch's validation predictions (results/val_predictions) summarised for the epoch scrubber. */
export interface EpochEvidence {
  epoch: number;
  /** Confusion matrix, per-grade and averaged scores of the epoch's argmax predictions; null when unreadable. */
  summary: ClassificationSummary | null;
  /** Why there is no summary (e.g. a run from before per-epoch predictions were stored), naming the file. */
  problem: string | null;
  /** Whether the gallery now shows this epoch's validation rows (the user moved the scrubber). */
  gallery: boolean;
}

export type RunHostMessage =
  | { type: ToWebview.RunModel; model: RunPanelModel }
  | { type: ToWebview.GalleryPage; gallery: GalleryPage }
  | { type: ToWebview.SliceImage; slice: SliceImage }
  | { type: ToWebview.EpochEvidence; evidence: EpochEvidence }
  | { type: ToWebview.Saliency; saliency: SaliencyView }
  | { type: ToWebview.Error; message: string };

export type RunPageMessage =
  | { type: FromWebview.Ready }
  | { type: FromWebview.Failed; message: string }
  | { type: FromWebview.GalleryPage; query: GalleryQuery }
  | { type: FromWebview.OpenSlice; rowId: string }
  /** `gallery`: the gallery switches to the epoch's validation rows too. */
  | { type: FromWebview.SelectEpoch; epoch: number; gallery: boolean }
  /** Compute the saliency map of a row; a null grade means the predicted one. */
  | { type: FromWebview.ExplainItem; rowId: string; grade: GradeName | null }
  | { type: FromWebview.OpenInDicomViewer; rowId: string };

// ---- DICOM viewer -----------------------------------------------------------------------------------------

export interface TagRow {
  name: string;
  /** (gggg,eeee), upper-case hex. */
  tag: string;
  vr: string;
  value: string;
}

export interface WindowLevel {
  center: number;
  width: number;
}

export interface WindowPreset {
  id: string;
  label: string;
  window: WindowLevel;
}

export interface DicomInstance {
  file: string;
  /** Position of this instance in the folder's sorted series, and the series length. */
  index: number;
  count: number;
  sortMethod: 'position' | 'instance-number';
  /** (0020,0013): the slice a labelled or predicted point names; null when the file has none. */
  instanceNumber: number | null;
  rows: number;
  columns: number;
  /** [row spacing, column spacing] in mm, for the aspect ratio; null when the file has none. */
  pixelSpacing: [number, number] | null;
  /** Modality values (stored x slope + intercept), row-major, rows x columns. */
  pixels: Float32Array;
  /** MONOCHROME1: low values are bright. */
  invert: boolean;
  /** Windows computed by the host for this frame: percentile auto, the file's tags (null without), full range. */
  windows: { auto: WindowLevel; tags: WindowLevel | null; fullRange: WindowLevel };
  /** (0008,0060), e.g. MR or CT; null when the file has none. */
  modality: string | null;
  /** The presets that mean something for this modality: CT windows in Hounsfield units, percentiles otherwise. */
  presets: WindowPreset[];
  tags: TagRow[];
}

// ---- DICOM viewer: labelled and predicted points on the slices ----

/** A point drawn on the slice with this InstanceNumber. */
export interface SlicePoint {
  instanceNumber: number;
  /** Pixel coordinates in the slice (x: column, y: row), as train_label_coordinates.csv writes them. */
  x: number;
  y: number;
  label: string;
  /** CSS colour of its ring and text: its grade's (the most probable one for a prediction). */
  colour: string;
}

/** The points of the series the viewer shows: the dataset's labels and the last Predict Study's levels. */
export interface SeriesPoints {
  labelled: SlicePoint[];
  predicted: SlicePoint[];
  /** The label file and the prediction's positions file the points come from; null when there is none. */
  labelSource: string | null;
  predictionSource: string | null;
  /** Why labels or predictions could not be read (a malformed CSV names its file and line). */
  problems: string[];
}

/** A gallery prediction drawn on its source slice: the model's input square, the level and the grade probabilities. */
export interface DicomFocus {
  instanceNumber: number;
  /** The level's point, in slice pixels (x: column, y: row). */
  x: number;
  y: number;
  /** The input square cut from the slice, in slice pixels. */
  box: { left: number; top: number; width: number; height: number };
  /** e.g. "L4/L5 · true Moderate · predicted Severe". */
  label: string;
  /** CSS colour of the level's mark and text: the predicted grade's. */
  colour: string;
  probabilities: { grade: GradeName; probability: number }[];
  /** The run folder the prediction comes from. */
  source: string;
}

export type DicomHostMessage =
  | { type: ToWebview.DicomInstance; instance: DicomInstance }
  | { type: ToWebview.SeriesPoints; points: SeriesPoints }
  | { type: ToWebview.DicomFocus; focus: DicomFocus }
  | { type: ToWebview.Error; message: string };

export type DicomPageMessage =
  | { type: FromWebview.Ready }
  | { type: FromWebview.Failed; message: string }
  /** Move through the series: an absolute index into the sorted instances. */
  | { type: FromWebview.StepInstance; index: number }
  /** Run RadLab: Predict Study on the study the shown series belongs to. */
  | { type: FromWebview.PredictStudy };

// ---- Dataset preview --------------------------------------------------------------------------------------

export interface DatasetSeries {
  seriesId: string;
  description: string;
  /** Labelled points on this series (any condition). */
  labels: number;
}

export interface DatasetStudy {
  studyId: string;
  series: DatasetSeries[];
}

export interface DatasetTree {
  root: string;
  studies: DatasetStudy[];
}

export interface SeriesSlices {
  studyId: string;
  seriesId: string;
  /** Instance numbers of the series' files, ascending. */
  instances: number[];
  /** Instance numbers that carry at least one labelled point. */
  labelled: number[];
}

export interface DatasetSlice {
  studyId: string;
  seriesId: string;
  instanceNumber: number;
  /** PNG data URL of the windowed slice with every label drawn on. */
  png: string;
  /** The labels drawn, in pixel coordinates of the slice. */
  markers: { x: number; y: number; label: string }[];
}

/** One level of one condition: train.csv's grades, its empty cells, and the samples a run can train on. */
export interface LevelGrades {
  level: string;
  grades: Record<GradeName, number>;
  ungraded: number;
  /** Graded items with a point on the condition's series type and its image: what a run trains on. */
  samples: number;
}

export interface ConditionSummary {
  /** As train.csv spells it, e.g. left_neural_foraminal_narrowing. */
  condition: string;
  /** As train_label_coordinates.csv spells it, e.g. Left Neural Foraminal Narrowing. */
  title: string;
  levels: LevelGrades[];
  /** Items the dataset scan leaves out, by reason (core/data's SKIP_REASONS), most frequent first. */
  skipped: { reason: string; meaning: string; count: number; example: string }[];
}

/** Studies per split, and where the split comes from (the dataset's split.csv, or an experiment's data.split). */
export type SplitSummary =
  { source: string; studies: Record<'train' | 'val' | 'test', number> } | { source: string; error: string };

export interface DatasetSummary {
  /** Studies in train.csv. */
  studies: number;
  conditions: ConditionSummary[];
  split: SplitSummary;
}

export type DatasetHostMessage =
  | { type: ToWebview.DatasetTree; tree: DatasetTree }
  | { type: ToWebview.DatasetSummary; summary: DatasetSummary }
  | { type: ToWebview.SeriesSlices; slices: SeriesSlices }
  | { type: ToWebview.DatasetSlice; slice: DatasetSlice }
  | { type: ToWebview.Error; message: string };

export type DatasetPageMessage =
  | { type: FromWebview.Ready }
  | { type: FromWebview.Failed; message: string }
  | { type: FromWebview.OpenSeries; studyId: string; seriesId: string }
  | { type: FromWebview.OpenDatasetSlice; studyId: string; seriesId: string; instanceNumber: number };

// ---- Guards -----------------------------------------------------------------------------------------------
// Page messages are checked field by field (the host acts on them: paths, indices). Host messages are checked by
// type and the presence of their payload object: the page only displays them.

type FieldKind = 'string' | 'integer' | 'boolean' | 'gallery-query' | 'grade-or-null';
type MessageSpec = Record<string, FieldKind>;

const isGradeOrNull = (value: unknown): boolean =>
  value === null || (GRADE_NAMES as readonly unknown[]).includes(value);

function isGalleryQuery(value: unknown): value is GalleryQuery {
  return (
    isRecord(value) &&
    fieldMatches('integer', value.page) &&
    (GALLERY_SORTS as readonly unknown[]).includes(value.sort) &&
    typeof value.mistakesOnly === 'boolean' &&
    isGradeOrNull(value.trueGrade) &&
    isGradeOrNull(value.predictedGrade) &&
    (value.level === null || typeof value.level === 'string')
  );
}

function fieldMatches(kind: FieldKind, value: unknown): boolean {
  switch (kind) {
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value) && value >= 0;
    case 'boolean':
      return typeof value === 'boolean';
    case 'gallery-query':
      return isGalleryQuery(value);
    case 'grade-or-null':
      return isGradeOrNull(value);
  }
}

function matchesSpecs(value: unknown, specs: Partial<Record<string, MessageSpec>>): boolean {
  // Own keys only: a type named 'constructor' or '__proto__' must not find a spec through the prototype.
  if (!isRecord(value) || typeof value.type !== 'string' || !Object.hasOwn(specs, value.type)) return false;
  const spec = specs[value.type];
  if (spec === undefined) return false;
  return Object.entries(spec).every(([name, kind]) => fieldMatches(kind, value[name]));
}

const COMMON_PAGE_MESSAGES = {
  [FromWebview.Ready]: {},
  [FromWebview.Failed]: { message: 'string' },
} satisfies Record<string, MessageSpec>;

const RUN_PAGE: Partial<Record<string, MessageSpec>> = {
  ...COMMON_PAGE_MESSAGES,
  [FromWebview.GalleryPage]: { query: 'gallery-query' },
  [FromWebview.OpenSlice]: { rowId: 'string' },
  [FromWebview.SelectEpoch]: { epoch: 'integer', gallery: 'boolean' },
  [FromWebview.ExplainItem]: { rowId: 'string', grade: 'grade-or-null' },
  [FromWebview.OpenInDicomViewer]: { rowId: 'string' },
};
const DICOM_PAGE: Partial<Record<string, MessageSpec>> = {
  ...COMMON_PAGE_MESSAGES,
  [FromWebview.StepInstance]: { index: 'integer' },
  [FromWebview.PredictStudy]: {},
};
const DATASET_PAGE: Partial<Record<string, MessageSpec>> = {
  ...COMMON_PAGE_MESSAGES,
  [FromWebview.OpenSeries]: { studyId: 'string', seriesId: 'string' },
  [FromWebview.OpenDatasetSlice]: { studyId: 'string', seriesId: 'string', instanceNumber: 'integer' },
};

export const isRunPageMessage = (value: unknown): value is RunPageMessage => matchesSpecs(value, RUN_PAGE);
export const isDicomPageMessage = (value: unknown): value is DicomPageMessage => matchesSpecs(value, DICOM_PAGE);
export const isDatasetPageMessage = (value: unknown): value is DatasetPageMessage => matchesSpecs(value, DATASET_PAGE);

/** A guard for a page's host messages: `payloads` names each message type's payload field; errors are shared. */
export function hostGuard<T>(payloads: Partial<Record<string, string>>): (value: unknown) => value is T {
  return (value: unknown): value is T => {
    if (!isRecord(value) || typeof value.type !== 'string') return false;
    if (value.type === ToWebview.Error) return typeof value.message === 'string';
    const field = payloads[value.type];
    return field !== undefined && isRecord(value[field]);
  };
}

export const isRunHostMessage = hostGuard<RunHostMessage>({
  [ToWebview.RunModel]: 'model',
  [ToWebview.GalleryPage]: 'gallery',
  [ToWebview.EpochEvidence]: 'evidence',
  [ToWebview.SliceImage]: 'slice',
  [ToWebview.Saliency]: 'saliency',
});
export const isDicomHostMessage = hostGuard<DicomHostMessage>({
  [ToWebview.DicomInstance]: 'instance',
  [ToWebview.SeriesPoints]: 'points',
  [ToWebview.DicomFocus]: 'focus',
});
export const isDatasetHostMessage = hostGuard<DatasetHostMessage>({
  [ToWebview.DatasetTree]: 'tree',
  [ToWebview.SeriesSlices]: 'slices',
  [ToWebview.DatasetSlice]: 'slice',
  [ToWebview.DatasetSummary]: 'summary',
});

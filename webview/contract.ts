// The messages that cross between the extension host and RadLab's webviews, in one file both sides import.
// Every message is an object with a `type` from one of the enums below; payload types are plain data so they
// survive postMessage's structured clone. Each side checks what it receives with the guards at the bottom
// before acting on it: a page can be stale (an old bundle after an update) and a host can be replaced.
//
// This file is bundled into the browser pages, so it imports types only.

/** Messages a webview page sends to its host. */
export enum FromWebview {
  /** The page has loaded and listens: the host answers with its data (the handshake). */
  Ready = 'ready',
  /** The page hit an error it cannot show by itself. */
  Failed = 'failed',
  GalleryPage = 'gallery-page',
  OpenSlice = 'open-slice',
  ExportCsv = 'export-csv',
  StepInstance = 'step-instance',
  OpenSeries = 'open-series',
  OpenDatasetSlice = 'open-dataset-slice',
}

/** Messages a host sends to its webview page. */
export enum ToWebview {
  RunModel = 'run-model',
  GalleryPage = 'gallery-page',
  SliceImage = 'slice-image',
  CompareModel = 'compare-model',
  DicomInstance = 'dicom-instance',
  DatasetTree = 'dataset-tree',
  SeriesSlices = 'series-slices',
  DatasetSlice = 'dataset-slice',
  /** Something the host could not do; the page shows it where the user is looking. */
  Error = 'error',
}

export const GRADE_NAMES = ['Normal/Mild', 'Moderate', 'Severe'] as const;
export type GradeName = (typeof GRADE_NAMES)[number];

// ---- Run panel --------------------------------------------------------------------------------------------

export type RunState = 'running' | 'completed' | 'failed' | 'cancelled' | 'unknown';

export interface Scores {
  loss: number;
  accuracy: number;
  macroF1: number;
}

export interface EpochPoint {
  epoch: number;
  train: Scores;
  val: Scores;
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

export interface ClassRow {
  grade: GradeName;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface ConfusionPair {
  counts: number[][];
  normalised: number[][];
}

export interface RocSeries {
  grade: GradeName;
  auc: number | null;
  /** [false positive rate, true positive rate] from (0,0) to (1,1). */
  points: [number, number][];
}

export interface SplitMetrics {
  accuracy: number;
  macroF1: number;
  weightedF1: number | null;
  weightedLogLoss: number | null;
  perClass: ClassRow[];
  confusion: ConfusionPair;
  /** Keyed by level (L1/L2 …), in the order the metrics file lists them. */
  perLevel: Record<string, ConfusionPair>;
  roc: RocSeries[];
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
  counts: { train: number; val: number; test: number } | null;
  condition: string | null;
  datasetRoot: string | null;
}

export interface RunPanelModel {
  summary: RunSummary;
  history: EpochPoint[];
  progress: BatchProgress | null;
  bestEpoch: number | null;
  test: SplitMetrics | null;
  val: SplitMetrics | null;
  /** Rows of results/predictions.csv, and how many of them are wrong. */
  predictions: { total: number; mistakes: number };
  /** Lines of the run folder that could not be read, with file and line, so the user knows what is missing. */
  problems: string[];
}

export interface GalleryItem {
  rowId: string;
  studyId: string;
  level: string;
  trueLabel: GradeName;
  predictedLabel: GradeName;
  probabilities: [number, number, number];
  /** A PNG data URL of the labelled slice, or null when the image could not be read (see `imageError`). */
  thumbnail: string | null;
  imageError: string | null;
}

export interface GalleryPage {
  page: number;
  pageSize: number;
  mistakesOnly: boolean;
  /** Rows matching the filter. */
  total: number;
  items: GalleryItem[];
}

export interface SliceImage {
  title: string;
  /** PNG data URL. */
  png: string;
}

export type RunHostMessage =
  | { type: ToWebview.RunModel; model: RunPanelModel }
  | { type: ToWebview.GalleryPage; gallery: GalleryPage }
  | { type: ToWebview.SliceImage; slice: SliceImage }
  | { type: ToWebview.Error; message: string };

export type RunPageMessage =
  | { type: FromWebview.Ready }
  | { type: FromWebview.Failed; message: string }
  | { type: FromWebview.GalleryPage; page: number; mistakesOnly: boolean }
  | { type: FromWebview.OpenSlice; rowId: string };

// ---- Compare panel ----------------------------------------------------------------------------------------

export interface CompareRow {
  runDir: string;
  label: string;
  backbone: string;
  /** Backbone parameters from the model registry; null for a backbone the registry does not know. */
  parameters: number | null;
  bestValF1: number | null;
  testAccuracy: number | null;
  testMacroF1: number | null;
  weightedLogLoss: number | null;
  durationSeconds: number | null;
  state: RunState;
}

export const COMPARE_COLUMNS = [
  'label',
  'backbone',
  'parameters',
  'bestValF1',
  'testAccuracy',
  'testMacroF1',
  'weightedLogLoss',
  'durationSeconds',
] as const;
export type CompareColumn = (typeof COMPARE_COLUMNS)[number];
export type SortDirection = 'ascending' | 'descending';
export interface CompareSort {
  column: CompareColumn;
  direction: SortDirection;
}

export interface CompareModel {
  rows: CompareRow[];
  /** Per run (same order as rows): the validation curve by epoch. */
  curves: { runDir: string; label: string; history: EpochPoint[] }[];
  problems: string[];
}

export type CompareHostMessage = { type: ToWebview.CompareModel; model: CompareModel } | { type: ToWebview.Error; message: string };

export type ComparePageMessage =
  | { type: FromWebview.Ready }
  | { type: FromWebview.Failed; message: string }
  | { type: FromWebview.ExportCsv; sort: CompareSort | null };

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

export interface DicomInstance {
  file: string;
  /** Position of this instance in the folder's sorted series, and the series length. */
  index: number;
  count: number;
  sortMethod: 'position' | 'instance-number';
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
  tags: TagRow[];
}

export type DicomHostMessage = { type: ToWebview.DicomInstance; instance: DicomInstance } | { type: ToWebview.Error; message: string };

export type DicomPageMessage =
  | { type: FromWebview.Ready }
  | { type: FromWebview.Failed; message: string }
  /** Move through the series: an absolute index into the sorted instances. */
  | { type: FromWebview.StepInstance; index: number };

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

export type DatasetHostMessage =
  | { type: ToWebview.DatasetTree; tree: DatasetTree }
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

type FieldKind = 'string' | 'integer' | 'boolean' | 'sort-or-null';
type MessageSpec = Record<string, FieldKind>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCompareSort(value: unknown): value is CompareSort {
  return (
    isRecord(value) &&
    (COMPARE_COLUMNS as readonly unknown[]).includes(value.column) &&
    (value.direction === 'ascending' || value.direction === 'descending')
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
    case 'sort-or-null':
      return value === null || isCompareSort(value);
  }
}

function matchesSpecs(value: unknown, specs: Partial<Record<string, MessageSpec>>): boolean {
  if (!isRecord(value) || typeof value.type !== 'string') return false;
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
  [FromWebview.GalleryPage]: { page: 'integer', mistakesOnly: 'boolean' },
  [FromWebview.OpenSlice]: { rowId: 'string' },
};
const COMPARE_PAGE: Partial<Record<string, MessageSpec>> = { ...COMMON_PAGE_MESSAGES, [FromWebview.ExportCsv]: { sort: 'sort-or-null' } };
const DICOM_PAGE: Partial<Record<string, MessageSpec>> = { ...COMMON_PAGE_MESSAGES, [FromWebview.StepInstance]: { index: 'integer' } };
const DATASET_PAGE: Partial<Record<string, MessageSpec>> = {
  ...COMMON_PAGE_MESSAGES,
  [FromWebview.OpenSeries]: { studyId: 'string', seriesId: 'string' },
  [FromWebview.OpenDatasetSlice]: { studyId: 'string', seriesId: 'string', instanceNumber: 'integer' },
};

export const isRunPageMessage = (value: unknown): value is RunPageMessage => matchesSpecs(value, RUN_PAGE);
export const isComparePageMessage = (value: unknown): value is ComparePageMessage => matchesSpecs(value, COMPARE_PAGE);
export const isDicomPageMessage = (value: unknown): value is DicomPageMessage => matchesSpecs(value, DICOM_PAGE);
export const isDatasetPageMessage = (value: unknown): value is DatasetPageMessage => matchesSpecs(value, DATASET_PAGE);

function hostGuard<T>(payloads: Partial<Record<string, string>>): (value: unknown) => value is T {
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
  [ToWebview.SliceImage]: 'slice',
});
export const isCompareHostMessage = hostGuard<CompareHostMessage>({ [ToWebview.CompareModel]: 'model' });
export const isDicomHostMessage = hostGuard<DicomHostMessage>({ [ToWebview.DicomInstance]: 'instance' });
export const isDatasetHostMessage = hostGuard<DatasetHostMessage>({
  [ToWebview.DatasetTree]: 'tree',
  [ToWebview.SeriesSlices]: 'slices',
  [ToWebview.DatasetSlice]: 'slice',
});

// The names the RSNA 2024 Lumbar Spine Degenerative Classification data uses, spelled exactly as in its CSVs.
// Everything that reads, writes or validates that data takes its spellings from here.

export const CONDITIONS = [
  'spinal_canal_stenosis',
  'left_neural_foraminal_narrowing',
  'right_neural_foraminal_narrowing',
  'left_subarticular_stenosis',
  'right_subarticular_stenosis',
] as const;
export type Condition = (typeof CONDITIONS)[number];

/** train_label_coordinates.csv spells conditions in title case with spaces. */
export const CONDITION_LABELS: Readonly<Record<Condition, string>> = {
  spinal_canal_stenosis: 'Spinal Canal Stenosis',
  left_neural_foraminal_narrowing: 'Left Neural Foraminal Narrowing',
  right_neural_foraminal_narrowing: 'Right Neural Foraminal Narrowing',
  left_subarticular_stenosis: 'Left Subarticular Stenosis',
  right_subarticular_stenosis: 'Right Subarticular Stenosis',
};

export const LEVELS = ['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1'] as const;
export type Level = (typeof LEVELS)[number];

/** train.csv column suffix for a level: `L4/L5` → `l4_l5`. */
export function levelColumnSuffix(level: Level): string {
  return level.toLowerCase().replace('/', '_');
}

/** The train.csv column holding a condition's grade at a level, e.g. `spinal_canal_stenosis_l4_l5`. */
export function gradeColumn(condition: Condition, level: Level): string {
  return `${condition}_${levelColumnSuffix(level)}`;
}

export const SERIES_DESCRIPTIONS = ['Sagittal T2/STIR', 'Sagittal T1', 'Axial T2'] as const;
export type SeriesDescription = (typeof SERIES_DESCRIPTIONS)[number];

/** The series type each condition is labelled on in the competition data. */
export const LABELLED_SERIES: Readonly<Record<Condition, SeriesDescription>> = {
  spinal_canal_stenosis: 'Sagittal T2/STIR',
  left_neural_foraminal_narrowing: 'Sagittal T1',
  right_neural_foraminal_narrowing: 'Sagittal T1',
  left_subarticular_stenosis: 'Axial T2',
  right_subarticular_stenosis: 'Axial T2',
};

export const GRADES = ['Normal/Mild', 'Moderate', 'Severe'] as const;
export type Grade = (typeof GRADES)[number];
/** A grade's position in GRADES (0 Normal/Mild, 1 Moderate, 2 Severe): the class index models predict. */
export type GradeIndex = 0 | 1 | 2;

export const DATASET_FILES = ['train.csv', 'train_label_coordinates.csv', 'train_series_descriptions.csv'] as const;
export const DATASET_IMAGES_FOLDER = 'train_images';
export const [TRAIN_CSV, COORDINATES_CSV, SERIES_CSV] = DATASET_FILES;
/** The held-out part as the competition ships it: images and series descriptions, no labels or points. */
export const TEST_IMAGES_FOLDER = 'test_images';
export const TEST_SERIES_CSV = 'test_series_descriptions.csv';

/** The header of each CSV file, in the order the competition writes it. */
export const TRAIN_COLUMNS: readonly string[] = [
  'study_id',
  ...CONDITIONS.flatMap((condition) => LEVELS.map((level) => gradeColumn(condition, level))),
];
export const COORDINATE_COLUMNS = ['study_id', 'series_id', 'instance_number', 'condition', 'level', 'x', 'y'] as const;
export const SERIES_COLUMNS = ['study_id', 'series_id', 'series_description'] as const;

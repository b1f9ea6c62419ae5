// Writes a synthetic dataset in the RSNA 2024 LSDC layout: the three CSV files and
// train_images/<study_id>/<series_id>/<instance_number>.dcm, every study drawn from its own seeded stream.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeMrImage, uidFor, type StudyHeader } from './dicomWriter';
import { drawStudyGrades, type StudyGrades } from './grades';
import {
  CONDITION_LABELS,
  CONDITIONS,
  COORDINATE_COLUMNS,
  COORDINATES_CSV,
  DATASET_IMAGES_FOLDER,
  GRADES,
  LABELLED_SERIES,
  LEVELS,
  SERIES_COLUMNS,
  SERIES_CSV,
  TRAIN_COLUMNS,
  TRAIN_CSV,
  type Condition,
  type SeriesDescription,
} from '../lsdcVocabulary';
import { LumbarPhantom, type Vec3 } from './phantom';
import { deriveSeed, integerBetween, mulberry32, mulberry32Integers, uniform, type Random } from '../random';
import { defaultWindow, drawAcquisition, renderSlice } from './render';
import {
  axialSeries,
  nearestInstance,
  planSagittal,
  projectToPixel,
  sagittalSeries,
  type SeriesGeometry,
} from './seriesGeometry';
import { signalTable } from './tissues';

export interface SyntheticParameters {
  studies: number;
  seed: number;
}

export interface GradeCount {
  'Normal/Mild': number;
  Moderate: number;
  Severe: number;
  missing: number;
}

export interface GenerationSummary {
  studies: number;
  series: number;
  files: number;
  bytes: number;
  gradeCounts: Record<Condition, GradeCount>;
}

/** The order a study acquires (and numbers) its series; it fixes which random draw names which series. */
const ACQUISITION_ORDER: readonly SeriesDescription[] = ['Sagittal T1', 'Sagittal T2/STIR', 'Axial T2'];

/** One label coordinate row (train_label_coordinates.csv). */
interface CoordinateRow {
  seriesId: string;
  instanceNumber: number;
  condition: string;
  level: string;
  x: number;
  y: number;
}

interface StudyPlan {
  studyId: string;
  grades: StudyGrades;
  phantom: LumbarPhantom;
  series: { id: string; geometry: SeriesGeometry; contrast: 'T1' | 'T2' }[];
  random: Random;
}

/** How many file writes may be in flight while the next images render. */
const WRITE_CONCURRENCY = 8;

/**
 * Writes `parameters.studies` studies into `root` (which must exist and hold no other dataset: callers check).
 * Study k is the same for a given seed whatever the number of studies.
 */
export async function generateSyntheticDataset(root: string, parameters: SyntheticParameters): Promise<GenerationSummary> {
  const identifiers = drawIdentifiers(mulberry32(deriveSeed(parameters.seed, 'identifiers')), parameters.studies);
  const writer = new BoundedWriter(WRITE_CONCURRENCY);
  const trainRows: string[][] = [];
  const seriesRows: string[][] = [];
  const coordinateRows: string[][] = [];
  const gradeCounts = emptyGradeCounts();
  let files = 0;

  for (let index = 0; index < parameters.studies; index++) {
    const { studyId, seriesIds } = identifiers[index]!;
    const plan = planStudy(parameters.seed, index, studyId, seriesIds);
    const header: StudyHeader = {
      studyId,
      studyInstanceUid: uidFor('radlab-synthetic', parameters.seed, studyId),
      frameOfReferenceUid: uidFor('radlab-synthetic', parameters.seed, studyId, 'frame'),
      studyDate: `20${integerBetween(plan.random, 10, 23)}${pad(integerBetween(plan.random, 1, 12))}${pad(integerBetween(plan.random, 1, 28))}`,
      studyTime: `${pad(integerBetween(plan.random, 7, 19))}${pad(integerBetween(plan.random, 0, 59))}${pad(integerBetween(plan.random, 0, 59))}`,
    };
    const noise = mulberry32Integers(deriveSeed(parameters.seed, 'noise', index));
    for (const [seriesIndex, series] of plan.series.entries()) {
      const seriesDir = join(root, DATASET_IMAGES_FOLDER, studyId, series.id);
      await mkdir(seriesDir, { recursive: true });
      const seriesHeader = {
        seriesId: series.id,
        seriesInstanceUid: uidFor('radlab-synthetic', parameters.seed, studyId, series.id),
        seriesNumber: seriesIndex + 1,
        contrast: series.contrast,
      };
      const centre = series.geometry.slices[Math.floor(series.geometry.slices.length / 2)]!.position;
      const signal = signalTable(series.contrast, () => uniform(plan.random, 0.9, 1.1));
      const acquisition = drawAcquisition(plan.random, signal, centre);
      for (const [sliceIndex, slice] of series.geometry.slices.entries()) {
        const instanceNumber = sliceIndex + 1;
        const pixels = renderSlice(plan.phantom, series.geometry, slice, acquisition, noise);
        const window = defaultWindow(pixels);
        const file = writeMrImage(header, seriesHeader, series.geometry, slice, {
          instanceNumber,
          sopInstanceUid: uidFor('radlab-synthetic', parameters.seed, studyId, series.id, instanceNumber),
          windowCentre: window.centre,
          windowWidth: window.width,
        }, pixels);
        await writer.write(join(seriesDir, `${instanceNumber}.dcm`), file);
        files++;
      }
      seriesRows.push([studyId, series.id, series.geometry.description]);
    }
    trainRows.push([studyId, ...trainCells(plan.grades, gradeCounts)]);
    for (const row of labelCoordinates(plan)) {
      coordinateRows.push([studyId, row.seriesId, String(row.instanceNumber), row.condition, row.level, String(row.x), String(row.y)]);
    }
  }
  await writer.finish();

  const byStudy = (a: string[], b: string[]) => Number(a[0]) - Number(b[0]);
  await writeCsv(join(root, TRAIN_CSV), TRAIN_COLUMNS, trainRows.sort(byStudy));
  await writeCsv(join(root, SERIES_CSV), SERIES_COLUMNS, seriesRows.sort(byStudy));
  await writeCsv(join(root, COORDINATES_CSV), COORDINATE_COLUMNS, coordinateRows.sort(byStudy));
  return {
    studies: parameters.studies,
    series: seriesRows.length,
    files,
    bytes: writer.bytes,
    gradeCounts,
  };
}

/** Unique study and series ids, 7 to 10 digits like the competition's. */
function drawIdentifiers(random: Random, studies: number): { studyId: string; seriesIds: string[] }[] {
  const used = new Set<number>();
  const draw = (): string => {
    for (;;) {
      const id = integerBetween(random, 1_000_000, 4_294_967_295);
      if (!used.has(id)) {
        used.add(id);
        return String(id);
      }
    }
  };
  return Array.from({ length: studies }, () => ({ studyId: draw(), seriesIds: ACQUISITION_ORDER.map(draw) }));
}

function planStudy(seed: number, index: number, studyId: string, seriesIds: string[]): StudyPlan {
  const random = mulberry32(deriveSeed(seed, 'study', index));
  const grades = drawStudyGrades(random);
  const phantom = new LumbarPhantom(random, grades);
  const sagittal = planSagittal(random, phantom);
  const geometryFor = (description: SeriesDescription): SeriesGeometry =>
    description === 'Axial T2' ? axialSeries(random, phantom) : sagittalSeries(description, sagittal);
  return {
    studyId,
    grades,
    phantom,
    random,
    series: ACQUISITION_ORDER.map((description, i) => ({
      id: seriesIds[i]!,
      geometry: geometryFor(description),
      contrast: description === 'Sagittal T1' ? 'T1' : 'T2',
    })),
  };
}

/**
 * Where each labelled level is, in pixels of the instance a reader would mark it on: the canal at its disc on
 * the mid-sagittal T2, each foramen on the parasagittal T1 slice through it, each lateral recess on the axial
 * slice through its disc.
 */
function labelCoordinates(plan: StudyPlan): CoordinateRow[] {
  const rows: CoordinateRow[] = [];
  const seriesOf = (description: SeriesDescription) => plan.series.find((series) => series.geometry.description === description)!;
  for (const condition of CONDITIONS) {
    const series = seriesOf(LABELLED_SERIES[condition]);
    LEVELS.forEach((level, levelIndex) => {
      if (!plan.grades.labelled[condition][levelIndex]) return;
      const side = condition.startsWith('left_') ? 'left' : 'right';
      let point: Vec3;
      let instanceNumber: number;
      if (condition === 'spinal_canal_stenosis') {
        point = plan.phantom.canalCentre(levelIndex);
        instanceNumber = nearestInstance(series.geometry, point);
      } else if (condition.endsWith('neural_foraminal_narrowing')) {
        point = plan.phantom.foramenCentre(levelIndex, side, plan.phantom.foramenLateralOffset);
        instanceNumber = nearestInstance(series.geometry, point);
      } else {
        point = plan.phantom.recessCentre(levelIndex, side);
        instanceNumber = nearestInstance(series.geometry, point, (slice) => slice.level === levelIndex);
      }
      const pixel = projectToPixel(series.geometry, series.geometry.slices[instanceNumber - 1]!, point);
      rows.push({
        seriesId: series.id,
        instanceNumber,
        condition: CONDITION_LABELS[condition],
        level,
        x: Number(pixel.x.toFixed(6)),
        y: Number(pixel.y.toFixed(6)),
      });
    });
  }
  return rows;
}

function emptyGradeCounts(): Record<Condition, GradeCount> {
  const counts = {} as Record<Condition, GradeCount>;
  for (const condition of CONDITIONS) counts[condition] = { 'Normal/Mild': 0, Moderate: 0, Severe: 0, missing: 0 };
  return counts;
}

/** train.csv cells in TRAIN_COLUMNS order (empty where unlabelled), counted into `counts`. */
function trainCells(grades: StudyGrades, counts: Record<Condition, GradeCount>): string[] {
  return CONDITIONS.flatMap((condition) =>
    LEVELS.map((_, level) => {
      if (!grades.labelled[condition][level]) {
        counts[condition].missing++;
        return '';
      }
      const label = GRADES[grades.grade[condition][level]!];
      counts[condition][label]++;
      return label;
    }),
  );
}

// Every value we write is a number, a fixed label or an id: none holds a comma, quote or newline, so joining
// is exact CSV and needs no quoting library.
async function writeCsv(path: string, header: readonly string[], rows: string[][]): Promise<void> {
  await writeFile(path, [header, ...rows].map((row) => row.join(',')).join('\n') + '\n');
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Writes files with at most `limit` in flight, so rendering continues while the disk catches up. */
class BoundedWriter {
  bytes = 0;
  private readonly pending = new Set<Promise<void>>();
  private failure: unknown = undefined;

  constructor(private readonly limit: number) {}

  async write(path: string, data: Buffer): Promise<void> {
    this.throwIfFailed();
    while (this.pending.size >= this.limit) await Promise.race(this.pending);
    this.throwIfFailed();
    const done: Promise<void> = writeFile(path, data).then(
      () => {
        this.bytes += data.length;
        this.pending.delete(done);
      },
      (error: unknown) => {
        this.failure ??= error;
        this.pending.delete(done);
      },
    );
    this.pending.add(done);
  }

  async finish(): Promise<void> {
    await Promise.all(this.pending);
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}

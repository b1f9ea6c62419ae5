// Writes a synthetic dataset in the RSNA 2024 LSDC layout: the three CSV files and
// train_images/<study_id>/<series_id>/<instance_number>.dcm, every study drawn from its own seeded stream; on
// request also held-out studies as the competition ships them (test_images/ and test_series_descriptions.csv).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeMrImage, uidFor, type StudyHeader } from './dicomWriter';
import type { StudyGrades } from './grades';
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
  TEST_IMAGES_FOLDER,
  TEST_SERIES_CSV,
  TRAIN_CSV,
  type Condition,
} from '../lsdcVocabulary';
import type { Vec3 } from './phantom';
import { deriveSeed, integerBetween, mulberry32, mulberry32Integers, uniform, type Random } from '../random';
import { defaultWindow, drawAcquisition, renderSlice } from './render';
import { nearestSlice, projectToPixel } from './seriesGeometry';
import { signalTable } from './tissues';
import { assignMessyCases, messyCaseList, type MessyCase, type MessyOptions } from './messy';
import { ACQUISITION_ORDER, planStudy, type StudyPlan } from './studyPlan';

export interface SyntheticParameters {
  studies: number;
  seed: number;
  /** Irregularities of the real data to reproduce; absent for a clean dataset. */
  messy?: MessyOptions;
  /**
   * Further studies written as the competition's held-out part: test_images/ and its series descriptions.
   * Named as the experiment's data.synthetic key, so that block is these parameters as resolved.
   */
  test_studies?: number;
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
  /** Held-out studies written to test_images/ (absent when none were asked for). */
  testStudies?: number;
  /** The study ids each requested irregularity was given to, labelled studies first, then held-out ones. */
  messy?: Partial<Record<MessyCase, string[]>>;
}

/** One label coordinate row (train_label_coordinates.csv). */
interface CoordinateRow {
  seriesId: string;
  instanceNumber: number;
  condition: string;
  level: string;
  x: number;
  y: number;
}

/** How many file writes may be in flight while the next images render. */
const WRITE_CONCURRENCY = 8;

/** Rows of the CSV files, gathered while the images are written. */
interface Tables {
  train: string[][];
  series: string[][];
  coordinates: string[][];
  testSeries: string[][];
}

/**
 * Writes `parameters.studies` studies into `root` (which must exist and hold no other dataset: callers check),
 * then `parameters.test_studies` held-out ones. Study k is the same for a given seed whatever the number of
 * studies, and the labelled part is the same whatever the number of held-out studies.
 */
export async function generateSyntheticDataset(root: string, parameters: SyntheticParameters): Promise<GenerationSummary> {
  const testStudies = parameters.test_studies ?? 0;
  const identifiers = new IdentifierPool(mulberry32(deriveSeed(parameters.seed, 'identifiers')));
  const writer = new BoundedWriter(WRITE_CONCURRENCY);
  const tables: Tables = { train: [], series: [], coordinates: [], testSeries: [] };
  const gradeCounts = emptyGradeCounts();
  const messyStudies: Partial<Record<MessyCase, string[]>> = {};
  for (const name of parameters.messy === undefined ? [] : messyCaseList(parameters.messy.cases)) messyStudies[name] = [];
  let files = 0;

  // Held-out ids are drawn after every labelled study is planned (a repeated series draws an extra id), so the
  // labelled part does not depend on how many held-out studies there are.
  for (const [population, count] of [['train', parameters.studies], ['test', testStudies]] as const) {
    const ids = identifiers.studies(count);
    const cases = assignMessyCases(parameters.seed, population, ids.length, parameters.messy);
    for (const [index, { studyId, seriesIds }] of ids.entries()) {
      const plan = planStudy({
        seed: parameters.seed,
        population,
        index,
        studyId,
        seriesIds,
        cases: cases[index]!,
        newId: () => identifiers.next(),
      });
      for (const name of plan.cases) messyStudies[name]!.push(studyId);
      const folder = population === 'train' ? DATASET_IMAGES_FOLDER : TEST_IMAGES_FOLDER;
      files += await writeStudyImages(join(root, folder), parameters.seed, population, index, plan, writer);
      for (const series of plan.series) {
        if (series.listed) (population === 'train' ? tables.series : tables.testSeries).push([studyId, series.id, series.geometry.description]);
      }
      if (!plan.labelled) continue;
      tables.train.push([studyId, ...trainCells(plan.grades, gradeCounts)]);
      for (const row of labelCoordinates(plan)) {
        tables.coordinates.push([studyId, row.seriesId, String(row.instanceNumber), row.condition, row.level, String(row.x), String(row.y)]);
      }
    }
  }
  await writer.finish();

  const byStudy = (a: string[], b: string[]) => Number(a[0]) - Number(b[0]);
  await writeCsv(join(root, TRAIN_CSV), TRAIN_COLUMNS, tables.train.sort(byStudy));
  await writeCsv(join(root, SERIES_CSV), SERIES_COLUMNS, tables.series.sort(byStudy));
  await writeCsv(join(root, COORDINATES_CSV), COORDINATE_COLUMNS, tables.coordinates.sort(byStudy));
  if (testStudies > 0) await writeCsv(join(root, TEST_SERIES_CSV), SERIES_COLUMNS, tables.testSeries.sort(byStudy));
  return {
    studies: parameters.studies,
    series: tables.series.length,
    files,
    bytes: writer.bytes,
    gradeCounts,
    ...(testStudies > 0 ? { testStudies } : {}),
    ...(parameters.messy !== undefined ? { messy: messyStudies } : {}),
  };
}

/** Renders and writes every series of a study into `<imagesRoot>/<study>/<series>/<instance>.dcm`. */
async function writeStudyImages(
  imagesRoot: string,
  seed: number,
  population: 'train' | 'test',
  index: number,
  plan: StudyPlan,
  writer: BoundedWriter,
): Promise<number> {
  const { studyId } = plan;
  const header: StudyHeader = {
    studyId,
    studyInstanceUid: uidFor('radlab-synthetic', seed, studyId),
    frameOfReferenceUid: uidFor('radlab-synthetic', seed, studyId, 'frame'),
    studyDate: `20${integerBetween(plan.random, 10, 23)}${pad(integerBetween(plan.random, 1, 12))}${pad(integerBetween(plan.random, 1, 28))}`,
    studyTime: `${pad(integerBetween(plan.random, 7, 19))}${pad(integerBetween(plan.random, 0, 59))}${pad(integerBetween(plan.random, 0, 59))}`,
  };
  const noise = mulberry32Integers(deriveSeed(seed, population === 'train' ? 'noise' : 'test-noise', index));
  let files = 0;
  for (const [seriesIndex, series] of plan.series.entries()) {
    const seriesDir = join(imagesRoot, studyId, series.id);
    await mkdir(seriesDir, { recursive: true });
    const seriesHeader = {
      seriesId: series.id,
      seriesInstanceUid: uidFor('radlab-synthetic', seed, studyId, series.id),
      seriesNumber: seriesIndex + 1,
      contrast: series.contrast,
    };
    const centre = series.geometry.slices[Math.floor(series.geometry.slices.length / 2)]!.position;
    const signal = signalTable(series.contrast, () => uniform(plan.random, 0.9, 1.1));
    const acquisition = drawAcquisition(plan.random, signal, centre);
    for (const [sliceIndex, slice] of series.geometry.slices.entries()) {
      const instanceNumber = series.instanceNumbers[sliceIndex]!;
      const pixels = renderSlice(plan.phantom, series.geometry, slice, acquisition, noise);
      const window = defaultWindow(pixels);
      const file = writeMrImage(header, seriesHeader, series.geometry, slice, {
        instanceNumber,
        sopInstanceUid: uidFor('radlab-synthetic', seed, studyId, series.id, instanceNumber),
        windowCentre: window.centre,
        windowWidth: window.width,
      }, pixels);
      await writer.write(join(seriesDir, `${instanceNumber}.dcm`), file);
      files++;
    }
  }
  return files;
}

/** Unique study and series ids, 7 to 10 digits like the competition's, drawn in a fixed order from one stream. */
class IdentifierPool {
  private readonly used = new Set<number>();

  constructor(private readonly random: Random) {}

  next(): string {
    for (;;) {
      const id = integerBetween(this.random, 1_000_000, 4_294_967_295);
      if (!this.used.has(id)) {
        this.used.add(id);
        return String(id);
      }
    }
  }

  /** A study id and one series id per type of ACQUISITION_ORDER, for each of `count` studies. */
  studies(count: number): { studyId: string; seriesIds: string[] }[] {
    return Array.from({ length: count }, () => ({ studyId: this.next(), seriesIds: ACQUISITION_ORDER.map(() => this.next()) }));
  }
}

/**
 * Where each labelled level is, in pixels of the instance a reader would mark it on: the canal at its disc on
 * the mid-sagittal T2, each foramen on the parasagittal T1 slice through it, each lateral recess on the axial
 * slice through its disc. A level gets no point when its series type is missing or its point was dropped.
 */
function labelCoordinates(plan: StudyPlan): CoordinateRow[] {
  const rows: CoordinateRow[] = [];
  for (const condition of CONDITIONS) {
    LEVELS.forEach((level, levelIndex) => {
      if (!plan.grades.labelled[condition][levelIndex] || plan.droppedPoints.has(`${condition}/${levelIndex}`)) return;
      const series = plan.series.find(
        (one) => one.geometry.description === LABELLED_SERIES[condition] && one.carriesPoints[levelIndex],
      );
      if (series === undefined) return;
      const side = condition.startsWith('left_') ? 'left' : 'right';
      let point: Vec3;
      let sliceIndex: number;
      if (condition === 'spinal_canal_stenosis') {
        point = plan.phantom.canalCentre(levelIndex);
        sliceIndex = nearestSlice(series.geometry, point);
      } else if (condition.endsWith('neural_foraminal_narrowing')) {
        point = plan.phantom.foramenCentre(levelIndex, side, plan.phantom.foramenLateralOffset);
        sliceIndex = nearestSlice(series.geometry, point);
      } else {
        point = plan.phantom.recessCentre(levelIndex, side);
        sliceIndex = nearestSlice(series.geometry, point, (slice) => slice.level === levelIndex);
      }
      const pixel = projectToPixel(series.geometry, series.geometry.slices[sliceIndex]!, point);
      rows.push({
        seriesId: series.id,
        instanceNumber: series.instanceNumbers[sliceIndex]!,
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

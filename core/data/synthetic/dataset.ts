// A synthetic dataset folder is marked by synthetic.json, which records the parameters it was made with. The
// marker is what allows regenerating into a folder that is not empty: a folder without it is someone's data.
import { readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { generateSyntheticDataset, type GenerationSummary, type SyntheticParameters } from './generate';
import { COORDINATES_CSV, DATASET_IMAGES_FOLDER, SERIES_CSV, TEST_IMAGES_FOLDER, TEST_SERIES_CSV, TRAIN_CSV } from '../lsdcVocabulary';
import { checkMessyOptions, messyCaseList, type MessyOptions } from './messy';

export const MARKER_FILE = 'synthetic.json';
export const GENERATOR = 'radlab-synthetic-lsdc';
/** Raised whenever the same parameters would produce different files, so old datasets are regenerated. */
export const GENERATOR_VERSION = 1;

export interface SyntheticMarker {
  generator: typeof GENERATOR;
  version: number;
  studies: number;
  seed: number;
  messy?: MessyOptions;
  test_studies?: number;
  /** False while generation is under way: an interrupted dataset is regenerated, not trusted. */
  complete: boolean;
  summary?: GenerationSummary;
}

export interface EnsureResult {
  /** False when the folder already held a complete dataset with these parameters. */
  generated: boolean;
  summary: GenerationSummary;
  seconds: number;
}

const DATASET_ENTRIES = [TRAIN_CSV, SERIES_CSV, COORDINATES_CSV, DATASET_IMAGES_FOLDER, TEST_SERIES_CSV, TEST_IMAGES_FOLDER, MARKER_FILE];

export function checkParameters(parameters: SyntheticParameters): void {
  if (!Number.isInteger(parameters.studies) || parameters.studies < 1 || parameters.studies > 100_000) {
    throw new Error(`studies must be a whole number from 1 to 100000, got ${parameters.studies}`);
  }
  if (!Number.isInteger(parameters.seed) || parameters.seed < 0 || parameters.seed > 0xffffffff) {
    throw new Error(`seed must be a whole number from 0 to 4294967295, got ${parameters.seed}`);
  }
  const testStudies = parameters.test_studies ?? 0;
  if (!Number.isInteger(testStudies) || testStudies < 0 || testStudies > 100_000) {
    throw new Error(`test studies must be a whole number from 0 to 100000, got ${testStudies}`);
  }
  if (parameters.messy !== undefined) checkMessyOptions(parameters.messy, parameters.studies);
}

/** The parameters in one canonical form: messy cases listed and sorted, no held-out count of 0. */
function canonical(parameters: SyntheticParameters): SyntheticParameters {
  const { studies, seed, messy, test_studies } = parameters;
  return {
    studies,
    seed,
    ...(messy !== undefined ? { messy: { cases: messyCaseList(messy.cases), rate: messy.rate } } : {}),
    ...(test_studies !== undefined && test_studies > 0 ? { test_studies } : {}),
  };
}


/**
 * Makes `dir` hold the synthetic dataset for `parameters`: does nothing when it already does, regenerates a
 * synthetic dataset made with other parameters (or left incomplete), and refuses a non-empty folder that is
 * not a synthetic dataset.
 */
export async function ensureSyntheticDataset(dir: string, requested: SyntheticParameters): Promise<EnsureResult> {
  checkParameters(requested);
  const parameters = canonical(requested);
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  if (entries.length > 0) {
    const marker = await readMarker(dir);
    if (marker === undefined) {
      throw new Error(
        `${dir} is not empty and has no ${MARKER_FILE}, so it is not a synthetic dataset: refusing to write into it. ` +
          'Choose an empty or new folder.',
      );
    }
    if (marker.complete && marker.summary !== undefined && marker.version === GENERATOR_VERSION && JSON.stringify(canonical(marker)) === JSON.stringify(parameters)) {
      return { generated: false, summary: marker.summary, seconds: 0 };
    }
    for (const entry of DATASET_ENTRIES) await rm(join(dir, entry), { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  const started = process.hrtime.bigint();
  await writeMarker(dir, { generator: GENERATOR, version: GENERATOR_VERSION, ...parameters, complete: false });
  const summary = await generateSyntheticDataset(dir, parameters);
  await writeMarker(dir, { generator: GENERATOR, version: GENERATOR_VERSION, ...parameters, complete: true, summary });
  return { generated: true, summary, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

/** The marker of a synthetic dataset folder, or undefined when there is none. Throws on a damaged marker. */
export async function readMarker(dir: string): Promise<SyntheticMarker | undefined> {
  const path = join(dir, MARKER_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  let marker: unknown;
  try {
    marker = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON (${(error as Error).message}); delete the folder to regenerate it.`);
  }
  const fields = marker as Partial<SyntheticMarker>;
  if (fields === null || typeof fields !== 'object' || fields.generator !== GENERATOR) {
    throw new Error(`${path} was not written by ${GENERATOR}; refusing to treat the folder as a synthetic dataset.`);
  }
  return fields as SyntheticMarker;
}

async function writeMarker(dir: string, marker: SyntheticMarker): Promise<void> {
  await writeFile(join(dir, MARKER_FILE), JSON.stringify(marker, null, 2) + '\n');
}

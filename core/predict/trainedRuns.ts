// Trained runs loaded for prediction. A path is a run folder (experiment.resolved.yaml + trained_models/) or an
// experiment's output folder, which stands for its newest completed run. A grading run brings its condition,
// input settings and the training prior (the grade frequencies of its training split, with add-one smoothing so
// no grade is ever impossible) that rows without a usable image get; a localizer brings localizer.json.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse } from 'yaml';
import { indexTables } from '../data/datasetIndex';
import { readDatasetTables } from '../data/datasetTables';
import { GRADES, LEVELS } from '../data/lsdcVocabulary';
import { SPLIT_FILE, splitDataset } from '../data/splits';
import type { ResolvedRun } from '../experiment/resolvedRun';
import { LOCALIZER_FILE, readLocalizerFile, type LocalizerDescription } from '../localize/localizerFile';
import { LevelLocalizer } from '../localize/localizerModel';
import { loadClassifier } from '../models/checkpoint';
import type { LevelClassifier } from '../models/classifier';
import { METRICS_FILE, type RunMetricsFile } from '../run/metricsFile';
import { BEST_MODEL_FILE } from '../run/results';
import { classifierFor } from '../run/runClassifier';
import { runPaths } from '../run/runFolder';
import { readRunRecordIfAny } from '../run/runRecord';

export interface TrainedClassifier {
  kind: 'classifier';
  dir: string;
  run: ResolvedRun;
  model: LevelClassifier;
  /** Normal/Mild, Moderate, Severe probabilities for a level that cannot be graded from an image. */
  prior: number[];
}

export interface TrainedLocalizer {
  kind: 'localizer';
  dir: string;
  description: LocalizerDescription;
  /** The coarse stage, and the refinement stage when the run trained one (description.refine). */
  model: LevelLocalizer;
  refiner?: LevelLocalizer;
}

export type TrainedRun = TrainedClassifier | TrainedLocalizer;

function isRunFolder(dir: string): boolean {
  return existsSync(runPaths(dir, '').resolvedExperiment);
}

/** The run folder a path names: itself, or the newest completed run folder inside an experiment folder. */
export function resolveRunFolder(path: string): string {
  if (!existsSync(path) || !statSync(path).isDirectory())
    throw new Error(`${path} is not a folder: give a run folder or an experiment's output folder`);
  if (isRunFolder(path)) return path;
  const completed = readdirSync(path)
    .map((name) => join(path, name))
    .filter((dir) => isRunFolder(dir) && readRunRecordIfAny(runPaths(dir, '').runJson)?.status === 'completed')
    .sort();
  if (completed.length === 0)
    throw new Error(
      `${path} holds no completed run folder (with experiment.resolved.yaml and run.json status completed)`,
    );
  return completed[completed.length - 1]!;
}

/** Grade frequencies of the run's training split, smoothed: (count + 1) / (total + 3). */
export async function trainingPrior(run: ResolvedRun): Promise<number[]> {
  const tables = await readDatasetTables(run.data.root);
  const split = splitDataset(tables, run.data.split);
  const index = indexTables(tables, {
    condition: run.data.condition,
    levels: run.data.levels,
    series: run.data.series,
  });
  const counts = GRADES.map(() => 1);
  for (const sample of index.samples) if (split.splitOf.get(sample.studyId) === 'train') counts[sample.gradeIndex]!++;
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((count) => count / total);
}

export async function loadTrainedRun(path: string): Promise<TrainedRun> {
  const dir = resolveRunFolder(path);
  const paths = runPaths(dir, '');
  const run = parse(readFileSync(paths.resolvedExperiment, 'utf8')) as ResolvedRun;
  const weights = join(paths.trainedModels, BEST_MODEL_FILE);
  if (!existsSync(weights)) throw new Error(`${dir} has no trained model (${weights}); did the run complete?`);
  if (run.model.task === 'localizer') {
    const description = readLocalizerFile(join(paths.trainedModels, LOCALIZER_FILE));
    const levelIndices = description.levels.map((level) => LEVELS.indexOf(level));
    const model = LevelLocalizer.create(description.backbone, description.head, levelIndices, 0, description.origin);
    await loadClassifier(weights, model.network);
    if (description.refine === undefined) return { kind: 'localizer', dir, description, model };
    const refiner = LevelLocalizer.create(description.backbone, description.head, levelIndices, 0);
    await loadClassifier(join(paths.trainedModels, description.refine.weights), refiner.network);
    return { kind: 'localizer', dir, description, model, refiner };
  }
  const model = classifierFor(run);
  await loadClassifier(weights, model);
  let prior: number[];
  try {
    prior = await trainingPrior(run);
  } catch (error) {
    throw new Error(
      `${dir}: the training prior needs the run's dataset at ${run.data.root} (${(error as Error).message})`,
    );
  }
  return { kind: 'classifier', dir, run, model, prior };
}

/** The studies a run held out for its test (split.csv beside its results). */
export function testStudiesOf(path: string): Set<string> {
  const dir = resolveRunFolder(path);
  const file = join(dir, SPLIT_FILE);
  if (!existsSync(file)) throw new Error(`${dir} has no ${SPLIT_FILE}, so its test studies are unknown`);
  const rows = parseCsv(readFileSync(file, 'utf8'), { columns: true }) as { study_id: string; split: string }[];
  return new Set(rows.filter((row) => row.split === 'test').map((row) => row.study_id));
}

/** A grading run's own test score, measured at the marked (ground-truth) coordinates. */
export function groundTruthTestScore(run: TrainedClassifier): number | undefined {
  const file = join(runPaths(run.dir, '').results, METRICS_FILE);
  if (!existsSync(file)) return undefined;
  return (JSON.parse(readFileSync(file, 'utf8')) as RunMetricsFile).test.rsna.score;
}

// A training checkpoint: the model, the optimizer's state and the progress of the run, enough to continue an
// interrupted run exactly where its last completed epoch left it. Optimizer state is stored under the model's
// parameter names (not tfjs's process-local variable names), so it loads into a freshly built model.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { loadClassifier, saveClassifier } from '../models/checkpoint';
import type { LevelClassifier } from '../models/classifier';
import { readSafetensors, writeSafetensors } from '../models/safetensors';
import type { SlotOptimizer } from './slotOptimizer';

export interface EpochHistory {
  epoch: number;
  lr: number;
  seconds: number;
  train: { loss: number; accuracy: number; macroF1: number };
  val: { loss: number; accuracy: number; macroF1: number; weightedLogLoss: number };
}

export interface TrainingProgress {
  /** Epochs completed (1-based count); training continues with epoch `completedEpochs + 1`. */
  completedEpochs: number;
  globalStep: number;
  history: EpochHistory[];
  bestEpoch: number;
  bestScore: number;
  epochsWithoutImprovement: number;
}

const MODEL_FILE = 'model.safetensors';
const OPTIMIZER_FILE = 'optimizer.safetensors';
const PROGRESS_FILE = 'progress.json';

/** Model parameter names by tfjs variable name, and back. */
function parameterNames(model: LevelClassifier): Map<string, string> {
  const names = new Map<string, string>();
  for (const record of model.backbone.parameters) names.set(record.variable.name, `backbone.${record.name}`);
  for (const record of model.head.parameters) names.set(record.variable.name, `head.${record.name}`);
  return names;
}

function renameEntry(name: string, mapping: Map<string, string>): string {
  const cut = name.lastIndexOf('/');
  const variable = cut < 0 ? name : name.slice(0, cut);
  const mapped = mapping.get(variable);
  return mapped === undefined ? name : `${mapped}${name.slice(variable.length)}`;
}

export async function saveTrainingCheckpoint(
  folder: string,
  model: LevelClassifier,
  optimizer: SlotOptimizer,
  progress: TrainingProgress,
): Promise<void> {
  // Written beside the old one and swapped in, so a crash while saving leaves the previous checkpoint whole.
  const staging = `${folder}.saving`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await saveClassifier(join(staging, MODEL_FILE), model, { epoch: String(progress.completedEpochs) });
  const names = parameterNames(model);
  const weights = await optimizer.getWeights();
  const tensors = await Promise.all(
    weights.map(async ({ name, tensor }) => ({
      name: renameEntry(name, names),
      dtype: tensor.dtype === 'int32' ? ('I64' as const) : ('F32' as const),
      shape: tensor.shape,
      data: tensor.dtype === 'int32' ? Int32Array.from(await tensor.data()) : Float32Array.from(await tensor.data()),
    })),
  );
  // The slots are the optimizer's own variables; the step counts and iteration number are scalars made for this save.
  tf.dispose(weights.flatMap(({ tensor }) => (tensor instanceof tf.Variable ? [] : [tensor])));
  await writeSafetensors(join(staging, OPTIMIZER_FILE), tensors);
  writeFileSync(join(staging, PROGRESS_FILE), `${JSON.stringify(progress, null, 2)}\n`);
  swapInCheckpoint(staging, folder);
}

/** Where the previous checkpoint waits while a new one is swapped in. */
export function asideFolder(folder: string): string {
  return `${folder}.previous`;
}

/**
 * Replaces `folder` by the complete `staging` folder so that a crash at any point leaves one whole checkpoint:
 * the old one is renamed aside (not deleted) before the new one takes its name, and deleted only after. Deleting
 * first (as this once did) left a window with no checkpoint at all. A crash between the two renames leaves only
 * the aside copy, which readableCheckpoint falls back to.
 */
export function swapInCheckpoint(staging: string, folder: string): void {
  const aside = asideFolder(folder);
  rmSync(aside, { recursive: true, force: true });
  if (existsSync(folder)) renameSync(folder, aside);
  renameSync(staging, folder);
  rmSync(aside, { recursive: true, force: true });
}

function isComplete(folder: string): boolean {
  // progress.json is written last into the staging folder, so its presence means the rest is there too.
  return existsSync(join(folder, PROGRESS_FILE)) && existsSync(join(folder, MODEL_FILE));
}

/** The folder holding the checkpoint saved as `folder`: itself, or its aside copy after a crash mid-swap. */
export function readableCheckpoint(folder: string): string | undefined {
  if (isComplete(folder)) return folder;
  const aside = asideFolder(folder);
  return isComplete(aside) ? aside : undefined;
}

export function hasTrainingCheckpoint(folder: string): boolean {
  return readableCheckpoint(folder) !== undefined;
}

export async function loadTrainingCheckpoint(
  folder: string,
  model: LevelClassifier,
  optimizer: SlotOptimizer,
): Promise<TrainingProgress> {
  const from = readableCheckpoint(folder) ?? folder;
  await loadClassifier(join(from, MODEL_FILE), model);
  const byParameter = new Map([...parameterNames(model)].map(([variable, parameter]) => [parameter, variable]));
  const { tensors } = await readSafetensors(join(from, OPTIMIZER_FILE));
  const weights = [...tensors].map(([name, tensor]) => ({
    name: renameEntry(name, byParameter),
    tensor: tf.tensor(tensor.data as Float32Array, tensor.shape, tensor.dtype === 'I64' ? 'int32' : 'float32'),
  }));
  await optimizer.setWeights(weights);
  weights.forEach(({ tensor }) => tensor.dispose());
  return JSON.parse(readFileSync(join(from, PROGRESS_FILE), 'utf8')) as TrainingProgress;
}

/** The best epoch's model alone, for testing and for trained_models/. */
export async function saveBestModel(path: string, model: LevelClassifier, epoch: number): Promise<void> {
  // Written beside and renamed over: a crash mid-write must not leave a torn best model for the test phase.
  const partial = `${path}.partial`;
  await saveClassifier(partial, model, { epoch: String(epoch) });
  renameSync(partial, path);
}

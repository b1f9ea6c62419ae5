// Completed run folders holding untrained networks, as `radlab predict` reads them: the tests of predict check its
// plumbing (rows, priors, positions) without training. A localizer's last layer starts at zero, so it outputs the
// origin it is given: the mean-position baseline a localizer run starts from.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LABELLED_SERIES, LEVELS, type Condition } from '../../core/data/lsdcVocabulary';
import { resolveExperiment } from '../../core/experiment/resolve';
import type { ResolvedRun } from '../../core/experiment/resolvedRun';
import { LOCALIZER_FILE, REFINE_MODEL_FILE, writeLocalizerFile } from '../../core/localize/localizerFile';
import { LevelLocalizer } from '../../core/localize/localizerModel';
import type { RefineSettings } from '../../core/localize/trainLocalizer';
import { saveClassifier } from '../../core/models/checkpoint';
import { LevelClassifier } from '../../core/models/classifier';

export type Task = 'classifier' | 'localizer';

export const TINY_HEAD = { embedding: 8, hidden: [16], dropout: 0 };
export const TINY_CROP_MM = 60;

/** The resolved run of a tiny experiment on `<workspace>/dataset`, written beside it. */
export function tinyResolvedRun(workspace: string, condition: Condition, task: Task): ResolvedRun {
  const file = join(workspace, `${task}-${condition}.experiment.yaml`);
  const text = [
    `name: ${task}-${condition.replace(/_/g, '-')}`,
    'data:',
    '  root: dataset',
    `  condition: ${condition}`,
    `  input: { mode: crop, crop_mm: ${TINY_CROP_MM}, size: 32 }`,
    '  split: { train: 0.5, val: 0.25, test: 0.25, seed: 3 }',
    'model:',
    `  task: ${task}`,
    '  backbones: resnet18',
    `  level_embedding: ${TINY_HEAD.embedding}`,
    `  head: { hidden: [${TINY_HEAD.hidden.join(', ')}], dropout: 0 }`,
    // A flip would show a one-sided condition's other side under the same label.
    'train: { augment: { hflip: 0 } }',
    'output: runs/',
    '',
  ].join('\n');
  writeFileSync(file, text);
  const resolved = resolveExperiment(text, file);
  assert.ok(resolved.ok, JSON.stringify(resolved.diagnostics));
  return resolved.runs[0]!;
}

/**
 * A completed run folder under `<workspace>/runs/` with an untrained network. A localizer places every level on
 * the slice nearest the stack's centre, at `origin` (per level, x and y as fractions of the slice square); given
 * `refine`, it has an untrained refinement stage too, which moves each level to the centre of its square.
 */
export async function untrainedRunFolder(
  workspace: string,
  condition: Condition,
  task: Task,
  origin: [number, number][] = LEVELS.map((_, i) => [0.5, 0.3 + 0.1 * i]),
  refine?: RefineSettings,
): Promise<string> {
  const run = tinyResolvedRun(workspace, condition, task);
  const experiment = `${task}-${condition}${refine === undefined ? '' : '-refined'}`;
  const dir = join(workspace, 'runs', experiment, '20260101-000000-resnet18');
  mkdirSync(join(dir, 'trained_models'), { recursive: true });
  writeFileSync(join(dir, 'experiment.resolved.yaml'), stringify(run));
  writeFileSync(join(dir, 'run.json'), JSON.stringify({ status: 'completed' }));
  const weights = join(dir, 'trained_models', 'model.safetensors');
  if (task === 'localizer') {
    const localizer = LevelLocalizer.create('resnet18', TINY_HEAD, [0, 1, 2, 3, 4], 1, origin);
    await saveClassifier(weights, localizer.network);
    localizer.dispose();
    if (refine !== undefined) {
      const refiner = LevelLocalizer.create('resnet18', TINY_HEAD, [0, 1, 2, 3, 4], 2);
      await saveClassifier(join(dir, 'trained_models', REFINE_MODEL_FILE), refiner.network);
      refiner.dispose();
    }
    writeLocalizerFile(join(dir, 'trained_models', LOCALIZER_FILE), {
      condition,
      seriesDescription: LABELLED_SERIES[condition],
      levels: [...LEVELS],
      backbone: 'resnet18',
      head: TINY_HEAD,
      input: { size: 32, window: 'auto' },
      normalize: 'imagenet',
      slicePrior: [0, 0, 0, 0, 0],
      origin,
      sliceUnit: 'mm',
      ...(refine === undefined ? {} : { refine: { ...refine, weights: REFINE_MODEL_FILE } }),
    });
  } else {
    const classifier = LevelClassifier.create(
      'resnet18',
      { levels: 5, embedding: TINY_HEAD.embedding, hidden: TINY_HEAD.hidden, dropout: 0, classes: 3 },
      2,
    );
    await saveClassifier(weights, classifier);
    classifier.dispose();
  }
  return dir;
}

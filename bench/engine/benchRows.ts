// The engine benchmark's rows: each is the demo experiment (examples/demo.experiment.yaml, resolved the way
// `radlab run` resolves it: head, loss, class weights, optimizer, augmentation, normalisation) with a backbone,
// input size and batch size set, plus the synthetic labels of its batch. RadLab's worker and the PyTorch twin both
// build their step from the same row.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LEVELS } from '../../core/data/lsdcVocabulary';
import { resolveExperiment } from '../../core/experiment/resolve';
import type { ResolvedRun } from '../../core/experiment/resolvedRun';
import type { LevelHeadConfig } from '../../core/models/levelHead';
import type { AugmentSettings } from '../../core/train/augment';
import { resolveClassWeights } from '../../core/train/loss';

export const DEMO_EXPERIMENT = join(__dirname, '..', '..', 'examples', 'demo.experiment.yaml');

interface RowShape {
  id: string;
  /** Undefined: the demo's own backbone, input size and batch. */
  backbone?: string;
  size?: number;
  batch?: number;
}

const ROW_SHAPES: readonly RowShape[] = [
  { id: 'resnet18-128', backbone: 'resnet18', size: 128, batch: 16 },
  { id: 'demo' },
  { id: 'convnext_tiny-224', backbone: 'convnext_tiny', size: 224, batch: 8 },
  { id: 'vit_b_16-224', backbone: 'vit_b_16', size: 224, batch: 8 },
  { id: 'efficientnet_v2_s-224', backbone: 'efficientnet_v2_s', size: 224, batch: 8 },
];

export const ROW_IDS: readonly string[] = ROW_SHAPES.map((shape) => shape.id);

// Grades in roughly the proportions of RSNA's canal stenosis labels (most Normal/Mild), so inverse-frequency
// class weights differ from 1 as in a real run.
const GRADE_CYCLE = [0, 0, 0, 1, 0, 0, 2, 0];

export interface BenchRow {
  id: string;
  run: ResolvedRun;
  levels: number[];
  grades: number[];
  classWeights: number[] | undefined;
  head: Required<Omit<LevelHeadConfig, 'featureWidth'>>;
  augment: AugmentSettings;
}

function demoRun(): ResolvedRun {
  const resolved = resolveExperiment(readFileSync(DEMO_EXPERIMENT, 'utf8'), DEMO_EXPERIMENT, {
    checkDataset: false,
  });
  if (!resolved.ok) {
    const first = resolved.diagnostics[0];
    throw new Error(`${DEMO_EXPERIMENT} does not validate: ${first?.message ?? 'unknown error'}`);
  }
  return resolved.runs[0]!;
}

export function benchRow(id: string): BenchRow {
  const shape = ROW_SHAPES.find((s) => s.id === id);
  if (!shape) throw new Error(`no bench row "${id}"; rows: ${ROW_IDS.join(', ')}`);
  const demo = demoRun();
  const run: ResolvedRun = {
    ...demo,
    model: { ...demo.model, backbone: shape.backbone ?? demo.model.backbone },
    data: { ...demo.data, input: { ...demo.data.input, size: shape.size ?? demo.data.input.size } },
    train: { ...demo.train, batch_size: shape.batch ?? demo.train.batch_size },
  };
  const batch = run.train.batch_size;
  const grades = Array.from({ length: batch }, (_, i) => GRADE_CYCLE[i % GRADE_CYCLE.length]!);
  const levels = Array.from({ length: batch }, (_, i) => i % LEVELS.length);
  const { weights } = resolveClassWeights(run.train.loss.class_weights, grades);
  const augment = run.train.augment;
  return {
    id,
    run,
    levels,
    grades,
    classWeights: weights,
    head: {
      levels: LEVELS.length,
      embedding: run.model.level_embedding,
      hidden: run.model.head.hidden,
      dropout: run.model.head.dropout,
      classes: 3,
    },
    augment: {
      hflip: augment.hflip,
      rotateDeg: augment.rotate_deg,
      jitterPx: augment.jitter_px,
      brightness: augment.brightness,
      contrast: augment.contrast,
    },
  };
}

export function describeRow(row: BenchRow): string {
  const { run } = row;
  const augment = run.train.augment;
  return (
    `${run.model.backbone} ${run.data.input.size} px, batch ${run.train.batch_size}` +
    `${row.id === 'demo' ? ' (the demo configuration)' : ''}: ${run.train.optimizer.name} lr ${run.train.optimizer.lr}, ` +
    `${run.train.loss.class_weights} class weights, hflip ${augment.hflip}, rotate ±${augment.rotate_deg}°`
  );
}

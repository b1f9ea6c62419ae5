// Matching a renamed checkpoint against the entries a model declares: what loads, what is missing, unexpected or
// mis-shaped, and which position tables are resized for another input size. Pure (no tfjs), so the comparison is
// testable on plain name/shape lists.
import type { BackboneFamily } from '../registry';
import { resizeRelativePositionTable, resizeVitPositionEmbedding } from './gridResize';
import { isClassificationHead, isDerivedBuffer, type CheckpointNaming, type RenamedCheckpoint } from './mapping';
import type { CheckpointTensor } from './tensorData';

/** A model state entry as far as loading needs it. */
export interface ModelEntrySpec {
  name: string;
  torchShape: readonly number[];
}

export interface ShapeMismatch {
  name: string;
  checkpointShape: number[];
  modelShape: number[];
}

export interface KeyReport {
  /** The checkpoint file, where its state_dict sat in it, and which prefix was removed. */
  file: string;
  location: string;
  strippedPrefix: string;
  naming: CheckpointNaming;
  /** Model entries filled from the checkpoint (resized ones included). */
  loaded: number;
  /** Model entries the checkpoint does not provide. */
  missing: string[];
  /** Checkpoint tensors the model has no entry for (after renaming; the classification head excluded). */
  unexpected: string[];
  misshaped: ShapeMismatch[];
  /** Position tables resized to the model's input size. */
  resized: ShapeMismatch[];
  /** The checkpoint's classification head, which a backbone does not have. */
  skippedHead: string[];
  /** Index buffers the model derives itself. */
  derived: string[];
}

export interface LoadPlan {
  report: KeyReport;
  /** Values for each loaded model entry, in PyTorch layout and the model's shape. */
  values: Map<string, Float32Array>;
}

export interface CheckpointOrigin {
  file: string;
  location: string;
  strippedPrefix: string;
}

const OPTIONAL_COUNTER = 'num_batches_tracked';

type Resizer = (values: Float32Array, from: readonly number[], to: readonly number[]) => Float32Array;

// What may be resized per family when the model's input size differs from the checkpoint's.
function resizerFor(name: string, family: BackboneFamily): Resizer | undefined {
  if (family === 'vit' && name === 'encoder.pos_embedding') {
    return resizeVitPositionEmbedding;
  }
  if (name.endsWith('relative_position_bias_table')) {
    if (family === 'beit') {
      // HF BeitRelativePositionBias: bilinear on the (2w-1)^2 grid, the three class-token rows kept.
      return (values, from, to) =>
        resizeRelativePositionTable(values, from, to, {
          extraRows: 3,
          options: { mode: 'bilinear', alignCorners: false },
        });
    }
    if (family === 'swin') {
      // The Swin paper fine-tunes across window sizes with bicubic interpolation of the table.
      return (values, from, to) =>
        resizeRelativePositionTable(values, from, to, {
          extraRows: 0,
          options: { mode: 'bicubic', alignCorners: false },
        });
    }
  }
  return undefined;
}

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((size, axis) => size === b[axis]);

// Rank-preserving only: a resize must keep the table's layout (same rank and same trailing width).
function resizable(from: readonly number[], to: readonly number[]): boolean {
  return from.length === to.length && from[from.length - 1] === to[to.length - 1];
}

export function planWeightLoad(
  checkpoint: RenamedCheckpoint,
  origin: CheckpointOrigin,
  entries: readonly ModelEntrySpec[],
  family: BackboneFamily,
): LoadPlan {
  const report: KeyReport = {
    ...origin,
    naming: checkpoint.naming,
    loaded: 0,
    missing: [],
    unexpected: [],
    misshaped: [],
    resized: [],
    skippedHead: [],
    derived: [],
  };
  const values = new Map<string, Float32Array>();
  const declared = new Set(entries.map((entry) => entry.name));
  for (const entry of entries) {
    if (isDerivedBuffer(entry.name)) {
      continue;
    }
    const tensor: CheckpointTensor | undefined = checkpoint.tensors.get(entry.name);
    if (tensor === undefined) {
      // Batch-norm's counter is bookkeeping that older and Hugging Face checkpoints do not carry.
      if (!entry.name.endsWith(OPTIONAL_COUNTER)) {
        report.missing.push(entry.name);
      }
      continue;
    }
    const modelShape = [...entry.torchShape];
    if (sameShape(tensor.shape, modelShape)) {
      values.set(entry.name, tensor.values);
      report.loaded += 1;
      continue;
    }
    const resize = resizerFor(entry.name, family);
    const mismatch = { name: entry.name, checkpointShape: [...tensor.shape], modelShape };
    if (resize !== undefined && resizable(tensor.shape, modelShape)) {
      values.set(entry.name, resize(tensor.values, tensor.shape, modelShape));
      report.resized.push(mismatch);
      report.loaded += 1;
    } else {
      report.misshaped.push(mismatch);
    }
  }
  for (const name of checkpoint.tensors.keys()) {
    if (isDerivedBuffer(name)) report.derived.push(name);
    else if (declared.has(name)) continue;
    else if (isClassificationHead(name, family)) report.skippedHead.push(name);
    else report.unexpected.push(name);
  }
  return { report, values };
}

/** True when every model entry was filled and nothing in the checkpoint was left unexplained. */
export function isCompleteLoad(report: KeyReport): boolean {
  return report.missing.length === 0 && report.unexpected.length === 0 && report.misshaped.length === 0;
}

const shape = (dims: readonly number[]): string => `[${dims.join(', ')}]`;

function section(title: string, lines: string[]): string[] {
  return lines.length === 0 ? [] : [`${title} (${lines.length}):`, ...lines.map((line) => `  ${line}`)];
}

/** The report as people read it; every line names the key and, for shapes, both sides. */
export function formatKeyReport(report: KeyReport): string {
  const where = [
    report.location ? `under '${report.location}'` : '',
    report.strippedPrefix ? `prefix '${report.strippedPrefix}' removed` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const lines = [
    `${report.file}${where ? ` (${where})` : ''}: ${report.naming} naming`,
    `loaded ${report.loaded} tensors; missing ${report.missing.length}, unexpected ${report.unexpected.length}, ` +
      `mis-shaped ${report.misshaped.length}, resized ${report.resized.length}, ` +
      `classification head skipped ${report.skippedHead.length}, derived buffers skipped ${report.derived.length}`,
    ...section('missing (the model keeps its initial values)', report.missing),
    ...section('unexpected (in the checkpoint, not in the model)', report.unexpected),
    ...section(
      'mis-shaped (checkpoint vs model)',
      report.misshaped.map((item) => `${item.name}: ${shape(item.checkpointShape)} vs ${shape(item.modelShape)}`),
    ),
    ...section(
      'resized for the input size (checkpoint -> model)',
      report.resized.map((item) => `${item.name}: ${shape(item.checkpointShape)} -> ${shape(item.modelShape)}`),
    ),
  ];
  return `${lines.join('\n')}\n`;
}

// Moving a model's state to and from PyTorch-style state_dicts (names and axis orders as in PyTorch), whatever
// the file format: safetensors here, .pth through its own reader.
import * as tf from '@tensorflow/tfjs-core';
import type { ModelState, StateEntryOf } from './module';
import { tfToTorch, torchToTf } from './torchLayout';

/** A tensor in PyTorch's layout on the host. Integer data is for int64 buffers. */
export interface TorchTensor {
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

export interface ExportedTensor extends TorchTensor {
  name: string;
  dtype: 'float32' | 'int64';
}

/** Every entry of `state` in state_dict order, in PyTorch layout, named `prefix + name`. */
export function exportState(state: ModelState, prefix = ''): ExportedTensor[] {
  return state.entries.map((entry) => {
    if (entry.kind === 'parameter') {
      const values = entry.variable.dataSync() as Float32Array;
      return {
        name: prefix + entry.name,
        dtype: 'float32',
        shape: entry.torchShape,
        data: tfToTorch(values, entry.torchShape, entry.layout),
      };
    }
    return {
      name: prefix + entry.name,
      dtype: entry.dtype,
      shape: entry.torchShape,
      data: (entry.dtype === 'int64' ? Int32Array : Float32Array).from(entry.variable.dataSync()),
    };
  });
}

export interface ImportOptions {
  /** Names the file in errors. */
  source: string;
  /** Prefix of this model's keys in the file (e.g. 'backbone.'); other keys are not this model's. */
  prefix?: string;
  /** Reject keys under the prefix that the model does not have (default true). */
  rejectUnexpected?: boolean;
}

// Checkpoints from older PyTorch versions and from Hugging Face carry no batch counter; it is only bookkeeping.
const OPTIONAL_BUFFER = 'num_batches_tracked';

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((side, axis) => side === b[axis]);
}

/**
 * Loads PyTorch-layout tensors into `state`. Everything is checked before anything is assigned, so a failed load
 * leaves the model as it was.
 */
export function importState(
  state: ModelState,
  tensors: ReadonlyMap<string, TorchTensor>,
  options: ImportOptions,
): void {
  const prefix = options.prefix ?? '';
  const missing: string[] = [];
  const problems: string[] = [];
  const planned: [StateEntryOf, TorchTensor][] = [];
  for (const entry of state.entries) {
    const tensor = tensors.get(prefix + entry.name);
    if (tensor === undefined) {
      if (!(entry.kind === 'buffer' && entry.name.endsWith(OPTIONAL_BUFFER))) {
        missing.push(prefix + entry.name);
      }
      continue;
    }
    if (!sameShape(tensor.shape, entry.torchShape)) {
      problems.push(
        `'${prefix + entry.name}' has shape [${tensor.shape.join(', ')}] in the file, the model needs ` +
          `[${entry.torchShape.join(', ')}]`,
      );
      continue;
    }
    planned.push([entry, tensor]);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ');
    problems.push(
      `${missing.length} tensor(s) the model needs are missing: ${shown}${missing.length > 5 ? ', ...' : ''}`,
    );
  }
  if (options.rejectUnexpected ?? true) {
    const known = new Set(state.entries.map((entry) => prefix + entry.name));
    const unexpected = [...tensors.keys()].filter((name) => name.startsWith(prefix) && !known.has(name));
    if (unexpected.length > 0) {
      const shown = unexpected.slice(0, 5).join(', ');
      problems.push(
        `${unexpected.length} tensor(s) in the file are not in the model: ${shown}${unexpected.length > 5 ? ', ...' : ''} ` +
          '(is it a checkpoint of another architecture?)',
      );
    }
  }
  if (problems.length > 0) {
    throw new Error(`${options.source}: cannot load the weights: ${problems.join('; ')}`);
  }
  for (const [entry, tensor] of planned) {
    tf.tidy(() => {
      if (entry.kind === 'parameter') {
        const values = torchToTf(Float32Array.from(tensor.data), entry.torchShape, entry.layout);
        entry.variable.assign(tf.tensor(values, entry.tfShape, 'float32'));
      } else if (entry.dtype === 'int64') {
        entry.variable.assign(tf.tensor(Int32Array.from(tensor.data), [...entry.torchShape], 'int32'));
      } else {
        entry.variable.assign(tf.tensor(Float32Array.from(tensor.data), [...entry.torchShape], 'float32'));
      }
    });
  }
}

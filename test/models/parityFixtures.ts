// Loads the PyTorch reference fixtures of test/fixtures/models/parity (see make_parity.py there).
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { readSafetensors, type HostTensor } from '../../core/models/safetensors';

export const PARITY_DIR = join(__dirname, '../fixtures/models/parity');

export interface ParityCase {
  /** The reference state_dict. */
  state: Map<string, HostTensor>;
  /** input (NCHW), features and any extra outputs. */
  io: Map<string, HostTensor>;
  config: unknown;
}

export async function loadParityCase(name: string): Promise<ParityCase> {
  const state = await readSafetensors(join(PARITY_DIR, `${name}.safetensors`));
  const io = await readSafetensors(join(PARITY_DIR, `${name}.io.safetensors`));
  return { state: state.tensors, io: io.tensors, config: JSON.parse(io.metadata.config!) };
}

export function tensorOf(io: Map<string, HostTensor>, name: string): HostTensor {
  const tensor = io.get(name);
  if (tensor === undefined) {
    throw new Error(`the parity fixture has no '${name}'`);
  }
  return tensor;
}

/** The fixture's NCHW input as an NHWC tensor. */
export function nhwcInput(io: Map<string, HostTensor>): tf.Tensor4D {
  const input = tensorOf(io, 'input');
  return tf.tidy(() =>
    tf.transpose(
      tf.tensor4d(input.data as Float32Array, input.shape as [number, number, number, number]),
      [0, 2, 3, 1],
    ),
  );
}

/** max |actual - expected| / max |expected|: the error measure the parity tests bound. */
export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) {
    throw new Error(`${actual.length} values compared with ${expected.length}`);
  }
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i += 1) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  return worst / scale;
}

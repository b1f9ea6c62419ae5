import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
// tfjs-core registers no gradients by itself; the trainer's engine set-up imports them the same way.
import '@tensorflow/tfjs-core/dist/register_all_gradients';

/** Tests run on the pure-JS cpu backend: no GPU, and what runs here runs on every backend's kernels. */
export async function useCpuBackend(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
}

export const trainFixtures = join(__dirname, 'fixtures');

/** What PyTorch computed (fixtures/make_torch_reference.py). */
export function torchReference(): any {
  return JSON.parse(readFileSync(join(trainFixtures, 'torch_reference.json'), 'utf8'));
}

/** Largest |a − e| / max(|e|, floor) over the arrays. */
export function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>, floor = 1e-3): number {
  assert.equal(actual.length, expected.length, 'length');
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!) / Math.max(Math.abs(expected[i]!), floor));
  }
  return worst;
}

// Runs the same computation on the cpu backend (tfjs's reference JS kernels) and on the wasm engine from
// identical input data, for the engine tests.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import { startWasm } from '../../core/engine/wasmEngine';

/** Deterministic uniform values in [-1, 1) (a 32-bit LCG), so both backends see the same inputs. */
export function seededValues(count: number, seed: number): Float32Array {
  const out = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

export async function useWasm(threads = 2): Promise<void> {
  await startWasm(threads);
  await tf.setBackend('wasm');
}

/** Runs fn on the named backend and returns every output's values; tensors made inside are disposed. */
export async function runOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  if (!(await tf.setBackend(backend))) throw new Error(`backend ${backend} did not start`);
  const outputs = tf.tidy(() => {
    const result = fn();
    return Array.isArray(result) ? result : [result];
  });
  const values = outputs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outputs);
  return values.map((v) => Float32Array.from(v));
}

/** max|a - b| / max|b|: the error relative to the reference's scale, defined even where b is near 0. */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  if (Number.isNaN(diff)) return Infinity;
  return scale === 0 ? diff : diff / scale;
}

// Class probabilities for a set of cached samples, in evaluation mode (no dropout, batch-norm running stats).
import * as tf from '@tensorflow/tfjs-core';
import type { SampleCache } from '../data/sampleCache';
import type { LevelClassifier } from '../models/classifier';
import { prepareBatch } from './augment';
import { chunk, prefetched } from './batches';

export interface Predictions {
  positions: number[];
  grades: number[];
  probabilities: number[][];
  /** Mean unweighted cross-entropy of the true grades. */
  loss: number;
}

/** One batch of stored images (centre input, no augmentation) → class probabilities, read back. */
export async function batchProbabilities(
  model: LevelClassifier,
  batch: { pixels: Uint8Array; shape: [number, number, number, number]; levels: Int32Array },
  settings: { normalize: 'imagenet' | 'none'; outputSize: number },
): Promise<number[][]> {
  const probabilities = tf.tidy(() => {
    const images = prepareBatch(batch.pixels, batch.shape, settings);
    const logits = model.forward(images, tf.tensor1d(batch.levels, 'int32'), false);
    return tf.softmax(logits);
  });
  const rows = (await probabilities.array()) as number[][];
  probabilities.dispose();
  return rows;
}

export async function predict(
  model: LevelClassifier,
  cache: SampleCache,
  positions: readonly number[],
  batchSize: number,
  normalize: 'imagenet' | 'none',
): Promise<Predictions> {
  const result: Predictions = { positions: [], grades: [], probabilities: [], loss: 0 };
  let lossSum = 0;
  const shape = (count: number) => [count, cache.side, cache.side, cache.channels] as [number, number, number, number];
  for await (const batch of prefetched(cache, chunk(positions, batchSize), () => {})) {
    const rows = await batchProbabilities(
      model,
      { pixels: batch.pixels, shape: shape(batch.positions.length), levels: batch.levels },
      { normalize, outputSize: cache.size },
    );
    rows.forEach((row, i) => {
      lossSum += -Math.log(Math.max(row[batch.grades[i]!]!, 1e-15));
      result.probabilities.push(row);
      result.grades.push(batch.grades[i]!);
      result.positions.push(batch.positions[i]!);
    });
  }
  result.loss = positions.length > 0 ? lossSum / positions.length : 0;
  return result;
}

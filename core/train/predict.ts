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
    const probabilities = tf.tidy(() => {
      const images = prepareBatch(batch.pixels, shape(batch.positions.length), { normalize, outputSize: cache.size });
      const logits = model.forward(images, tf.tensor1d(batch.levels, 'int32'), false);
      return tf.softmax(logits);
    });
    const rows = (await probabilities.array()) as number[][];
    probabilities.dispose();
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

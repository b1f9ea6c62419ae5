// The training-step settings the step tests share: the competition's class weights, no smoothing or clipping, a
// flip and a 15-degree rotation from a fixed seed, so a step exercises augmentation the same way in each test.
import { mulberry32 } from '../../core/data/random';
import type { StepSettings } from '../../core/train/trainStep';

export function testStepSettings(normalize: StepSettings['normalize'], microBatch: number): StepSettings {
  return {
    classWeights: [1, 2, 4],
    labelSmoothing: 0,
    gradClip: 0,
    augment: {
      settings: { hflip: 0.5, rotateDeg: 15, jitterPx: 0, brightness: 0, contrast: 0 },
      random: mulberry32(1),
    },
    normalize,
    microBatch,
  };
}

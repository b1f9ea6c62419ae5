// What a grading run stores for each sample and evaluates from: its input settings widened by the surroundings
// its rotation and jitter can reach (contextSide). Training, evaluation and `radlab explain` take the crop the model
// saw from these settings, so an explained crop is the evaluated one pixel for pixel.
import type { InputSettings } from '../data/sampleInput';
import type { ResolvedRun } from '../experiment/resolvedRun';
import { contextSide } from '../train/augment';

export function storedInputSettings(run: Pick<ResolvedRun, 'data' | 'train'>): InputSettings {
  const { rotate_deg: rotateDeg, jitter_px: jitterPx } = run.train.augment;
  return { ...run.data.input, context: contextSide(run.data.input.size, rotateDeg, jitterPx) };
}

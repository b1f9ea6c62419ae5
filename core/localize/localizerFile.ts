// trained_models/localizer.json: what applying a trained localizer needs besides its weights (model.safetensors,
// and the refinement stage's file when it has one): the levels it places, how its inputs are made, and the slice
// prior. Written by the localizer run, read by predict.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Condition, Level, SeriesDescription } from '../data/lsdcVocabulary';
import type { InputSettings } from '../data/sampleInput';
import type { LocalizerHead } from './localizerModel';
import type { RefineSettings } from './trainLocalizer';

export const LOCALIZER_FILE = 'localizer.json';
/** The refinement stage's weights, beside the coarse stage's model.safetensors. */
export const REFINE_MODEL_FILE = 'refine.safetensors';
const FORMAT = 'radlab-localizer/1';

export interface LocalizerDescription {
  format: typeof FORMAT;
  condition: Condition;
  seriesDescription: SeriesDescription;
  levels: Level[];
  backbone: string;
  head: LocalizerHead;
  input: Pick<InputSettings, 'size' | 'window'>;
  normalize: 'imagenet' | 'none';
  /** Per level, the mean offset of the marked slice from the stack centre, in `sliceUnit`. */
  slicePrior: number[];
  /** Per level, the mean marked (x, y) as fractions of the slice square: what the network's output is added to. */
  origin: [number, number][];
  sliceUnit: 'mm' | 'slices';
  /**
   * The refinement stage, absent when the run trained none: its square (the jitter it was trained with is a
   * record) and its weights, a file beside this one; same backbone and head, origin (0.5, 0.5) for every level.
   */
  refine?: RefineSettings & { weights: string };
}

export function writeLocalizerFile(path: string, description: Omit<LocalizerDescription, 'format'>): void {
  writeFileSync(path, `${JSON.stringify({ format: FORMAT, ...description }, null, 2)}\n`);
}

export function readLocalizerFile(path: string): LocalizerDescription {
  const value = JSON.parse(readFileSync(path, 'utf8')) as LocalizerDescription;
  if (value.format !== FORMAT)
    throw new Error(`${path}: not a RadLab localizer description (format ${JSON.stringify(value.format)})`);
  return value;
}

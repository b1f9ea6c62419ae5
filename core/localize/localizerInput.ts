// What the localizer sees: the middle slice of a series as one square (the whole slice, as data.input mode
// `slice` frames it), windowed and resized to size x size, with two coordinate channels; and what its refinement
// stage sees: a small square of that slice around one level's coarse position, cut as a grading crop is.
//
// Channels: 0 the grey slice, 1 a left-to-right ramp (0..255), 2 a top-to-bottom ramp. Backbones end in global
// average pooling, which throws away where a feature was; with the ramps as input the network can carry "x where
// the disc is" into the pooled features, so a plain regression head can read positions from them (CoordConv,
// Liu et al. 2018). Positions are regressed as fractions of the square (0 = its left/top edge, 1 = its
// right/bottom edge), so one model serves any matrix size and pixel spacing.
import { inputRegion, sliceInput, windowSpec, type InputSettings } from '../data/sampleInput';
import type { DicomImage, PixelRegion } from '../dicom';

export const LOCALIZER_CHANNELS = 3;

/** A change of framing for training: the square moved by a fraction of its side and scaled. */
export interface Reframing {
  shiftX: number;
  shiftY: number;
  scale: number;
}

export const NO_REFRAMING: Reframing = { shiftX: 0, shiftY: 0, scale: 1 };

/** The square the localizer crops from a slice: the whole slice, reframed. */
export function localizerRegion(image: DicomImage, reframing: Reframing = NO_REFRAMING): PixelRegion {
  const whole = inputRegion(image, { mode: 'slice', crop_mm: 0 }, 0, 0);
  const width = Math.max(1, Math.round(whole.width * reframing.scale));
  const height = Math.max(1, Math.round(whole.height * reframing.scale));
  const centreX = whole.left + whole.width / 2 + reframing.shiftX * whole.width;
  const centreY = whole.top + whole.height / 2 + reframing.shiftY * whole.height;
  return { left: Math.round(centreX - width / 2), top: Math.round(centreY - height / 2), width, height };
}

/**
 * The refinement stage's square: `sideMm` millimetres around (x, y), cut exactly as a grading crop is
 * (inputRegion, mode crop), so it needs PixelSpacing.
 */
export function refineRegion(image: DicomImage, x: number, y: number, sideMm: number): PixelRegion {
  return inputRegion(image, { mode: 'crop', crop_mm: sideMm }, x, y);
}

/** Pixel coordinates (as in train_label_coordinates.csv) → fractions of the region. */
export function toFraction(region: PixelRegion, x: number, y: number): [number, number] {
  return [(x + 0.5 - region.left) / region.width, (y + 0.5 - region.top) / region.height];
}

/** Fractions of the region → pixel coordinates: the inverse of toFraction. */
export function fromFraction(region: PixelRegion, u: number, v: number): [number, number] {
  return [region.left - 0.5 + u * region.width, region.top - 0.5 + v * region.height];
}

/** The model input (uint8 HWC, 3 channels) for a region of a slice. */
export function localizerInput(
  image: DicomImage,
  region: PixelRegion,
  settings: Pick<InputSettings, 'size' | 'window'>,
): Uint8Array {
  const { size } = settings;
  const grey = sliceInput(image, windowSpec(settings.window), region, size);
  const out = new Uint8Array(size * size * LOCALIZER_CHANNELS);
  for (let row = 0; row < size; row++) {
    const down = Math.round((255 * row) / (size - 1));
    for (let column = 0; column < size; column++) {
      const p = row * size + column;
      out[p * LOCALIZER_CHANNELS] = grey[p]!;
      out[p * LOCALIZER_CHANNELS + 1] = Math.round((255 * column) / (size - 1));
      out[p * LOCALIZER_CHANNELS + 2] = down;
    }
  }
  return out;
}

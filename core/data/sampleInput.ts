// A sample's model input: a square of `crop_mm` millimetres around the marked point (mode crop) or the whole
// slice (mode slice), windowed to 8 bits and resized to size x size (resample.ts: Pillow's filters, pixel for pixel).
//
// Layout: uint8, HWC (row-major pixels, channels interleaved), size * size * channels bytes. channels is 3 for
// `slices: 1` (the grey slice repeated, as ImageNet backbones expect) and `slices` otherwise: the k slices
// around the labelled one in slice-position order (sortSeries), the labelled slice in the middle.
import { buildWindowLut, resolveWindow, windowRegionToUint8, type DicomImage, type PixelRegion, type WindowSpec } from '../dicom';
import { resizeGrey, windowAndResizeGrey, type ResizeKernel } from './resample';
import type { SeriesImages } from './seriesImages';

export interface InputSettings {
  mode: 'crop' | 'slice';
  crop_mm: number;
  slices: number;
  size: number;
  window: 'auto' | 'tags' | { center: number; width: number };
  /**
   * Side in pixels of the stored image when it is more than `size`: the same centre and scale, reaching further
   * into the slice, so training augmentation can rotate and shift the crop over real surroundings.
   */
  context?: number;
}

/** Side in pixels of a stored input: `context` when set, else `size`. */
export function storedSide(settings: Pick<InputSettings, 'size' | 'context'>): number {
  return settings.context ?? settings.size;
}

/** Where the input's square lies in the slice, in pixels; it may reach past the image edges (padded with 0). */
export type { PixelRegion };

export function inputChannels(settings: Pick<InputSettings, 'slices'>): number {
  return settings.slices === 1 ? 3 : settings.slices;
}

export function inputBytes(settings: Pick<InputSettings, 'slices' | 'size' | 'context'>): number {
  return storedSide(settings) ** 2 * inputChannels(settings);
}

export function windowSpec(window: InputSettings['window']): WindowSpec {
  if (window === 'auto') return { kind: 'auto' };
  if (window === 'tags') return { kind: 'tags' };
  return { kind: 'explicit', center: window.center, width: window.width };
}

/**
 * The pixels a sample's input covers. Crop: crop_mm / PixelSpacing pixels each way (rows and columns may differ
 * in spacing), starting at round(point - side / 2). Slice: the smallest square in millimetres that holds the
 * whole slice, centred on it, so a non-square slice keeps its proportions.
 */
export function inputRegion(
  image: DicomImage,
  settings: Pick<InputSettings, 'mode' | 'crop_mm'>,
  x: number,
  y: number,
  /** Widens the square about its centre (a context region, see InputSettings.context). */
  scale = 1,
): PixelRegion {
  const { rows, columns, pixelSpacing, file } = image.meta;
  if (settings.mode === 'crop' && pixelSpacing === null) {
    throw new Error(`${file} has no PixelSpacing (0028,0030), so a crop of ${settings.crop_mm} mm cannot be measured; use input mode 'slice'`);
  }
  const [rowSpacing, columnSpacing] = pixelSpacing ?? [1, 1];
  const [sideMm, centreX, centreY] =
    settings.mode === 'crop'
      ? [settings.crop_mm, x, y]
      : [Math.max(rows * rowSpacing, columns * columnSpacing), (columns - 1) / 2, (rows - 1) / 2];
  const width = Math.max(1, Math.round((sideMm * scale) / columnSpacing));
  const height = Math.max(1, Math.round((sideMm * scale) / rowSpacing));
  return { left: Math.round(centreX - width / 2), top: Math.round(centreY - height / 2), width, height };
}

export type { ResizeKernel };

/**
 * One slice's grey channel of an input: the region windowed (zero outside the slice, see windowRegionToUint8) and
 * resized to size x size, with lanczos3 (Pillow's LANCZOS) unless told otherwise. 16-bit greyscale, the usual MR
 * and CT, is windowed inside the resampler's WebAssembly; other pixel formats in JavaScript first.
 */
export function sliceInput(image: DicomImage, window: WindowSpec, region: PixelRegion, size: number, kernel: ResizeKernel = 'lanczos3'): Uint8Array {
  const values = image.frames[0];
  const table = image.meta.samplesPerPixel === 1 ? buildWindowLut(image, resolveWindow(image, 0, window)) : undefined;
  if (table !== undefined && (values instanceof Int16Array || values instanceof Uint16Array)) {
    const { rows, columns } = image.meta;
    return windowAndResizeGrey({ values, rows, columns, lut: table.lut, offset: table.offset }, region, size, size, kernel);
  }
  const grey = windowRegionToUint8(image, 0, window, region);
  return resizeGrey(grey, region.width, region.height, size, size, kernel);
}

/** One sample's input (layout in the file header), from the labelled file and, for 2.5D, its neighbours. */
export async function buildSampleInput(
  sample: { file: string; x: number; y: number },
  settings: InputSettings,
  images: SeriesImages,
): Promise<Uint8Array> {
  const labelled = await images.image(sample.file);
  const side = storedSide(settings);
  const region = inputRegion(labelled, settings, sample.x, sample.y, side / settings.size);
  // One window for the whole stack, from the labelled slice, so channels stay comparable in intensity.
  const window = resolveWindow(labelled, 0, windowSpec(settings.window));
  const explicit: WindowSpec = { kind: 'explicit', center: window.center, width: window.width };
  const files = await images.stack(sample.file, settings.slices);
  const channels = inputChannels(settings);
  const pixelCount = side * side;
  const out = new Uint8Array(pixelCount * channels);
  for (const [index, file] of files.entries()) {
    const image = file === sample.file ? labelled : await images.image(file);
    const { rows, columns } = image.meta;
    if (rows !== labelled.meta.rows || columns !== labelled.meta.columns) {
      throw new Error(`${file} is ${columns}x${rows} but ${sample.file} is ${labelled.meta.columns}x${labelled.meta.rows}: slices of one stack must match`);
    }
    const grey = sliceInput(image, explicit, region, side);
    const targets = settings.slices === 1 ? [0, 1, 2] : [index];
    for (const channel of targets) {
      for (let p = 0; p < pixelCount; p++) out[p * channels + channel] = grey[p]!;
    }
  }
  return out;
}

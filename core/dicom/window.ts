// Windowing (VOI LUT function LINEAR, PS3.3 C.11.2.1.2) from modality values to 8-bit display values.
// Greyscale frames of up to 16 stored bits go through a lookup table indexed by stored value, with rescale,
// window and MONOCHROME1 inversion folded into it: one table read per pixel instead of float arithmetic
// (4-5x faster, see shared/FACTS.md). Wider or colour-derived values use the same formula per pixel.
import { frameGreyValues, type DicomImage } from './image';
import type { WindowSetting } from './meta';

export type WindowSpec =
  | { kind: 'tags' } // (0028,1050)/(0028,1051) first value, or auto when the file has none
  | { kind: 'explicit'; center: number; width: number }
  | { kind: 'auto'; lowPercentile?: number; highPercentile?: number };

export const DEFAULT_AUTO_PERCENTILES: [number, number] = [0.5, 99.5];

/** DICOM's linear window: values at or below the window give 0, above give 255, linear in between. */
export function windowValue(value: number, center: number, width: number): number {
  const low = center - 0.5 - (width - 1) / 2;
  const high = center - 0.5 + (width - 1) / 2;
  if (value <= low) return 0;
  if (value > high) return 255;
  return ((value - (center - 0.5)) / Math.max(width - 1, 1e-9) + 0.5) * 255;
}

interface StoredRange {
  min: number;
  size: number;
}

function storedRange(image: DicomImage): StoredRange | undefined {
  const { samplesPerPixel, bitsStored, pixelRepresentation } = image.meta;
  if (samplesPerPixel !== 1 || bitsStored > 16) return undefined;
  const size = 2 ** bitsStored;
  return { min: pixelRepresentation === 1 ? -size / 2 : 0, size };
}

function percentileBounds(image: DicomImage, frame: number, lowPct: number, highPct: number): [number, number] {
  const grey = frameGreyValues(image, frame);
  const { rescaleSlope: slope, rescaleIntercept: intercept } = image.meta;
  const range = storedRange(image);
  const lowRank = Math.floor(((grey.length - 1) * lowPct) / 100);
  const highRank = Math.ceil(((grey.length - 1) * highPct) / 100);
  let low: number;
  let high: number;
  if (range !== undefined) {
    // A histogram of stored values gives exact order statistics in one pass, without sorting.
    const counts = new Uint32Array(range.size);
    for (let i = 0; i < grey.length; i++) counts[grey[i]! - range.min]!++;
    const valueAtRank = (rank: number) => {
      let seen = 0;
      for (let v = 0; v < range.size; v++) {
        seen += counts[v]!;
        if (seen > rank) return v + range.min;
      }
      return range.min + range.size - 1;
    };
    low = valueAtRank(lowRank);
    high = valueAtRank(highRank);
  } else {
    const sorted = Float64Array.from(grey).sort();
    low = sorted[lowRank]!;
    high = sorted[highRank]!;
  }
  const a = low * slope + intercept;
  const b = high * slope + intercept;
  return a <= b ? [a, b] : [b, a];
}

/** The center/width a spec means for one frame, in modality units. */
export function resolveWindow(image: DicomImage, frame: number, spec: WindowSpec): WindowSetting {
  if (spec.kind === 'explicit') {
    if (!(spec.width > 0)) throw new RangeError(`window width must be positive, got ${spec.width}`);
    return { center: spec.center, width: spec.width };
  }
  if (spec.kind === 'tags' && image.meta.window !== null) return image.meta.window;
  const [lowPct, highPct] =
    spec.kind === 'auto'
      ? [spec.lowPercentile ?? DEFAULT_AUTO_PERCENTILES[0], spec.highPercentile ?? DEFAULT_AUTO_PERCENTILES[1]]
      : DEFAULT_AUTO_PERCENTILES;
  const [low, high] = percentileBounds(image, frame, lowPct, highPct);
  // Centre the window so that `low` maps to 0 and `high` to 255 under the linear function above.
  const width = Math.max(high - low + 1, 1);
  return { center: low + 0.5 + (width - 1) / 2, width };
}

// Slices of a series share bits, rescale and window, so the last table is kept: building one costs as much as
// applying it to a 512x512 frame.
let lastLut: { key: string; table: { lut: Uint8Array; offset: number } } | undefined;

/** The table from stored value (offset by the range's minimum) to display value for a greyscale frame. */
export function buildWindowLut(
  image: DicomImage,
  window: WindowSetting,
): { lut: Uint8Array; offset: number } | undefined {
  const range = storedRange(image);
  if (range === undefined) return undefined;
  const { rescaleSlope: slope, rescaleIntercept: intercept, photometricInterpretation } = image.meta;
  const invert = photometricInterpretation === 'MONOCHROME1';
  const key = `${range.min},${range.size},${slope},${intercept},${window.center},${window.width},${invert}`;
  if (lastLut?.key === key) return lastLut.table;
  const lut = new Uint8Array(range.size);
  for (let i = 0; i < range.size; i++) {
    const display = Math.round(windowValue((i + range.min) * slope + intercept, window.center, window.width));
    lut[i] = invert ? 255 - display : display;
  }
  lastLut = { key, table: { lut, offset: -range.min } };
  return lastLut.table;
}

/** A rectangle of a frame in pixels; it may reach past the frame's edges. */
export interface PixelRegion {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** The part of a region that lies inside a frame, in frame coordinates (empty when toX <= fromX or toY <= fromY). */
export interface Overlap {
  fromX: number;
  toX: number;
  fromY: number;
  toY: number;
}

export function regionOverlap(rows: number, columns: number, region: PixelRegion): Overlap {
  const { left, top, width, height } = region;
  return {
    fromX: Math.max(0, left),
    toX: Math.min(columns, left + width),
    fromY: Math.max(0, top),
    toY: Math.min(rows, top + height),
  };
}

/** Whether a region reaches past the frame, so that the pixels outside must be filled with 0. */
export function regionLeavesFrame(o: Overlap, region: PixelRegion): boolean {
  return (
    o.fromX !== region.left ||
    o.toX !== region.left + region.width ||
    o.fromY !== region.top ||
    o.toY !== region.top + region.height
  );
}

// The per-pixel loops are kept as their own small functions so V8 optimises each for the few array types it meets.
function applyLut(
  values: ArrayLike<number>,
  columns: number,
  o: Overlap,
  region: PixelRegion,
  lut: Uint8Array,
  offset: number,
  out: Uint8Array,
): void {
  for (let y = o.fromY; y < o.toY; y++) {
    let at = (y - region.top) * region.width + (o.fromX - region.left);
    const end = y * columns + o.toX;
    for (let i = y * columns + o.fromX; i < end; i++) out[at++] = lut[values[i]! + offset]!;
  }
}

function applyFormula(
  values: ArrayLike<number>,
  columns: number,
  o: Overlap,
  region: PixelRegion,
  image: DicomImage,
  window: WindowSetting,
  out: Uint8Array,
): void {
  const { rescaleSlope: slope, rescaleIntercept: intercept, photometricInterpretation } = image.meta;
  const invert = photometricInterpretation === 'MONOCHROME1';
  for (let y = o.fromY; y < o.toY; y++) {
    let at = (y - region.top) * region.width + (o.fromX - region.left);
    const end = y * columns + o.toX;
    for (let i = y * columns + o.fromX; i < end; i++) {
      const display = Math.round(windowValue(values[i]! * slope + intercept, window.center, window.width));
      out[at++] = invert ? 255 - display : display;
    }
  }
}

/**
 * Display values (0..255, row-major, one per pixel) of a region of one frame under a window; pixels of the
 * region outside the frame are 0. Only the region's pixels are windowed, so a crop costs its own size, not the
 * frame's. Pass `out` (width x height bytes) to reuse a buffer: fresh memory costs more to touch than windowing.
 */
export function windowRegionToUint8(
  image: DicomImage,
  frame: number,
  spec: WindowSpec,
  region: PixelRegion,
  out: Uint8Array = new Uint8Array(region.width * region.height),
): Uint8Array {
  if (out.length !== region.width * region.height) {
    throw new RangeError(
      `the output buffer holds ${out.length} bytes, the region has ${region.width * region.height} pixels`,
    );
  }
  const window = resolveWindow(image, frame, spec);
  const grey = frameGreyValues(image, frame);
  const overlap = regionOverlap(image.meta.rows, image.meta.columns, region);
  const { fromX, toX, fromY, toY } = overlap;
  if (regionLeavesFrame(overlap, region)) out.fill(0);
  if (toX <= fromX || toY <= fromY) return out;
  const table = buildWindowLut(image, window);
  if (table !== undefined) applyLut(grey, image.meta.columns, overlap, region, table.lut, table.offset, out);
  else applyFormula(grey, image.meta.columns, overlap, region, image, window, out);
  return out;
}

/** Display values of a whole frame: windowRegionToUint8 over the frame (`out` holds rows x columns bytes). */
export function windowToUint8(
  image: DicomImage,
  frame: number,
  spec: WindowSpec = { kind: 'tags' },
  out: Uint8Array = new Uint8Array(image.meta.rows * image.meta.columns),
): Uint8Array {
  const { rows, columns } = image.meta;
  return windowRegionToUint8(image, frame, spec, { left: 0, top: 0, width: columns, height: rows }, out);
}

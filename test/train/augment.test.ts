import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { mulberry32 } from '../../core/data/random';
import {
  applyGeometry,
  applyPhotometric,
  augmentBatch,
  drawAugmentations,
  prepareBatch,
  uint8ToUnit,
  type AugmentSettings,
  type ImageAugmentation,
} from '../../core/train/augment';
import { useCpuBackend } from './helpers';

const none: AugmentSettings = { hflip: 0, rotateDeg: 0, jitterPx: 0, brightness: 0, contrast: 0 };
const still: ImageAugmentation = { flip: false, angle: 0, shiftX: 0, shiftY: 0, brightness: 1, contrast: 1 };

function closeArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i]! - expected[i]!) <= tolerance, `[${i}] ${actual[i]} vs ${expected[i]}`);
  }
}

describe('pixel scaling and normalisation', () => {
  before(useCpuBackend);

  it('divides uint8 by 255 exactly once', () => {
    closeArrays(uint8ToUnit(new Uint8Array([0, 51, 255]), [1, 1, 3, 1]).dataSync(), [0, Math.fround(51 / 255), 1], 0);
  });

  it('normalises white and black pixels to ImageNet values without inverting them', () => {
    // white (1 − mean)/std = 0.515/0.229, 0.544/0.224, 0.594/0.225; black −mean/std.
    const batch = prepareBatch(new Uint8Array([255, 255, 255, 0, 0, 0]), [1, 1, 2, 3], { normalize: 'imagenet' });
    closeArrays(
      batch.dataSync(),
      [0.515 / 0.229, 0.544 / 0.224, 0.594 / 0.225, -0.485 / 0.229, -0.456 / 0.224, -0.406 / 0.225],
      1e-5,
    );
  });

  it('rejects a pixel buffer of the wrong size and normalisation of 1 channel', () => {
    assert.throws(
      () => uint8ToUnit(new Uint8Array(5), [1, 2, 2, 1]),
      /5 uint8 pixels do not fill a batch of shape \[1, 2, 2, 1\]/,
    );
    assert.throws(() => prepareBatch(new Uint8Array(4), [1, 2, 2, 1], { normalize: 'imagenet' }), /needs 3 channels/);
  });
});

describe('geometric augmentation', () => {
  before(useCpuBackend);

  // A 2×3 one-channel image:  1 2 3 / 4 5 6
  const image = tf.tensor4d([1, 2, 3, 4, 5, 6], [1, 2, 3, 1]);

  it('flips a known 2×3 image horizontally (probability 1) and leaves it alone (probability 0)', () => {
    const flipped = augmentBatch(image, { ...none, hflip: 1 }, mulberry32(1));
    assert.deepEqual(Array.from(flipped.dataSync()), [3, 2, 1, 6, 5, 4]);
    assert.deepEqual(Array.from(augmentBatch(image, none, mulberry32(1)).dataSync()), [1, 2, 3, 4, 5, 6]);
  });

  it('flips every image of a batch, not only the first', () => {
    const batch = tf.concat([image, tf.mul(image, 10)]) as tf.Tensor4D;
    const flipped = applyGeometry(batch, [
      { ...still, flip: true },
      { ...still, flip: true },
    ]);
    assert.deepEqual(Array.from(flipped.dataSync()), [3, 2, 1, 6, 5, 4, 30, 20, 10, 60, 50, 40]);
  });

  it('rotating a square by 90° equals a horizontal flip then a transpose', () => {
    // 4×4 image with values 0..15: rotated counter-clockwise, output[r][c] = input[c][3 − r].
    const square = tf.tensor4d(
      Array.from({ length: 16 }, (_, i) => i),
      [1, 4, 4, 1],
    );
    const rotated = applyGeometry(square, [{ ...still, angle: Math.PI / 2 }]);
    const expected = tf.transpose(tf.reverse(square, 2), [0, 2, 1, 3]);
    closeArrays(rotated.dataSync(), expected.dataSync(), 1e-5);
    assert.deepEqual(Array.from(expected.dataSync()).slice(0, 4), [3, 7, 11, 15]);
  });

  it('shifts the content by whole pixels with zero fill', () => {
    // shift right by 1: 0 1 2 / 0 4 5
    const shifted = applyGeometry(image, [{ ...still, shiftX: 1 }]);
    closeArrays(shifted.dataSync(), [0, 1, 2, 0, 4, 5], 1e-6);
  });

  it('interpolates bilinearly: a half-pixel rotation of a ramp stays within the ramp', () => {
    const ramp = tf.tensor4d(
      Array.from({ length: 25 }, (_, i) => (i % 5) / 4),
      [1, 5, 5, 1],
    );
    const turned = applyGeometry(ramp, [{ ...still, angle: (10 * Math.PI) / 180 }]).dataSync();
    // The centre pixel is the rotation's fixed point.
    assert.ok(Math.abs(turned[12]! - 0.5) < 1e-6);
    assert.ok(Array.from(turned).every((v) => v >= 0 && v <= 1));
  });
});

describe('photometric augmentation', () => {
  before(useCpuBackend);

  it('applies brightness then contrast about the mean: hand case', () => {
    // [0.2, 0.4] × 1.5 = [0.3, 0.6], mean 0.45, contrast 2 → [0.15, 0.75]
    const out = applyPhotometric(tf.tensor4d([0.2, 0.4], [1, 1, 2, 1]), [{ ...still, brightness: 1.5, contrast: 2 }]);
    closeArrays(out.dataSync(), [0.15, 0.75], 1e-6);
  });

  it('clips to [0, 1]', () => {
    const out = applyPhotometric(tf.tensor4d([0.9, 0.1], [1, 1, 2, 1]), [{ ...still, brightness: 1, contrast: 3 }]);
    closeArrays(out.dataSync(), [1, 0], 0);
  });
});

describe('seeded draws', () => {
  before(useCpuBackend);
  const settings: AugmentSettings = { hflip: 0.5, rotateDeg: 15, jitterPx: 8, brightness: 0.2, contrast: 0.2 };

  it('repeat for the same seed and differ for another', () => {
    assert.deepEqual(drawAugmentations(16, settings, mulberry32(42)), drawAugmentations(16, settings, mulberry32(42)));
    assert.notDeepEqual(
      drawAugmentations(16, settings, mulberry32(42)),
      drawAugmentations(16, settings, mulberry32(43)),
    );
  });

  it('stay within the configured ranges and flip about half the images', () => {
    const draws = drawAugmentations(2000, settings, mulberry32(7));
    assert.ok(draws.every((d) => Math.abs(d.angle) <= (15 * Math.PI) / 180));
    assert.ok(draws.every((d) => Number.isInteger(d.shiftX) && Math.abs(d.shiftX) <= 8 && Math.abs(d.shiftY) <= 8));
    assert.ok(draws.some((d) => d.shiftX === 8) && draws.some((d) => d.shiftX === -8));
    assert.ok(draws.every((d) => d.brightness >= 0.8 && d.brightness <= 1.2));
    const flips = draws.filter((d) => d.flip).length;
    assert.ok(flips > 900 && flips < 1100, `${flips} flips of 2000`);
  });

  it('do not depend on which settings are on', () => {
    const rotations = drawAugmentations(8, settings, mulberry32(5)).map((d) => d.angle);
    const onlyRotation = drawAugmentations(8, { ...none, rotateDeg: 15 }, mulberry32(5)).map((d) => d.angle);
    assert.deepEqual(rotations, onlyRotation);
  });

  it('give the same augmented batch for the same seed', () => {
    const pixels = new Uint8Array(Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => (i * 37) % 256));
    const run = (seed: number) =>
      Array.from(
        prepareBatch(pixels, [2, 8, 8, 3], {
          augment: { settings, random: mulberry32(seed) },
          normalize: 'imagenet',
        }).dataSync(),
      );
    assert.deepEqual(run(3), run(3));
    assert.notDeepEqual(run(3), run(4));
  });
});

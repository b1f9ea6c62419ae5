// Input preparation for training and evaluation batches (NHWC): uint8 → [0, 1] conversion, seeded random
// augmentation and ImageNet normalisation.
//
// Pixel scaling happens in exactly one place, `uint8ToUnit` (value / 255, once): scaling uint8 data a second
// time wraps around and inverts intensities, so every other function here expects floats in [0, 1] and never
// rescales.
//
// Geometry (flip, rotation, shift of the crop centre) is one affine map per image, sampled bilinearly by
// tf.image.transform, which every backend implements. The map reads from the stored image, which holds the crop's
// surroundings in the slice (InputSettings.context, sized by contextSide), and writes the size x size model input:
// a rotated or shifted crop shows the slice around it, not black corners; only what lies beyond the slice's own
// edge is zero, as it is without augmentation. Each image is transformed on its own because tfjs-backend-cpu
// 4.22's Transform kernel returns after the first image of a batch, leaving the others at the fill value.
//
// Every random number comes from the `Random` passed in, drawn in a fixed order (six per image, whether or not a
// setting is on), so a seed fixes the augmentation of every batch and turning one setting on does not change
// what the others draw.

import * as tf from '@tensorflow/tfjs-core';
import { uniform, type Random } from '../data/random';

export const IMAGENET_MEAN: readonly number[] = [0.485, 0.456, 0.406];
export const IMAGENET_STD: readonly number[] = [0.229, 0.224, 0.225];

export interface AugmentSettings {
  /** Probability of a horizontal flip. */
  hflip: number;
  /** Rotation drawn uniformly in ± this many degrees. */
  rotateDeg: number;
  /** Shift of the crop centre, a whole number of pixels drawn uniformly in ± this many, on each axis. */
  jitterPx: number;
  /** Brightness factor drawn uniformly in 1 ± this fraction (pixels are multiplied by it). */
  brightness: number;
  /** Contrast factor drawn uniformly in 1 ± this fraction (deviations from the image mean are scaled by it). */
  contrast: number;
}

/** One image's drawn augmentation. */
export interface ImageAugmentation {
  flip: boolean;
  /** Counter-clockwise as displayed (rows run downwards), in radians. */
  angle: number;
  shiftX: number;
  shiftY: number;
  brightness: number;
  contrast: number;
}

export type BatchShape = [count: number, height: number, width: number, channels: number];

/** uint8 pixels (NHWC) as float32 in [0, 1]: each value divided by 255, once. */
export function uint8ToUnit(pixels: Uint8Array, shape: BatchShape): tf.Tensor4D {
  const size = shape.reduce((product, dimension) => product * dimension, 1);
  if (pixels.length !== size) {
    throw new Error(
      `augment: ${pixels.length} uint8 pixels do not fill a batch of shape [${shape.join(', ')}] (${size})`,
    );
  }
  const unit = new Float32Array(size);
  for (let i = 0; i < size; i++) unit[i] = pixels[i]! / 255;
  return tf.tensor4d(unit, shape);
}

/** (x − mean) / std per channel, for [0, 1] images with 3 channels. */
export function normalizeImagenet(images: tf.Tensor4D): tf.Tensor4D {
  if (images.shape[3] !== 3) {
    throw new Error(`augment: ImageNet normalisation needs 3 channels, the batch has ${images.shape[3]}`);
  }
  return tf.tidy(() => tf.div(tf.sub(images, tf.tensor1d([...IMAGENET_MEAN])), tf.tensor1d([...IMAGENET_STD])));
}

/**
 * Side of the stored image that holds every crop the augmentation can sample: a size x size square rotated by up to
 * rotateDeg needs size * (|cos| + |sin|) (most at 45 degrees), and a shift of up to jitterPx needs that much more
 * on each side. Rounded up so the crop sits at a whole-pixel offset in the middle. Without rotation or shift, size.
 */
export function contextSide(size: number, rotateDeg: number, jitterPx: number): number {
  const angle = (Math.min(Math.abs(rotateDeg), 45) * Math.PI) / 180;
  const rotated = rotateDeg === 0 ? size : Math.ceil(size * (Math.cos(angle) + Math.sin(angle)) - 1e-9);
  const side = rotated + 2 * Math.floor(jitterPx);
  return side + ((side - size) % 2);
}

/** The centre size x size square of each image (the model input when nothing moves it). */
export function centreCrop(images: tf.Tensor4D, size: number): tf.Tensor4D {
  const [, height, width] = images.shape;
  if (height === size && width === size) return tf.clone(images);
  const top = (height - size) / 2;
  const left = (width - size) / 2;
  if (!Number.isInteger(top) || !Number.isInteger(left) || top < 0 || left < 0) {
    throw new Error(`augment: cannot take a centred ${size}x${size} square from ${width}x${height} images`);
  }
  return tf.slice(images, [0, top, left, 0], [-1, size, size, -1]);
}

/** Draws each image's augmentation: always six numbers per image, in this order. */
export function drawAugmentations(count: number, settings: AugmentSettings, random: Random): ImageAugmentation[] {
  const jitter = Math.floor(settings.jitterPx);
  return Array.from({ length: count }, () => {
    const flip = random() < settings.hflip;
    const angle = (uniform(random, -settings.rotateDeg, settings.rotateDeg) * Math.PI) / 180;
    const shiftX = Math.floor(random() * (2 * jitter + 1)) - jitter;
    const shiftY = Math.floor(random() * (2 * jitter + 1)) - jitter;
    const brightness = 1 + uniform(random, -settings.brightness, settings.brightness);
    const contrast = 1 + uniform(random, -settings.contrast, settings.contrast);
    return { flip, angle, shiftX, shiftY, brightness, contrast };
  });
}

/**
 * The 8 tf.image.transform parameters mapping each output pixel to the input pixel it samples, for content that
 * is flipped, then rotated about the image centre, then shifted. Pixel (x, y) has its centre at integer x, y. The
 * input may be larger than the output (a stored image with context), both centred on the same point.
 */
export function inverseAffine(
  augmentation: ImageAugmentation,
  width: number,
  height: number,
  inputWidth = width,
  inputHeight = height,
): number[] {
  const cx = (inputWidth - 1) / 2;
  const cy = (inputHeight - 1) / 2;
  const cos = Math.cos(augmentation.angle);
  const sin = Math.sin(augmentation.angle);
  const ox = augmentation.shiftX + (width - 1) / 2;
  const oy = augmentation.shiftY + (height - 1) / 2;
  // Undo the shift and the rotation: p = c_in + R(−θ)(p' − shift − c_out).
  let a = [cos, -sin, cx - cos * ox + sin * oy];
  const b = [sin, cos, cy - sin * ox - cos * oy];
  // Undo the flip: x = (inputWidth − 1) − x.
  if (augmentation.flip) a = [-a[0]!, -a[1]!, inputWidth - 1 - a[2]!];
  return [...a, ...b, 0, 0];
}

function isIdentity(augmentation: ImageAugmentation): boolean {
  return !augmentation.flip && augmentation.angle === 0 && augmentation.shiftX === 0 && augmentation.shiftY === 0;
}

/**
 * Applies each image's flip/rotation/shift (bilinear, zero fill beyond the stored image), writing `outputSize`
 * square images from the centre of larger stored ones (default: images of the stored size).
 */
export function applyGeometry(
  images: tf.Tensor4D,
  augmentations: readonly ImageAugmentation[],
  outputSize?: number,
): tf.Tensor4D {
  const [count, height, width] = images.shape;
  const [outHeight, outWidth] = outputSize === undefined ? [height, width] : [outputSize, outputSize];
  if (augmentations.length !== count)
    throw new Error(`augment: ${augmentations.length} augmentations for ${count} images`);
  const centre = (image: tf.Tensor4D) => (outputSize === undefined ? tf.clone(image) : centreCrop(image, outputSize));
  if (augmentations.every(isIdentity)) return centre(images);
  return tf.tidy(() => {
    const transformed = augmentations.map((augmentation, i) => {
      const image = tf.slice(images, [i, 0, 0, 0], [1, -1, -1, -1]);
      if (isIdentity(augmentation)) return centre(image);
      const matrix = tf.tensor2d([inverseAffine(augmentation, outWidth, outHeight, width, height)]);
      return tf.image.transform(image, matrix, 'bilinear', 'constant', 0, [outHeight, outWidth]);
    });
    return tf.concat(transformed, 0) as tf.Tensor4D;
  });
}

/** x → clip((b·x − m)·c + m, 0, 1) per image, with m the mean of b·x over the image's pixels and channels. */
export function applyPhotometric(images: tf.Tensor4D, augmentations: readonly ImageAugmentation[]): tf.Tensor4D {
  const count = images.shape[0];
  if (augmentations.length !== count)
    throw new Error(`augment: ${augmentations.length} augmentations for ${count} images`);
  return tf.tidy(() => {
    const brightness = tf.tensor4d(
      augmentations.map((a) => a.brightness),
      [count, 1, 1, 1],
    );
    const contrast = tf.tensor4d(
      augmentations.map((a) => a.contrast),
      [count, 1, 1, 1],
    );
    const brightened = tf.mul(images, brightness);
    const mean = tf.mean(brightened, [1, 2, 3], true);
    return tf.clipByValue(tf.add(tf.mul(tf.sub(brightened, mean), contrast), mean), 0, 1) as tf.Tensor4D;
  });
}

/** Random geometry then brightness/contrast, on [0, 1] images; `outputSize` as applyGeometry. */
export function augmentBatch(
  images: tf.Tensor4D,
  settings: AugmentSettings,
  random: Random,
  outputSize?: number,
): tf.Tensor4D {
  const augmentations = drawAugmentations(images.shape[0], settings, random);
  const moved = applyGeometry(images, augmentations, outputSize);
  if (settings.brightness === 0 && settings.contrast === 0) return moved;
  const result = applyPhotometric(moved, augmentations);
  moved.dispose();
  return result;
}

export interface PrepareSettings {
  /** Random augmentation (training only); omit for validation and test batches. */
  augment?: { settings: AugmentSettings; random: Random };
  normalize: 'imagenet' | 'none';
  /** Side of the model input when the stored images are larger (they hold context); default: their side. */
  outputSize?: number;
}

/** uint8 stored images → model input: scale to [0, 1] once, augment (or take the centre), normalise. */
export function prepareBatch(pixels: Uint8Array, shape: BatchShape, settings: PrepareSettings): tf.Tensor4D {
  const unit = uint8ToUnit(pixels, shape);
  const { outputSize } = settings;
  let images = unit;
  if (settings.augment) {
    images = augmentBatch(unit, settings.augment.settings, settings.augment.random, outputSize);
    unit.dispose();
  } else if (outputSize !== undefined && outputSize !== shape[1]) {
    images = centreCrop(unit, outputSize);
    unit.dispose();
  }
  if (settings.normalize === 'none') return images;
  const normalised = normalizeImagenet(images);
  images.dispose();
  return normalised;
}

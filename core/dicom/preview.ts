// Preview images of one frame, windowed to 8 bits, for the custom editor, dataset previews and `radlab dicom --png`.
import sharp from 'sharp';
import type { DicomImage } from './image';
import { windowToUint8, type WindowSpec } from './window';

/** Writes a greyscale PNG of one frame. */
export async function writePreviewPng(
  image: DicomImage,
  outPath: string,
  frame = 0,
  window: WindowSpec = { kind: 'tags' },
): Promise<void> {
  const pixels = windowToUint8(image, frame, window);
  await sharp(pixels, { raw: { width: image.meta.columns, height: image.meta.rows, channels: 1 } })
    // Without this sharp promotes a 1-channel raw input to 3-channel sRGB.
    .toColourspace('b-w')
    .png()
    .toFile(outPath);
}

// A decoded 16-bit greyscale slice held in memory (no file behind it), for the geometry of inputs and localizer
// squares: pixel values run 0..4095 in raster order, so windowing has a range to work with.
import type { DicomImage } from '../../core/dicom';

export function greyImage(rows: number, columns: number, spacing: [number, number] | null): DicomImage {
  const pixels = new Uint16Array(rows * columns).map((_, i) => i % 4096);
  return {
    meta: {
      file: 'synthetic.dcm',
      rows,
      columns,
      frames: 1,
      samplesPerPixel: 1,
      pixelSpacing: spacing,
      photometricInterpretation: 'MONOCHROME2',
      rescaleSlope: 1,
      rescaleIntercept: 0,
      window: null,
      bitsAllocated: 16,
      bitsStored: 12,
      highBit: 11,
      pixelRepresentation: 0,
    },
    frames: [pixels],
  } as unknown as DicomImage;
}

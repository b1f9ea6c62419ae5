/**
 * core/dicom: reading MR (and other single-channel) DICOM for RadLab.
 *
 *   const image = await readDicomFile('IM0001.dcm');      // parse + decode every frame; throws DicomError
 *   image.meta                                             // rows, columns, frames, bits, syntax, spacing, geometry, window, UIDs
 *   frameModalityValues(image, 0)                          // Float32Array, stored x slope + intercept (grey for colour)
 *   windowToUint8(image, 0, { kind: 'auto' })              // Uint8Array display values (also 'tags', 'explicit')
 *   windowRegionToUint8(image, 0, spec, region)            // the same for a crop only, zero outside the frame
 *   await writePreviewPng(image, 'slice.png', 0, spec)     // 8-bit greyscale PNG
 *   sortSeries(await Promise.all(paths.map(readDicomMeta))) // order along the slice normal, else InstanceNumber
 *
 * Transfer syntaxes: implicit/explicit little endian, explicit big endian, deflated, RLE, JPEG lossless (57, 70),
 * JPEG-LS (80, 81), JPEG 2000 (90, 91), 8-bit baseline JPEG (50). 12-bit JPEG (51) and anything else are
 * refused with a DicomError whose message names the file, the UID and how to convert it. Errors always carry the
 * file path and a `reason` ('not-dicom', 'truncated', 'no-pixel-data', 'unsupported', 'corrupt', 'io').
 * Rows are image rows: pixel (r, c) of a frame is at index r * columns + c; pixelSpacing is [row, column] mm.
 */
export { DicomError, type DicomErrorReason } from './errors';
export {
  readDicomFile,
  readDicomBytes,
  readDicomMeta,
  frameGreyValues,
  frameModalityValues,
  type DicomImage,
} from './image';
export type { DicomMeta, SliceGeometry, WindowSetting } from './meta';
export type { StoredSamples, SampleColour } from './pixels';
export { supportedTransferSyntaxes, type TransferSyntax } from './transferSyntax';
export {
  windowToUint8,
  windowRegionToUint8,
  resolveWindow,
  buildWindowLut,
  regionOverlap,
  regionLeavesFrame,
  windowValue,
  DEFAULT_AUTO_PERCENTILES,
  type WindowSpec,
  type PixelRegion,
  type Overlap,
} from './window';
export { sortSeries, sliceNormal, slicePosition, type SortedSeries, type Vector3 } from './geometry';
export { writePreviewPng } from './preview';

// The stored pixel values of an uncompressed 16-bit little-endian DICOM image, read with dicom-parser, so a viewer's
// canvas can be checked against the file itself.
import { readFileSync } from 'node:fs';
import * as dicomParser from 'dicom-parser';

export interface StoredImage {
  rows: number;
  columns: number;
  /** Row-major stored values, signed when Pixel Representation is 1. */
  values: Int32Array;
}

const littleEndianSyntaxes = new Set(['1.2.840.10008.1.2', '1.2.840.10008.1.2.1']);

export function readStoredImage(file: string): StoredImage {
  const bytes = readFileSync(file);
  const dataset = dicomParser.parseDicom(new Uint8Array(bytes));
  const syntax = dataset.string('x00020010');
  const rows = dataset.uint16('x00280010');
  const columns = dataset.uint16('x00280011');
  const bitsAllocated = dataset.uint16('x00280100');
  const signed = dataset.uint16('x00280103') === 1;
  const pixelData = dataset.elements.x7fe00010;
  if (
    syntax === undefined ||
    !littleEndianSyntaxes.has(syntax) ||
    bitsAllocated !== 16 ||
    rows === undefined ||
    columns === undefined ||
    pixelData === undefined
  ) {
    throw new Error(
      `${file}: expected one uncompressed little-endian 16-bit frame (transfer syntax ${syntax}, ${bitsAllocated} bits allocated)`,
    );
  }
  const values = new Int32Array(rows * columns);
  for (let i = 0; i < values.length; i++) {
    const offset = pixelData.dataOffset + 2 * i;
    values[i] = signed ? bytes.readInt16LE(offset) : bytes.readUInt16LE(offset);
  }
  return { rows, columns, values };
}

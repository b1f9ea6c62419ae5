// From a parsed data set to each frame's stored values: the integers of the Pixel Data after byte order, bit
// packing, BitsStored/HighBit and PixelRepresentation are applied, before any rescale or windowing.
import * as dicomParser from 'dicom-parser';
import { decodeCompressedFrame } from './codecs';
import { DicomError } from './errors';
import type { DicomMeta } from './meta';
import { decodeRleFrame } from './rle';
import type { TransferSyntax } from './transferSyntax';

export type StoredSamples = Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;

/** How the samples of a colour frame are to be read: decoders of baseline JPEG hand back RGB whatever the file said. */
export type SampleColour = 'grey' | 'RGB' | 'YBR';

export interface DecodedFrames {
  frames: StoredSamples[];
  colour: SampleColour;
}

function pixelDataElement(file: string, dataSet: dicomParser.DataSet): dicomParser.Element {
  const element = dataSet.elements['x7fe00010'];
  if (element === undefined) {
    const other = dataSet.elements['x7fe00008'] ?? dataSet.elements['x7fe00009'];
    throw new DicomError(
      file,
      other === undefined ? 'no-pixel-data' : 'unsupported',
      other === undefined
        ? 'no Pixel Data (7FE0,0010): this DICOM object holds no image (e.g. a report, plan or directory)'
        : 'float or double Pixel Data (7FE0,0008/0009) is not supported; only integer images are',
    );
  }
  return element;
}

/**
 * Reads `count` unsigned samples of `bitsAllocated` bits from `bytes` at `offset`, fixing the byte order. With
 * `share`, aligned little-endian samples are a view on the file's bytes rather than a copy: copying and touching
 * fresh memory cost more than the rest of decoding an uncompressed slice.
 */
function readUnsigned(
  bytes: Uint8Array,
  offset: number,
  count: number,
  bitsAllocated: number,
  bigEndian: boolean,
  share: boolean,
): Uint8Array | Uint16Array | Uint32Array {
  const width = bitsAllocated / 8;
  const start = bytes.byteOffset + offset;
  if (share && !bigEndian && start % width === 0) {
    if (width === 1) return bytes.subarray(offset, offset + count);
    return width === 2 ? new Uint16Array(bytes.buffer, start, count) : new Uint32Array(bytes.buffer, start, count);
  }
  if (bitsAllocated === 8) return bytes.slice(offset, offset + count);
  const copy = bytes.slice(offset, offset + count * width);
  if (bigEndian) {
    for (let i = 0; i < copy.length; i += width) copy.subarray(i, i + width).reverse();
  }
  return width === 2 ? new Uint16Array(copy.buffer, 0, count) : new Uint32Array(copy.buffer, 0, count);
}

// BitsAllocated 1 (segmentations, overlays) packs eight pixels per byte, least significant bit first, and frames
// follow one another without padding to a byte boundary.
function unpackBitFrame(bytes: Uint8Array, offset: number, firstBit: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const bit = firstBit + i;
    out[i] = (bytes[offset + (bit >> 3)]! >> (bit & 7)) & 1;
  }
  return out;
}

/**
 * Keeps the BitsStored bits ending at HighBit and, for PixelRepresentation 1, sign-extends them. Garbage in the
 * unused high bits (overlays in old files) is dropped; signed data comes back in a signed array.
 */
export function toStoredValues(
  raw: Uint8Array | Uint16Array | Uint32Array,
  bitsAllocated: number,
  bitsStored: number,
  highBit: number,
  signed: boolean,
): StoredSamples {
  const shift = highBit + 1 - bitsStored;
  const needsMask = bitsStored < bitsAllocated || shift !== 0;
  if (!needsMask) {
    if (!signed) return raw;
    if (raw instanceof Uint8Array) return new Int8Array(raw.buffer, raw.byteOffset, raw.length);
    if (raw instanceof Uint16Array) return new Int16Array(raw.buffer, raw.byteOffset, raw.length);
    return new Int32Array(raw.buffer, raw.byteOffset, raw.length);
  }
  const mask = bitsStored >= 32 ? 0xffffffff : 2 ** bitsStored - 1;
  if (!signed) {
    for (let i = 0; i < raw.length; i++) raw[i] = Math.floor(raw[i]! / 2 ** shift) & mask;
    return raw;
  }
  const out =
    raw instanceof Uint8Array
      ? new Int8Array(raw.length)
      : raw instanceof Uint16Array
        ? new Int16Array(raw.length)
        : new Int32Array(raw.length);
  const signBit = 2 ** (bitsStored - 1);
  const range = 2 ** bitsStored;
  for (let i = 0; i < raw.length; i++) {
    const value = Math.floor(raw[i]! / 2 ** shift) % range;
    out[i] = value >= signBit ? value - range : value;
  }
  return out;
}

// Native YBR_FULL_422 stores two luma samples and one shared Cb, Cr pair per two pixels of a row.
function expandYbr422(packed: Uint8Array, rows: number, columns: number): Uint8Array {
  const out = new Uint8Array(rows * columns * 3);
  for (let pair = 0, i = 0; pair < (rows * columns) / 2; pair++, i += 4) {
    const [y1, y2, cb, cr] = [packed[i]!, packed[i + 1]!, packed[i + 2]!, packed[i + 3]!];
    out.set([y1, cb, cr, y2, cb, cr], pair * 6);
  }
  return out;
}

function interleavePlanes<T extends StoredSamples>(planar: T, pixelCount: number, samplesPerPixel: number): T {
  const out = new (planar.constructor as new (length: number) => T)(planar.length);
  for (let s = 0; s < samplesPerPixel; s++) {
    for (let i = 0; i < pixelCount; i++) out[i * samplesPerPixel + s] = planar[s * pixelCount + i]!;
  }
  return out;
}

function nativeFrames(
  file: string,
  meta: DicomMeta,
  element: dicomParser.Element,
  bytes: Uint8Array,
  syntax: TransferSyntax,
) {
  const { rows, columns, samplesPerPixel, bitsAllocated, frames } = meta;
  const pixelCount = rows * columns;
  const subsampled = meta.photometricInterpretation === 'YBR_FULL_422';
  const samplesPerFrame = subsampled ? pixelCount * 2 : pixelCount * samplesPerPixel;
  const frameBits = samplesPerFrame * bitsAllocated;
  const neededBytes = Math.ceil((frameBits * frames) / 8);
  const available = Math.min(element.length, bytes.length - element.dataOffset);
  if (available < neededBytes) {
    throw new DicomError(
      file,
      'truncated',
      `the file is truncated: Pixel Data holds ${available} bytes but ${frames} frame(s) of ${rows}x${columns}x` +
        `${samplesPerPixel} at ${bitsAllocated} bits need ${neededBytes}`,
    );
  }
  if (![1, 8, 16, 32].includes(bitsAllocated)) {
    throw new DicomError(file, 'unsupported', `BitsAllocated ${bitsAllocated} is not supported (1, 8, 16 or 32 are)`);
  }
  const result: StoredSamples[] = [];
  for (let f = 0; f < frames; f++) {
    let raw: Uint8Array | Uint16Array | Uint32Array;
    if (bitsAllocated === 1) {
      raw = unpackBitFrame(bytes, element.dataOffset, f * frameBits, samplesPerFrame);
    } else {
      // toStoredValues and the colour rearrangements below write into `raw`, so only share when they will not.
      const share = meta.bitsStored === bitsAllocated && meta.highBit === bitsAllocated - 1 && samplesPerPixel === 1;
      raw = readUnsigned(
        bytes,
        element.dataOffset + (f * frameBits) / 8,
        samplesPerFrame,
        bitsAllocated,
        syntax.bigEndian,
        share,
      );
    }
    if (subsampled && raw instanceof Uint8Array) raw = expandYbr422(raw, rows, columns);
    else if (samplesPerPixel > 1 && meta.planarConfiguration === 1)
      raw = interleavePlanes(raw, pixelCount, samplesPerPixel);
    result.push(toStoredValues(raw, bitsAllocated, meta.bitsStored, meta.highBit, meta.pixelRepresentation === 1));
  }
  return result;
}

function encapsulatedFrame(
  file: string,
  dataSet: dicomParser.DataSet,
  element: dicomParser.Element,
  frame: number,
  frames: number,
  isJpeg: boolean,
): Uint8Array {
  const fragments = element.fragments ?? [];
  if (fragments.length === 0) throw new DicomError(file, 'corrupt', 'the encapsulated Pixel Data has no fragments');
  try {
    const offsets = element.basicOffsetTable ?? [];
    if (offsets.length > 0) return dicomParser.readEncapsulatedImageFrame(dataSet, element, frame, offsets);
    if (frames === 1) return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0, fragments.length);
    if (fragments.length === frames)
      return dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, frame, 1);
    if (isJpeg) {
      // Without an offset table, JPEG frames are found by their start-of-image markers.
      const table = dicomParser.createJPEGBasicOffsetTable(dataSet, element);
      return dicomParser.readEncapsulatedImageFrame(dataSet, element, frame, table);
    }
  } catch (error) {
    throw new DicomError(
      file,
      'truncated',
      `frame ${frame} of the encapsulated Pixel Data cannot be read (${String(error)})`,
    );
  }
  throw new DicomError(
    file,
    'corrupt',
    `cannot tell where frame ${frame} starts: ${fragments.length} fragments for ${frames} frames and no offset table`,
  );
}

/** The largest decoded frame accepted from compressed data: 16x a 4096x4096 16-bit RGB frame. */
export const MAX_DECODED_FRAME_BYTES = 2 ** 30;

/**
 * A compressed frame's header can promise any size (a 100-byte file saying 65535x65535 frames, 2^31 of them), and
 * the decoders allocate what it says before finding out it lies. So before anything is decoded: each frame needs
 * at least one fragment, and one frame's decoded size must stay under MAX_DECODED_FRAME_BYTES. (Uncompressed data
 * is held to its exact size by nativeFrames; RLE's own bound is in rle.ts.)
 */
function checkEncapsulatedSize(file: string, element: dicomParser.Element, meta: DicomMeta): void {
  const { rows, columns, samplesPerPixel, bitsAllocated, frames } = meta;
  const fragments = element.fragments?.length ?? 0;
  if (frames > fragments) {
    throw new DicomError(
      file,
      'corrupt',
      `NumberOfFrames (0028,0008) says ${frames} but the encapsulated Pixel Data holds only ${fragments} fragment(s); every frame needs at least one`,
    );
  }
  const frameBytes = rows * columns * samplesPerPixel * Math.ceil(bitsAllocated / 8);
  if (frameBytes > MAX_DECODED_FRAME_BYTES) {
    throw new DicomError(
      file,
      'unsupported',
      `a frame of ${rows}x${columns}x${samplesPerPixel} at ${bitsAllocated} bits would decode to ${frameBytes} bytes, more than the ${MAX_DECODED_FRAME_BYTES} this reader accepts; the header is probably wrong`,
    );
  }
}

export async function decodeFrames(
  file: string,
  dataSet: dicomParser.DataSet,
  meta: DicomMeta,
  syntax: TransferSyntax,
): Promise<DecodedFrames> {
  const element = pixelDataElement(file, dataSet);
  const { rows, columns, samplesPerPixel, bitsAllocated, frames } = meta;
  const photometric = meta.photometricInterpretation;
  const fileColour: SampleColour = samplesPerPixel === 1 ? 'grey' : photometric.startsWith('YBR') ? 'YBR' : 'RGB';
  if (syntax.encoding === 'native') {
    return { frames: nativeFrames(file, meta, element, dataSet.byteArray, syntax), colour: fileColour };
  }
  if (element.encapsulatedPixelData !== true) {
    throw new DicomError(file, 'corrupt', `${syntax.name} requires encapsulated Pixel Data but the element is native`);
  }
  if (bitsAllocated !== 8 && bitsAllocated !== 16 && !(syntax.encoding === 'rle' && bitsAllocated === 32)) {
    throw new DicomError(file, 'unsupported', `BitsAllocated ${bitsAllocated} is not supported for ${syntax.name}`);
  }
  checkEncapsulatedSize(file, element, meta);
  const isJpeg = syntax.encoding.startsWith('jpeg');
  const result: StoredSamples[] = [];
  let colour = fileColour;
  for (let f = 0; f < frames; f++) {
    const encoded = encapsulatedFrame(file, dataSet, element, f, frames, isJpeg);
    let raw: Uint8Array | Uint16Array | Uint32Array;
    if (syntax.encoding === 'rle') {
      raw = decodeRleFrame(file, encoded, rows * columns, samplesPerPixel, bitsAllocated / 8);
    } else {
      const decoded = await decodeCompressedFrame(file, syntax.encoding, encoded, bitsAllocated);
      if (decoded.width !== columns || decoded.height !== rows || decoded.components !== samplesPerPixel) {
        throw new DicomError(
          file,
          'corrupt',
          `frame ${f} decodes to ${decoded.width}x${decoded.height}x${decoded.components} but the header says ` +
            `${columns}x${rows}x${samplesPerPixel}`,
        );
      }
      raw = decoded.samples;
      // libjpeg-turbo converts YCbCr to RGB as it decodes a baseline JPEG.
      if (syntax.encoding === 'jpeg-baseline' && samplesPerPixel === 3) colour = 'RGB';
    }
    result.push(toStoredValues(raw, bitsAllocated, meta.bitsStored, meta.highBit, meta.pixelRepresentation === 1));
  }
  return { frames: result, colour };
}

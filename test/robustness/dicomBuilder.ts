// Writes small Part 10 DICOM files element by element, so the fuzz tests can state exactly which header lies
// (rows, frames, lengths, transfer syntax) without any library "fixing" the lie on the way out. dcmjs, the
// project's DICOM writer, derives lengths and validates values itself, which is what these files must not have.

export interface ElementSpec {
  tag: [number, number];
  vr: string;
  /** The value bytes (padded to even length here when `length` is not forced). */
  value: Uint8Array;
  /** A declared length that differs from the value's (the lie under test). */
  length?: number;
}

const LONG_LENGTH_VRS = new Set(['OB', 'OW', 'OF', 'OD', 'OL', 'SQ', 'UT', 'UN', 'UC', 'UR']);

export const IMPLICIT_LITTLE = '1.2.840.10008.1.2';
export const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BIG = '1.2.840.10008.1.2.2';
export const DEFLATED = '1.2.840.10008.1.2.1.99';
export const RLE = '1.2.840.10008.1.2.5';
export const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';
export const JPEG_LOSSLESS = '1.2.840.10008.1.2.4.70';
export const JPEG_LS = '1.2.840.10008.1.2.4.80';
export const JPEG_2000 = '1.2.840.10008.1.2.4.90';

export function text(value: string): Uint8Array {
  const bytes = Buffer.from(value, 'latin1');
  return bytes.length % 2 === 0 ? bytes : Buffer.concat([bytes, Buffer.from(value.startsWith('1.') ? '\0' : ' ')]);
}

export function us(value: number): Uint8Array {
  const bytes = Buffer.alloc(2);
  bytes.writeUInt16LE(value);
  return bytes;
}

function ul(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value >>> 0);
  return bytes;
}

function element(spec: ElementSpec): Buffer {
  const [group, number] = spec.tag;
  const header = Buffer.alloc(4);
  header.writeUInt16LE(group, 0);
  header.writeUInt16LE(number, 2);
  const length = spec.length ?? spec.value.length;
  const vr = Buffer.from(spec.vr, 'latin1');
  const lengthBytes = LONG_LENGTH_VRS.has(spec.vr) ? Buffer.concat([Buffer.alloc(2), ul(length)]) : us(length);
  return Buffer.concat([header, vr, lengthBytes, spec.value]);
}

/** Encapsulated Pixel Data: an empty offset table, then one item per fragment, then the sequence delimiter. */
export function encapsulated(fragments: Uint8Array[]): ElementSpec {
  const item = (bytes: Uint8Array) => Buffer.concat([Buffer.from([0xfe, 0xff, 0x00, 0xe0]), ul(bytes.length), bytes]);
  const value = Buffer.concat([
    item(new Uint8Array()),
    ...fragments.map(item),
    Buffer.from([0xfe, 0xff, 0xdd, 0xe0, 0, 0, 0, 0]),
  ]);
  return { tag: [0x7fe0, 0x0010], vr: 'OB', value, length: 0xffffffff };
}

export interface ImageHeader {
  rows: number;
  columns: number;
  bitsAllocated: number;
  frames?: string;
  samplesPerPixel?: number;
}

export function imageElements(header: ImageHeader): ElementSpec[] {
  const elements: ElementSpec[] = [
    { tag: [0x0008, 0x0060], vr: 'CS', value: text('MR') },
    { tag: [0x0028, 0x0002], vr: 'US', value: us(header.samplesPerPixel ?? 1) },
    { tag: [0x0028, 0x0004], vr: 'CS', value: text('MONOCHROME2') },
    { tag: [0x0028, 0x0010], vr: 'US', value: us(header.rows) },
    { tag: [0x0028, 0x0011], vr: 'US', value: us(header.columns) },
    { tag: [0x0028, 0x0100], vr: 'US', value: us(header.bitsAllocated) },
    { tag: [0x0028, 0x0101], vr: 'US', value: us(header.bitsAllocated) },
    { tag: [0x0028, 0x0102], vr: 'US', value: us(Math.max(0, header.bitsAllocated - 1)) },
    { tag: [0x0028, 0x0103], vr: 'US', value: us(0) },
  ];
  if (header.frames !== undefined) elements.push({ tag: [0x0028, 0x0008], vr: 'IS', value: text(header.frames) });
  return elements;
}

/** A Part 10 file: preamble, DICM, the meta group (explicit little endian, as the standard fixes it), then the
 * data set elements (sorted by tag) encoded as explicit VR little endian whatever `transferSyntax` claims. */
export function part10(transferSyntax: string, elements: ElementSpec[]): Buffer {
  const meta = Buffer.concat([
    element({ tag: [0x0002, 0x0001], vr: 'OB', value: new Uint8Array([0, 1]) }),
    element({ tag: [0x0002, 0x0002], vr: 'UI', value: text('1.2.840.10008.5.1.4.1.1.4') }),
    element({ tag: [0x0002, 0x0003], vr: 'UI', value: text('1.2.3.4.5.6.7.8.9') }),
    element({ tag: [0x0002, 0x0010], vr: 'UI', value: text(transferSyntax) }),
  ]);
  const groupLength = element({ tag: [0x0002, 0x0000], vr: 'UL', value: ul(meta.length) });
  const sorted = [...elements].sort((a, b) => a.tag[0] - b.tag[0] || a.tag[1] - b.tag[1]);
  return Buffer.concat([Buffer.alloc(128), Buffer.from('DICM'), groupLength, meta, ...sorted.map(element)]);
}

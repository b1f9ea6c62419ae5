// The RLE decoder on hand-built frames (PS3.5 Annex G examples worked by hand); real RLE files are covered by
// reference.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DicomError } from '../../core/dicom/index';
import { decodeRleFrame } from '../../core/dicom/rle';

function frame(segments: number[][]): Uint8Array {
  const header = new Uint8Array(64);
  const view = new DataView(header.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, i) => {
    view.setUint32(4 + 4 * i, offset, true);
    offset += segment.length;
  });
  return Uint8Array.from([...header, ...segments.flat()]);
}

test('literal runs, replicate runs and the -128 no-op', () => {
  // 2 literals (0x01 0x02), -128 no-op, then 0xFE (-2): repeat 0x07 three times => 5 pixels
  const out = decodeRleFrame('hand.dcm', frame([[1, 1, 2, 128, 0xfe, 7]]), 5, 1, 1);
  assert.deepEqual([...out], [1, 2, 7, 7, 7]);
});

test('16-bit samples come from a high-byte then a low-byte segment', () => {
  // high bytes 0x01, 0x80 ; low bytes 0x02, 0xff => 0x0102, 0x80ff
  const out = decodeRleFrame(
    'hand.dcm',
    frame([
      [1, 0x01, 0x80],
      [1, 0x02, 0xff],
    ]),
    2,
    1,
    2,
  );
  assert.deepEqual([...out], [0x0102, 0x80ff]);
});

test('colour planes are interleaved per pixel', () => {
  const out = decodeRleFrame(
    'hand.dcm',
    frame([
      [0xff, 10],
      [0xff, 20],
      [0xff, 30],
    ]),
    2,
    3,
    1,
  );
  assert.deepEqual([...out], [10, 20, 30, 10, 20, 30]);
});

test('a short segment is reported with the file name', () => {
  assert.throws(
    () => decodeRleFrame('short.dcm', frame([[0, 9]]), 4, 1, 1),
    (error: unknown) =>
      error instanceof DicomError && error.message.startsWith('short.dcm:') && error.reason === 'corrupt',
  );
});

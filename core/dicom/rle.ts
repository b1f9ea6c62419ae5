// DICOM RLE Lossless (PS3.5 Annex G). No maintained npm package decodes it outside a browser viewer stack, and the
// format is tiny: a 64-byte header of segment offsets, then one PackBits-compressed segment per byte plane
// (most significant byte of each sample first, one set of planes per sample).
import { DicomError } from './errors';

function unpackBits(file: string, source: Uint8Array, start: number, end: number, output: Uint8Array): void {
  let read = start;
  let write = 0;
  while (read < end && write < output.length) {
    const header = source[read++]!;
    if (header < 128) {
      const count = header + 1;
      if (read + count > end) break;
      output.set(source.subarray(read, read + count), write);
      read += count;
      write += count;
    } else if (header > 128) {
      const count = 257 - header;
      output.fill(source[read++]!, write, write + count);
      write += count;
    }
    // 128 (-128 as a signed byte) is a no-op by definition.
  }
  if (write < output.length) {
    throw new DicomError(file, 'corrupt', `an RLE segment ends after ${write} of ${output.length} bytes`);
  }
}

/**
 * Decodes one RLE frame into unsigned samples, pixel-interleaved (R, G, B, R, ... for colour).
 * `bytesPerSample` is BitsAllocated / 8.
 */
export function decodeRleFrame(
  file: string,
  frame: Uint8Array,
  pixelCount: number,
  samplesPerPixel: number,
  bytesPerSample: number,
): Uint8Array | Uint16Array | Uint32Array {
  if (frame.length < 64) throw new DicomError(file, 'corrupt', 'an RLE frame is shorter than its 64-byte header');
  const header = new DataView(frame.buffer, frame.byteOffset, 64);
  const segmentCount = header.getUint32(0, true);
  const expected = samplesPerPixel * bytesPerSample;
  if (segmentCount !== expected) {
    throw new DicomError(file, 'corrupt', `an RLE frame has ${segmentCount} segments, expected ${expected}`);
  }
  // PackBits turns at most 2 bytes into 128 (a replicate run), so a segment cannot decode to more than 64 times its
  // size: a frame whose header (rows x columns) asks for more lies, and is refused before its output is allocated.
  const decodedBytes = pixelCount * expected;
  if (decodedBytes > 64 * frame.length) {
    throw new DicomError(
      file,
      'corrupt',
      `an RLE frame of ${frame.length} bytes cannot hold the ${decodedBytes} bytes its header (rows x columns x samples) asks for`,
    );
  }
  const offsets: number[] = [];
  for (let i = 0; i < segmentCount; i++) offsets.push(header.getUint32(4 + 4 * i, true));
  offsets.push(frame.length);

  const output =
    bytesPerSample === 1
      ? new Uint8Array(pixelCount * samplesPerPixel)
      : bytesPerSample === 2
        ? new Uint16Array(pixelCount * samplesPerPixel)
        : new Uint32Array(pixelCount * samplesPerPixel);
  const plane = new Uint8Array(pixelCount);
  for (let sample = 0; sample < samplesPerPixel; sample++) {
    for (let byte = 0; byte < bytesPerSample; byte++) {
      const segment = sample * bytesPerSample + byte;
      unpackBits(file, frame, offsets[segment]!, offsets[segment + 1]!, plane);
      const shift = 8 * (bytesPerSample - 1 - byte);
      for (let i = 0, o = sample; i < pixelCount; i++, o += samplesPerPixel) {
        output[o] = (output[o]! + plane[i]! * 2 ** shift) >>> 0;
      }
    }
  }
  return output;
}

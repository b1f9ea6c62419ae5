// Reading a DICOM file into a DicomImage, and the per-frame values everything downstream works from.
import { readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { DicomError } from './errors';
import { readMeta, type DicomMeta } from './meta';
import { parseDataSet } from './parseDataSet';
import { decodeFrames, type SampleColour, type StoredSamples } from './pixels';
import { lookupTransferSyntax, refusalReason } from './transferSyntax';

export interface DicomImage {
  meta: DicomMeta;
  /** Stored values of each frame, row-major, samples pixel-interleaved for colour. */
  frames: StoredSamples[];
  /** How colour samples are to be read ('grey' when SamplesPerPixel is 1). */
  colour: SampleColour;
}

// A slice file (0.1-2 MB) is read synchronously: from the page cache that takes ~0.1 CPU ms, while the promise
// read costs ~0.5 ms in thread-pool hand-offs and chunking, a sixth of the per-slice budget. Larger files
// (multi-frame series) are read asynchronously so a long read never stalls the event loop.
const SYNC_READ_LIMIT = 8 * 1024 * 1024;

async function readBytes(path: string): Promise<Uint8Array> {
  let contents: Buffer;
  try {
    contents = statSync(path).size <= SYNC_READ_LIMIT ? readFileSync(path) : await readFile(path);
  } catch (error) {
    throw new DicomError(path, 'io', `cannot read the file (${(error as Error).message})`);
  }
  // A view, not a copy: uncompressed frames then share these bytes (see pixels.ts) instead of duplicating them.
  return new Uint8Array(contents.buffer, contents.byteOffset, contents.byteLength);
}

/** Parses the header only: enough to sort a series or index a study without decoding any pixels. */
export async function readDicomMeta(path: string): Promise<DicomMeta> {
  const { dataSet, transferSyntaxUID } = parseDataSet(path, await readBytes(path));
  return readMeta(path, dataSet, transferSyntaxUID);
}

export async function readDicomBytes(path: string, bytes: Uint8Array): Promise<DicomImage> {
  const { dataSet, transferSyntaxUID } = parseDataSet(path, bytes);
  const hasPixels = dataSet.elements['x7fe00010'] !== undefined;
  if (!hasPixels && dataSet.elements['x00280010'] === undefined) {
    throw new DicomError(
      path,
      'no-pixel-data',
      'no Pixel Data (7FE0,0010): this DICOM object holds no image (e.g. a report, plan or directory)',
    );
  }
  const refusal = refusalReason(transferSyntaxUID);
  if (refusal !== undefined) throw new DicomError(path, 'unsupported', refusal);
  const meta = readMeta(path, dataSet, transferSyntaxUID);
  const { frames, colour } = await decodeFrames(path, dataSet, meta, lookupTransferSyntax(transferSyntaxUID)!);
  return { meta, frames, colour };
}

/** Reads and decodes every frame of a DICOM file. Throws DicomError naming the file and the reason. */
export async function readDicomFile(path: string): Promise<DicomImage> {
  return readDicomBytes(path, await readBytes(path));
}

function checkFrame(image: DicomImage, frame: number): StoredSamples {
  const samples = image.frames[frame];
  if (samples === undefined) {
    throw new DicomError(
      image.meta.file,
      'unsupported',
      `frame ${frame} does not exist (the file has ${image.frames.length})`,
    );
  }
  return samples;
}

/**
 * One value per pixel before rescale: the stored value for greyscale, the luma (ITU-R BT.601, the weights
 * behind DICOM's YBR_FULL) for RGB, and the Y sample itself for YBR data.
 */
export function frameGreyValues(image: DicomImage, frame: number): StoredSamples | Float32Array {
  const samples = checkFrame(image, frame);
  const spp = image.meta.samplesPerPixel;
  if (spp === 1) return samples;
  const pixelCount = image.meta.rows * image.meta.columns;
  const grey = new Float32Array(pixelCount);
  if (image.colour === 'YBR') {
    for (let i = 0; i < pixelCount; i++) grey[i] = samples[i * spp]!;
  } else {
    for (let i = 0; i < pixelCount; i++) {
      grey[i] = 0.299 * samples[i * spp]! + 0.587 * samples[i * spp + 1]! + 0.114 * samples[i * spp + 2]!;
    }
  }
  return grey;
}

/** Modality values (stored value x RescaleSlope + RescaleIntercept, e.g. Hounsfield units for CT) of one frame. */
export function frameModalityValues(image: DicomImage, frame: number): Float32Array {
  const grey = frameGreyValues(image, frame);
  const { rescaleSlope: slope, rescaleIntercept: intercept } = image.meta;
  const out = new Float32Array(grey.length);
  for (let i = 0; i < grey.length; i++) out[i] = grey[i]! * slope + intercept;
  return out;
}

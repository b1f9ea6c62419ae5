// `radlab dicom <file> [--json] [--png out.png] [--window center,width] [--frame n]`: what a DICOM file holds,
// and optionally a windowed preview of one frame.
import { parseArgs } from 'node:util';
import { stderr, stdout } from 'node:process';
import {
  DicomError,
  frameModalityValues,
  readDicomFile,
  resolveWindow,
  writePreviewPng,
  type DicomImage,
  type WindowSpec,
} from '../dicom/index';

const usage = 'usage: radlab dicom <file> [--json] [--png out.png] [--window center,width|auto] [--frame n]';

function parseWindow(text: string | undefined): WindowSpec {
  if (text === undefined) return { kind: 'tags' };
  if (text === 'auto') return { kind: 'auto' };
  const parts = text.split(',').map(Number);
  if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[1]! > 0)) {
    throw new UsageError(`--window expects "center,width" with a positive width, or "auto"; got "${text}"`);
  }
  return { kind: 'explicit', center: parts[0]!, width: parts[1]! };
}

class UsageError extends Error {}

function statistics(values: Float32Array): { min: number; max: number; mean: number } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  return { min, max, mean: sum / values.length };
}

function summaryJson(image: DicomImage) {
  const m = image.meta;
  return {
    rows: m.rows,
    columns: m.columns,
    frames: m.frames,
    bitsAllocated: m.bitsAllocated,
    bitsStored: m.bitsStored,
    pixelRepresentation: m.pixelRepresentation,
    transferSyntaxUID: m.transferSyntaxUID,
    photometricInterpretation: m.photometricInterpretation,
    pixelSpacing: m.pixelSpacing,
    ...statistics(frameModalityValues(image, 0)),
  };
}

function summaryText(image: DicomImage, frame: number): string {
  const m = image.meta;
  const s = statistics(frameModalityValues(image, frame));
  const window = resolveWindow(image, frame, { kind: 'tags' });
  const g = m.geometry;
  const lines = [
    `${m.file}`,
    `  modality         ${m.modality ?? '-'}`,
    `  size             ${m.columns} x ${m.rows} pixels, ${m.frames} frame(s), ${m.samplesPerPixel} sample(s) per pixel`,
    `  bits             ${m.bitsStored} stored of ${m.bitsAllocated}, ${m.pixelRepresentation === 1 ? 'signed' : 'unsigned'}`,
    `  transfer syntax  ${m.transferSyntaxUID}`,
    `  photometric      ${m.photometricInterpretation}`,
    `  rescale          slope ${m.rescaleSlope}, intercept ${m.rescaleIntercept}`,
    `  pixel spacing    ${m.pixelSpacing === null ? '-' : `${m.pixelSpacing[0]} x ${m.pixelSpacing[1]} mm (row x column)`}`,
    `  slice thickness  ${g.sliceThickness ?? '-'}${g.sliceThickness === null ? '' : ' mm'}`,
    `  position         ${g.imagePositionPatient?.join(', ') ?? '-'}`,
    `  orientation      ${g.imageOrientationPatient?.join(', ') ?? '-'}`,
    `  instance number  ${m.instanceNumber ?? '-'}`,
    `  series UID       ${m.seriesInstanceUID ?? '-'}`,
    `  window           ${m.window === null ? `none in file (auto: ${window.center.toFixed(1)} / ${window.width.toFixed(1)})` : `${m.window.center} / ${m.window.width}`}`,
    `  frame ${frame} values   min ${s.min}, max ${s.max}, mean ${s.mean.toFixed(3)}`,
  ];
  return lines.join('\n') + '\n';
}

export async function run(args: string[]): Promise<number> {
  let file: string | undefined;
  try {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        png: { type: 'string' },
        window: { type: 'string' },
        frame: { type: 'string', default: '0' },
      },
    });
    if (positionals.length !== 1)
      throw new UsageError(positionals.length === 0 ? 'no file given' : 'give exactly one file');
    file = positionals[0]!;
    const frame = Number(values.frame);
    if (!Number.isInteger(frame) || frame < 0)
      throw new UsageError(`--frame expects a frame index, got "${values.frame}"`);
    const window = parseWindow(values.window);
    const image = await readDicomFile(file);
    if (frame >= image.meta.frames) throw new UsageError(`--frame ${frame}: ${file} has ${image.meta.frames} frame(s)`);
    if (values.png !== undefined) await writePreviewPng(image, values.png, frame, window);
    stdout.write(values.json ? `${JSON.stringify(summaryJson(image))}\n` : summaryText(image, frame));
    return 0;
  } catch (error) {
    if (error instanceof DicomError) {
      stderr.write(`radlab dicom: ${error.message}\n`);
      return 1;
    }
    if (
      error instanceof UsageError ||
      (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS'))
    ) {
      stderr.write(`radlab dicom: ${error.message}\n${usage}\n`);
      return 2;
    }
    const where = file === undefined ? '' : `${file}: `;
    stderr.write(`radlab dicom: ${where}${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

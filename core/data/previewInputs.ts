// A contact sheet of model inputs as a PNG: one row per sample, one tile per distinct channel (a 2.5D stack
// shows each slice; a grey input repeated into 3 channels shows once), with the sample's label above its row.
import sharp, { type OverlayOptions } from 'sharp';
import { escapeXml, GRADE_COLOURS, greyToRgb } from './preview';
import type { Grade } from './lsdcVocabulary';
import { inputChannels, type InputSettings } from './sampleInput';

export interface SheetEntry {
  /** One sample's input, HWC uint8 as built by sampleInput.ts. */
  input: Uint8Array;
  label: string;
  grade?: Grade;
}

const GAP = 4;
const CAPTION = 18;

export async function inputContactSheetPng(entries: readonly SheetEntry[], settings: Pick<InputSettings, 'size' | 'slices'>): Promise<Buffer> {
  const { size } = settings;
  const channels = inputChannels(settings);
  const tiles = settings.slices === 1 ? 1 : channels;
  const width = tiles * size + (tiles + 1) * GAP;
  const rowHeight = CAPTION + size + GAP;
  const height = Math.max(1, entries.length) * rowHeight + GAP;
  const composites: OverlayOptions[] = [];
  let captions = '';
  entries.forEach((entry, row) => {
    if (entry.input.length !== size * size * channels) {
      throw new RangeError(`input ${row} (${entry.label}) holds ${entry.input.length} bytes, expected ${size}x${size}x${channels}`);
    }
    const top = row * rowHeight + GAP;
    for (let tile = 0; tile < tiles; tile++) {
      const grey = new Uint8Array(size * size);
      for (let p = 0; p < grey.length; p++) grey[p] = entry.input[p * channels + tile]!;
      composites.push({ input: greyToRgb(grey), raw: { width: size, height: size, channels: 3 }, top: top + CAPTION, left: GAP + tile * (size + GAP) });
    }
    const colour = entry.grade === undefined ? '#ffffff' : GRADE_COLOURS[entry.grade];
    captions += `<text x="${GAP}" y="${top + CAPTION - 5}" fill="${colour}" font-family="DejaVu Sans, sans-serif" font-size="13">${escapeXml(entry.label)}</text>`;
  });
  composites.push({ input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${captions}</svg>`), top: 0, left: 0 });
  return sharp({ create: { width, height, channels: 3, background: { r: 24, g: 24, b: 24 } } })
    .composite(composites)
    .png()
    .toBuffer();
}

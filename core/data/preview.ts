// A labelled slice as a PNG: the windowed slice with each marked level drawn on (a ring at the point, the level
// and grade beside it, coloured by grade). The marks are an SVG overlay composited by sharp, so the text uses
// the system fonts through librsvg; the slice is enlarged first so labels stay legible on 256-pixel MR.
import sharp from 'sharp';
import { readDicomFile, windowToUint8, type DicomImage, type PixelRegion, type WindowSpec } from '../dicom';
import type { DatasetTables } from './datasetTables';
import { instancePath } from './datasetIndex';
import { CONDITION_LABELS, gradeColumn, type Grade } from './lsdcVocabulary';

export const GRADE_COLOURS: Readonly<Record<Grade, string>> = {
  'Normal/Mild': '#3ccf4e',
  Moderate: '#f2b01e',
  Severe: '#ff3b30',
};
export const UNGRADED_COLOUR = '#5ac8fa';

export interface SliceMarker {
  /** Pixel coordinates in the slice (x: column, y: row), as in train_label_coordinates.csv. */
  x: number;
  y: number;
  label: string;
  grade?: Grade;
  /** A square drawn around the point: the pixels a model's input covers (inputRegion). */
  box?: PixelRegion;
}

/** A label's characters average about 0.52 em in DejaVu Sans: enough to place it and its backing unmeasured. */
const CHARACTER_WIDTH_EM = 0.52;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** 8-bit grey pixels as a 3-channel raw image, so coloured marks can be drawn over it. */
export function greyToRgb(grey: Uint8Array): Buffer {
  const rgb = Buffer.alloc(grey.length * 3);
  for (let i = 0; i < grey.length; i++) rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = grey[i]!;
  return rgb;
}

export async function labelledSlicePng(
  image: DicomImage,
  markers: readonly SliceMarker[],
  options: { window?: WindowSpec; minSide?: number } = {},
): Promise<Buffer> {
  const { rows, columns } = image.meta;
  const scale = Math.max(1, (options.minSide ?? 512) / Math.max(rows, columns));
  const width = Math.round(columns * scale);
  const height = Math.round(rows * scale);
  const font = Math.max(11, Math.round(Math.min(width, height) / 40));
  const radius = font * 0.7;
  const marks = markers
    .map((marker) => {
      // Pixel centres sit at integer coordinates, so a point scales about the pixel's centre.
      const cx = (marker.x + 0.5) * scale;
      const cy = (marker.y + 0.5) * scale;
      const colour = marker.grade === undefined ? UNGRADED_COLOUR : GRADE_COLOURS[marker.grade];
      // Beside the ring on the right where the label fits, else on the left, and never past the slice's edges;
      // a dark backing keeps it readable over bright anatomy.
      const textWidth = marker.label.length * font * CHARACTER_WIDTH_EM;
      const right = cx + radius + 4;
      const preferred = right + textWidth <= width - 2 ? right : cx - radius - 4 - textWidth;
      const x = Math.max(2, Math.min(preferred, width - 2 - textWidth));
      const y = Math.max(font, Math.min(cy + font / 3, height - font / 3));
      const box =
        marker.box === undefined
          ? ''
          : `<rect x="${marker.box.left * scale}" y="${marker.box.top * scale}" width="${marker.box.width * scale}" height="${marker.box.height * scale}" fill="none" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4"/>`;
      return (
        box +
        `<circle cx="${cx}" cy="${cy}" r="${radius}" fill="none" stroke="${colour}" stroke-width="2"/>` +
        `<rect x="${x - 3}" y="${y - font}" width="${textWidth + 6}" height="${font * 1.3}" rx="3" fill="black" fill-opacity="0.65"/>` +
        `<text x="${x}" y="${y}" fill="${colour}" font-family="DejaVu Sans, sans-serif" font-size="${font}">` +
        `${escapeXml(marker.label)}</text>`
      );
    })
    .join('');
  const overlay = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${marks}</svg>`);
  const grey = windowToUint8(image, 0, options.window ?? { kind: 'auto' });
  return sharp(greyToRgb(grey), { raw: { width: columns, height: rows, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .composite([{ input: overlay, top: 0, left: 0 }])
    .png()
    .toBuffer();
}

/** The marks of every condition labelled on one instance, with their grades from train.csv. */
export function markersForInstance(tables: DatasetTables, studyId: string, seriesId: string, instanceNumber: number): SliceMarker[] {
  const grades = tables.train.find((row) => row.studyId === studyId)?.grades;
  return tables.coordinates
    .filter((row) => row.studyId === studyId && row.seriesId === seriesId && row.instanceNumber === instanceNumber)
    .map((row) => {
      const grade = grades?.get(gradeColumn(row.condition, row.level));
      // The condition named in full: on a sagittal T1 both sides' foramina are labelled, and "L" says too little.
      const condition = CONDITION_LABELS[row.condition].toLowerCase();
      return { x: row.x, y: row.y, grade, label: `${row.level} ${condition} · ${grade ?? 'ungraded'}` };
    });
}

/** The PNG of a dataset instance with every label marked on it. */
export async function datasetSlicePng(tables: DatasetTables, studyId: string, seriesId: string, instanceNumber: number, window?: WindowSpec): Promise<Buffer> {
  const image = await readDicomFile(instancePath(tables.root, studyId, seriesId, instanceNumber));
  return labelledSlicePng(image, markersForInstance(tables, studyId, seriesId, instanceNumber), { window });
}

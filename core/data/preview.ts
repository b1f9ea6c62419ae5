// A labelled slice as a PNG: the windowed slice with each marked level drawn on (a ring at the point, the level
// and grade beside it, coloured by grade). The marks are an SVG overlay composited by sharp, so the text uses
// the system fonts through librsvg; the slice is enlarged first so labels stay legible on 256-pixel MR.
import sharp from 'sharp';
import { readDicomFile, windowToUint8, type DicomImage, type WindowSpec } from '../dicom';
import type { DatasetTables } from './datasetTables';
import { instancePath, sideOf } from './datasetIndex';
import { gradeColumn, type Grade } from './lsdcVocabulary';

export const GRADE_COLOURS: Readonly<Record<Grade, string>> = {
  'Normal/Mild': '#3ccf4e',
  Moderate: '#f2b01e',
  Severe: '#ff3b30',
};
const UNGRADED_COLOUR = '#5ac8fa';

export interface SliceMarker {
  /** Pixel coordinates in the slice (x: column, y: row), as in train_label_coordinates.csv. */
  x: number;
  y: number;
  label: string;
  grade?: Grade;
}

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
      const onLeft = cx > width * 0.6;
      return (
        `<circle cx="${cx}" cy="${cy}" r="${radius}" fill="none" stroke="${colour}" stroke-width="2"/>` +
        `<text x="${onLeft ? cx - radius - 4 : cx + radius + 4}" y="${cy + font / 3}" fill="${colour}" stroke="black" stroke-width="0.6" ` +
        `paint-order="stroke" font-family="DejaVu Sans, sans-serif" font-size="${font}" text-anchor="${onLeft ? 'end' : 'start'}">` +
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
      const side = sideOf(row.condition);
      return {
        x: row.x,
        y: row.y,
        grade: grades?.get(gradeColumn(row.condition, row.level)),
        label: `${row.level}${side === null ? '' : ` ${side === 'left' ? 'L' : 'R'}`} ${grades?.get(gradeColumn(row.condition, row.level)) ?? 'ungraded'}`,
      };
    });
}

/** The PNG of a dataset instance with every label marked on it. */
export async function datasetSlicePng(tables: DatasetTables, studyId: string, seriesId: string, instanceNumber: number, window?: WindowSpec): Promise<Buffer> {
  const image = await readDicomFile(instancePath(tables.root, studyId, seriesId, instanceNumber));
  return labelledSlicePng(image, markersForInstance(tables, studyId, seriesId, instanceNumber), { window });
}

// A series folder as the localizer sees it: its readable instances in slice-position order, each slice's distance
// from the middle of the stack along the slice normal, and the middle slice the in-plane model looks at. Files
// that cannot be read are listed, not fatal: the rest of the series is still usable.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readDicomMeta, sliceNormal, slicePosition, sortSeries, type DicomMeta } from '../dicom';

export interface UnreadableFile {
  file: string;
  error: string;
}

export interface SeriesSlices {
  folder: string;
  /** Readable instances in slice-position order (InstanceNumber order when the files lack geometry). */
  slices: DicomMeta[];
  /**
   * Each slice's distance in mm from the stack's centre (halfway between the first and last slice) along the
   * normal; in slice steps when the files lack the geometry to measure it.
   */
  offsets: number[];
  unit: 'mm' | 'slices';
  /** The slice nearest the stack's centre: what the in-plane model is given. */
  middle: number;
  unreadable: UnreadableFile[];
}

export async function readSeriesSlices(folder: string): Promise<SeriesSlices> {
  const names = (await readdir(folder)).filter((name) => name.toLowerCase().endsWith('.dcm'));
  const unreadable: UnreadableFile[] = [];
  const metas: DicomMeta[] = [];
  for (const name of names) {
    const file = join(folder, name);
    try {
      metas.push(await readDicomMeta(file));
    } catch (error) {
      unreadable.push({ file, error: (error as Error).message });
    }
  }
  const sorted = sortSeries(metas);
  const slices = sorted.instances;
  const normal = slices.length > 0 ? sliceNormal(slices[0]!) : null;
  const unit = sorted.method === 'position' ? 'mm' : 'slices';
  const along = slices.map((meta, index) => (unit === 'mm' ? slicePosition(meta, normal)! : index));
  const centre = along.length > 0 ? (along[0]! + along[along.length - 1]!) / 2 : 0;
  const offsets = along.map((value) => value - centre);
  return { folder, slices, offsets, unit, middle: nearestSlice(offsets, 0), unreadable };
}

/** Index of the slice whose offset is nearest `offset` (the first of two equally near). */
export function nearestSlice(offsets: readonly number[], offset: number): number {
  let best = 0;
  offsets.forEach((value, index) => {
    if (Math.abs(value - offset) < Math.abs(offsets[best]! - offset)) best = index;
  });
  return best;
}

/** Index in `slices` of the instance with this InstanceNumber, or -1. */
export function sliceOfInstance(series: SeriesSlices, instanceNumber: number): number {
  return series.slices.findIndex((meta) => meta.instanceNumber === instanceNumber);
}

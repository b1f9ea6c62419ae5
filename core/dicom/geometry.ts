// Slice geometry: where a slice lies along its series' normal, and the order of a series' instances.
import type { DicomMeta } from './meta';

export type Vector3 = [number, number, number];

/** The slice normal: row direction x column direction, from ImageOrientationPatient. */
export function sliceNormal(meta: Pick<DicomMeta, 'geometry'>): Vector3 | null {
  const o = meta.geometry.imageOrientationPatient;
  if (o === null) return null;
  return [o[1] * o[5] - o[2] * o[4], o[2] * o[3] - o[0] * o[5], o[0] * o[4] - o[1] * o[3]];
}

/** Distance in mm of the slice's first pixel along `normal` (default: its own normal). */
export function slicePosition(meta: Pick<DicomMeta, 'geometry'>, normal = sliceNormal(meta)): number | null {
  const p = meta.geometry.imagePositionPatient;
  if (p === null || normal === null) return null;
  return p[0] * normal[0] + p[1] * normal[1] + p[2] * normal[2];
}

export interface SortedSeries<T> {
  instances: T[];
  /** 'position' when every instance has position and orientation; otherwise InstanceNumber order. */
  method: 'position' | 'instance-number';
}

type Sortable = Pick<DicomMeta, 'geometry' | 'instanceNumber' | 'file'>;

/**
 * Orders a series' instances along the slice normal (ascending position), falling back to InstanceNumber when
 * any instance lacks geometry. The first instance's normal is used for all, so one oblique outlier does not
 * reorder the rest. Ties keep InstanceNumber, then file name, order.
 */
export function sortSeries<T extends Sortable>(
  instances: readonly T[],
  getMeta: (item: T) => Sortable = (x) => x,
): SortedSeries<T> {
  const normal = instances.length > 0 ? sliceNormal(getMeta(instances[0]!)) : null;
  const positions = instances.map((item) => slicePosition(getMeta(item), normal));
  const byInstance = (a: T, b: T) => {
    const ma = getMeta(a);
    const mb = getMeta(b);
    return (ma.instanceNumber ?? Infinity) - (mb.instanceNumber ?? Infinity) || ma.file.localeCompare(mb.file);
  };
  const indexed = instances.map((item, index) => ({ item, position: positions[index] }));
  if (normal !== null && positions.every((p) => p !== null)) {
    indexed.sort((a, b) => a.position! - b.position! || byInstance(a.item, b.item));
    return { instances: indexed.map((x) => x.item), method: 'position' };
  }
  return { instances: [...instances].sort(byInstance), method: 'instance-number' };
}

// Slice planes of the three series of a lumbar spine study, planned on the phantom the way a technologist
// plans them: a sagittal slab centred on the midline covering both foramina, and axial stacks of a few slices
// through each disc, tilted to lie parallel to it.
import { LEVELS, type SeriesDescription } from '../lsdcVocabulary';
import type { LumbarPhantom, Vec3 } from './phantom';
import { integerBetween, uniform, type Random } from '../random';

/** One slice: ImagePositionPatient (centre of the first pixel) and the row/column direction cosines. */
export interface SlicePlane {
  position: Vec3;
  /** Direction of increasing column index (ImageOrientationPatient's first triplet). */
  rowDirection: Vec3;
  /** Direction of increasing row index (ImageOrientationPatient's second triplet). */
  columnDirection: Vec3;
  /** Graded level whose disc this slice was planned on (axial only). */
  level?: number;
}

export interface SeriesGeometry {
  description: SeriesDescription;
  rows: number;
  columns: number;
  /** Square pixels: the distance between neighbouring pixel centres, mm. */
  pixelSpacing: number;
  sliceThickness: number;
  spacingBetweenSlices: number;
  /** In InstanceNumber order (instance n is slices[n - 1]). */
  slices: SlicePlane[];
}

/** A point projected on a slice: pixel coordinates (x = column, y = row, as in the label CSV) and distance. */
export interface PixelPoint {
  x: number;
  y: number;
  /** Signed distance from the plane along its normal, mm. */
  offPlane: number;
}

export function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

function dot(a: Vec3, b: Vec3): number {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

function along(origin: Vec3, direction: Vec3, distance: number): Vec3 {
  return [origin[0] + direction[0] * distance, origin[1] + direction[1] * distance, origin[2] + direction[2] * distance];
}

export function projectToPixel(geometry: SeriesGeometry, slice: SlicePlane, point: Vec3): PixelPoint {
  const offset: Vec3 = [point[0] - slice.position[0], point[1] - slice.position[1], point[2] - slice.position[2]];
  return {
    x: dot(offset, slice.rowDirection) / geometry.pixelSpacing,
    y: dot(offset, slice.columnDirection) / geometry.pixelSpacing,
    offPlane: dot(offset, cross(slice.rowDirection, slice.columnDirection)),
  };
}

/** The index in `geometry.slices` of the slice nearest to a point (-1 when no slice is a candidate). */
export function nearestSlice(geometry: SeriesGeometry, point: Vec3, candidates?: (slice: SlicePlane) => boolean): number {
  let best = -1;
  let bestDistance = Infinity;
  geometry.slices.forEach((slice, index) => {
    if (candidates !== undefined && !candidates(slice)) return;
    const distance = Math.abs(projectToPixel(geometry, slice, point).offPlane);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = index;
    }
  });
  return best;
}

/** The first pixel's centre for an image of `rows` x `columns` centred on `centre`. */
function cornerFor(centre: Vec3, rowDirection: Vec3, columnDirection: Vec3, rows: number, columns: number, spacing: number): Vec3 {
  return along(along(centre, rowDirection, (-(columns - 1) / 2) * spacing), columnDirection, (-(rows - 1) / 2) * spacing);
}

export interface SagittalPlan {
  sliceCount: number;
  pixelSpacing: number;
  sliceThickness: number;
  spacingBetweenSlices: number;
  /** Rows and columns of the (square) images. */
  size: number;
  /** Slab centre in patient coordinates (the mid slice passes through it). */
  centre: Vec3;
}

/** One sagittal slab for a study; Sagittal T1 and Sagittal T2/STIR share it, as they usually do. */
export function planSagittal(random: Random, phantom: LumbarPhantom): SagittalPlan {
  const top = phantom.levelCentre(0);
  const bottom = phantom.levelCentre(LEVELS.length - 1);
  const centre = phantom.toPatient(0.5 * (top + bottom) + uniform(random, -6, 6), 14 + uniform(random, -6, 6), uniform(random, -1, 1));
  const sliceThickness = Number(uniform(random, 3.3, 4).toFixed(1));
  return {
    sliceCount: 2 * integerBetween(random, 6, 7) + 1,
    pixelSpacing: Number(uniform(random, 0.82, 0.9).toFixed(4)),
    sliceThickness,
    spacingBetweenSlices: Number((sliceThickness + uniform(random, 0.2, 0.6)).toFixed(1)),
    size: SAGITTAL_SIZE,
    centre,
  };
}

// Sagittal images look at the patient from the left: columns run front to back, rows head to foot.
const SAGITTAL_ROW: Vec3 = [0, 1, 0];
const SAGITTAL_COLUMN: Vec3 = [0, 0, -1];
const SAGITTAL_SIZE = 256;

/** Instances run from the patient's left to right, i.e. along the plane normal (-x). */
export function sagittalSeries(description: SeriesDescription, plan: SagittalPlan): SeriesGeometry {
  const normal = cross(SAGITTAL_ROW, SAGITTAL_COLUMN);
  const slices: SlicePlane[] = [];
  for (let i = 0; i < plan.sliceCount; i++) {
    const centre = along(plan.centre, normal, (i - (plan.sliceCount - 1) / 2) * plan.spacingBetweenSlices);
    slices.push({
      position: cornerFor(centre, SAGITTAL_ROW, SAGITTAL_COLUMN, plan.size, plan.size, plan.pixelSpacing),
      rowDirection: SAGITTAL_ROW,
      columnDirection: SAGITTAL_COLUMN,
    });
  }
  return {
    description,
    rows: plan.size,
    columns: plan.size,
    pixelSpacing: plan.pixelSpacing,
    sliceThickness: plan.sliceThickness,
    spacingBetweenSlices: plan.spacingBetweenSlices,
    slices,
  };
}

/** Matrix, pixel spacing and slices per disc of an axial series. */
export interface AxialLayout {
  size: number;
  pixelSpacing: number;
  slicesPerLevel: number;
}

const AXIAL_SIZE = 192;
const AXIAL_SLICES_PER_LEVEL = 3;

/**
 * A few slices per disc from L1/L2 down to L5/S1 (three unless `layout` says otherwise), each stack
 * perpendicular to the spine at its disc. Within a stack instances run from head to foot, i.e. against the
 * plane normal (+z tilted with the disc). `layout` replaces the drawn matrix and spacing; the draws are made
 * either way, so the rest of the study stays the same.
 */
export function axialSeries(random: Random, phantom: LumbarPhantom, layout?: AxialLayout): SeriesGeometry {
  const drawnSpacing = Number(uniform(random, 0.8, 0.9).toFixed(4));
  const { size, pixelSpacing, slicesPerLevel } = layout ?? {
    size: AXIAL_SIZE,
    pixelSpacing: drawnSpacing,
    slicesPerLevel: AXIAL_SLICES_PER_LEVEL,
  };
  const sliceThickness = Number(uniform(random, 3.3, 4).toFixed(1));
  const spacingBetweenSlices = Number((sliceThickness + uniform(random, 0, 0.4)).toFixed(1));
  const depthCentre = 12 + uniform(random, -5, 5);
  const slices: SlicePlane[] = [];
  LEVELS.forEach((_, level) => {
    const u = phantom.levelCentre(level);
    const normal = phantom.tangentAt(u);
    const rowDirection: Vec3 = [1, 0, 0];
    const columnDirection = phantom.posteriorAt(u);
    const discCentre = phantom.toPatient(u, depthCentre, uniform(random, -2, 2));
    for (let i = 0; i < slicesPerLevel; i++) {
      const centre = along(discCentre, normal, ((slicesPerLevel - 1) / 2 - i) * spacingBetweenSlices);
      slices.push({
        position: cornerFor(centre, rowDirection, columnDirection, size, size, pixelSpacing),
        rowDirection,
        columnDirection,
        level,
      });
    }
  });
  return {
    description: 'Axial T2',
    rows: size,
    columns: size,
    pixelSpacing,
    sliceThickness,
    spacingBetweenSlices,
    slices,
  };
}

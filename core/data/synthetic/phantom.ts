// A lumbar spine phantom defined in patient space, sampled by the renderer at every pixel of every slice.
//
// The spine follows a lordotic arc: a circle in the sagittal plane whose centre lies posterior to the spine.
// Anatomy is laid out in the arc's own straight frame (u along the spine towards the head, v towards the back
// from the vertebral body axis, w towards the patient's left), where it is a stack of boxes and ellipses;
// converting a patient point to (u, v, w) is exact and costs one atan2 and one square root.
//
// Each graded level narrows three spaces in proportion to its grade: the central canal (disc bulge from the
// front, ligamentum flavum from the back, effacing the CSF), the neural foramina (the fat around the exiting
// root replaced by disc and facet), and the lateral recesses (the CSF-filled subarticular zones replaced by
// hypertrophied facet). Grades get non-overlapping narrowing ranges so each is recognisable by eye.
import type { StudyGrades } from './grades';
import { LEVELS, type Condition, type GradeIndex } from '../lsdcVocabulary';
import { uniform, type Random } from '../random';
import { Tissue, type TissueId } from './tissues';

/** A point or direction in DICOM patient coordinates (x to the left, y to the back, z to the head), in mm. */
export type Vec3 = readonly [number, number, number];

// Tissue ids as module constants: read once, not looked up through the import on every pixel.
const {
  air: AIR,
  annulus: ANNULUS,
  cortex: CORTEX,
  csf: CSF,
  fat: FAT,
  jointFluid: JOINT_FLUID,
  ligament: LIGAMENT,
  marrow: MARROW,
  muscle: MUSCLE,
  nerve: NERVE,
  nucleus: NUCLEUS,
  softTissue: SOFT_TISSUE,
  vessel: VESSEL,
} = Tissue;

/** Fraction of a space closed off, per grade (Normal/Mild, Moderate, Severe): drawn uniformly in the range. */
export const NARROWING_BY_GRADE: readonly (readonly [number, number])[] = [
  [0, 0.15],
  [0.45, 0.58],
  [0.74, 0.86],
];

type Side = 0 | 1; // 0: patient left (+w), 1: patient right (-w)

/** Vertebrae from the bottom of the field of view up; discs lie between consecutive ones. */
const VERTEBRAE = ['S1', 'L5', 'L4', 'L3', 'L2', 'L1', 'T12', 'T11'] as const;
const BODY_HEIGHT_MM = [26, 25, 25.5, 25.5, 25, 24, 23, 22];
/** Disc heights from the bottom: L5/S1, L4/L5, L3/L4, L2/L3, L1/L2, T12/L1, T11/T12. */
const DISC_HEIGHT_MM = [9.5, 10.5, 10, 9, 8, 7, 6.5];
const DISC_COUNT = DISC_HEIGHT_MM.length;
const L1_INDEX = VERTEBRAE.indexOf('L1');

/** Disc index from the bottom for a graded level (0 = L1/L2 .. 4 = L5/S1). */
function discOfLevel(level: number): number {
  return LEVELS.length - 1 - level;
}

export class LumbarPhantom {
  // Lordotic arc: centre (arcY, arcZ) in the sagittal plane x = midlineX, radius arcRadius.
  readonly arcRadius: number;
  readonly arcY: number;
  readonly arcZ: number;
  readonly midlineX: number;

  /** Segment boundaries along u, ascending: disc i spans [bounds[2i], bounds[2i+1]]. */
  private readonly bounds: Float64Array;
  private readonly discCentre: Float64Array;
  private readonly discHeight: Float64Array;
  private readonly canalNarrowing: Float64Array;
  private readonly foramenNarrowing: [Float64Array, Float64Array];
  private readonly recessNarrowing: [Float64Array, Float64Array];
  private readonly profileInverseVariance: number;

  private readonly bodyHalfDepth: number;
  private readonly bodyHalfWidth: number;
  private readonly posteriorWall: number;
  private readonly canalFront: number;
  private readonly canalDepth: number;
  private readonly canalHalfWidth: number;
  private readonly recessHalfDepth = 3.2;
  private readonly recessHalfWidth = 4.2;
  private readonly recessOffset: number;
  private readonly foramenDepthCentre: number;
  private readonly conusTip: number;

  constructor(random: Random, grades: StudyGrades) {
    const scale = uniform(random, 0.93, 1.07);
    this.arcRadius = uniform(random, 280, 520);
    this.midlineX = uniform(random, -8, 8);
    this.arcY = this.arcRadius + uniform(random, -10, 10);
    this.arcZ = uniform(random, -160, -80);

    this.bodyHalfDepth = 15 * scale;
    this.bodyHalfWidth = 24 * scale;
    this.posteriorWall = this.bodyHalfDepth - 2.5;
    this.canalFront = this.posteriorWall + 1;
    this.canalDepth = uniform(random, 15, 17.5);
    this.canalHalfWidth = uniform(random, 10.5, 12);
    this.recessOffset = this.canalHalfWidth - 1.5;
    this.foramenDepthCentre = this.posteriorWall + 2.5;

    // Stack discs and bodies upwards from the top of S1, placed so the arc's apex falls near L3/L4.
    this.bounds = new Float64Array(2 * DISC_COUNT);
    this.discCentre = new Float64Array(DISC_COUNT);
    this.discHeight = new Float64Array(DISC_COUNT);
    let u = 0;
    for (let disc = 0; disc < DISC_COUNT; disc++) {
      const height = DISC_HEIGHT_MM[disc] * scale * uniform(random, 0.9, 1.1);
      this.bounds[2 * disc] = u;
      this.bounds[2 * disc + 1] = u + height;
      this.discCentre[disc] = u + height / 2;
      this.discHeight[disc] = height;
      u += height + BODY_HEIGHT_MM[disc + 1] * scale * uniform(random, 0.95, 1.05);
    }
    const shift = this.discCentre[2] + uniform(random, -15, 15);
    for (let i = 0; i < this.bounds.length; i++) this.bounds[i] -= shift;
    for (let i = 0; i < DISC_COUNT; i++) this.discCentre[i] -= shift;
    const l1Bottom = this.bounds[2 * L1_INDEX - 1];
    const l1Top = this.bounds[2 * L1_INDEX];
    this.conusTip = (l1Bottom + l1Top) / 2 + uniform(random, -5, 5);
    const meanDisc = this.discHeight.reduce((sum, h) => sum + h, 0) / DISC_COUNT;
    const sigma = 0.5 * meanDisc + 2.5;
    this.profileInverseVariance = 1 / (sigma * sigma);

    const narrowing = (condition: Condition): Float64Array => {
      const byDisc = new Float64Array(DISC_COUNT);
      grades.grade[condition].forEach((grade: GradeIndex, level) => {
        const [low, high] = NARROWING_BY_GRADE[grade];
        byDisc[discOfLevel(level)] = uniform(random, low, high);
      });
      return byDisc;
    };
    this.canalNarrowing = narrowing('spinal_canal_stenosis');
    this.foramenNarrowing = [narrowing('left_neural_foraminal_narrowing'), narrowing('right_neural_foraminal_narrowing')];
    this.recessNarrowing = [narrowing('left_subarticular_stenosis'), narrowing('right_subarticular_stenosis')];
  }

  /** Straight-frame (u, v, w) to patient coordinates. */
  toPatient(u: number, v: number, w: number): Vec3 {
    const angle = u / this.arcRadius;
    const r = this.arcRadius - v;
    return [this.midlineX + w, this.arcY - r * Math.cos(angle), this.arcZ + r * Math.sin(angle)];
  }

  /** Unit vector along the spine (towards the head) at u, in patient coordinates. */
  tangentAt(u: number): Vec3 {
    const angle = u / this.arcRadius;
    return [0, Math.sin(angle), Math.cos(angle)];
  }

  /** Unit vector towards the patient's back, perpendicular to the spine at u. */
  posteriorAt(u: number): Vec3 {
    const angle = u / this.arcRadius;
    return [0, Math.cos(angle), -Math.sin(angle)];
  }

  tissueAtPatient(x: number, y: number, z: number): TissueId {
    // Trunk outline (fixed in the scanner, not bent with the spine), with subcutaneous fat inside the skin.
    const ox = (x - this.midlineX) / 150;
    const oy = (y - (this.arcY - this.arcRadius) - 5) / 95;
    const outline = ox * ox + oy * oy;
    if (outline > 1) return AIR;
    if (outline > 0.8) return FAT;
    const dy = this.arcY - y;
    const dz = z - this.arcZ;
    return this.tissueAt(this.arcRadius * Math.atan2(dz, dy), this.arcRadius - Math.sqrt(dy * dy + dz * dz), x - this.midlineX);
  }

  /** u of a graded level's disc centre (level 0 = L1/L2). */
  levelCentre(level: number): number {
    return this.discCentre[discOfLevel(level)];
  }

  /** Mid-point of the spinal canal at a level, on the midline. */
  canalCentre(level: number): Vec3 {
    return this.toPatient(this.levelCentre(level), this.canalFront + this.canalDepth / 2, 0);
  }

  /** Centre of a neural foramen at a level, at lateral offset |w| (the parasagittal plane that shows it). */
  foramenCentre(level: number, side: 'left' | 'right', lateralOffset: number): Vec3 {
    const u = this.levelCentre(level) + this.foramenRise(discOfLevel(level));
    return this.toPatient(u, this.foramenDepthCentre, side === 'left' ? lateralOffset : -lateralOffset);
  }

  /** Centre of a lateral recess (subarticular zone) at a level's disc. */
  recessCentre(level: number, side: 'left' | 'right'): Vec3 {
    const w = side === 'left' ? this.recessOffset : -this.recessOffset;
    return this.toPatient(this.levelCentre(level), this.canalFront + this.recessHalfDepth, w);
  }

  /** Lateral offset where the foramina are widest open, for choosing parasagittal slices. */
  get foramenLateralOffset(): number {
    return this.canalHalfWidth + 7.5;
  }

  private foramenRise(disc: number): number {
    return 0.5 * this.discHeight[disc];
  }

  /** The tissue at a point of the straight frame, inside the trunk. */
  private tissueAt(u: number, v: number, w: number): TissueId {
    const aw = w < 0 ? -w : w;
    const bounds = this.bounds;
    let segment = 0;
    while (segment < bounds.length && bounds[segment] <= u) segment++;
    const inDisc = (segment & 1) === 1;
    let disc: number;
    if (inDisc) {
      disc = (segment - 1) >> 1;
    } else {
      const vertebra = segment >> 1;
      if (vertebra === 0) disc = 0;
      else if (vertebra === DISC_COUNT) disc = DISC_COUNT - 1;
      else disc = u - this.discCentre[vertebra - 1] < this.discCentre[vertebra] - u ? vertebra - 1 : vertebra;
    }
    const du = u - this.discCentre[disc];
    const discHalf = 0.5 * this.discHeight[disc];

    // Vertebral bodies and discs: a superellipse footprint, flat at the back.
    const bv = v / this.bodyHalfDepth;
    const bw = w / this.bodyHalfWidth;
    const bv2 = bv * bv;
    const bw2 = bw * bw;
    const footprint = bv2 * bv2 + bw2 * bw2;
    if (footprint <= 1 && v <= this.posteriorWall) {
      if (inDisc) {
        const heightFraction = du / discHalf;
        return bv2 + bw2 < 0.3 && heightFraction * heightFraction < 0.4 ? NUCLEUS : ANNULUS;
      }
      const below = segment > 0 ? u - bounds[segment - 1] : Infinity;
      const above = segment < bounds.length ? bounds[segment] - u : Infinity;
      const cortex = 1.3;
      return below < cortex || above < cortex || footprint > 0.7 || v > this.posteriorWall - cortex
        ? CORTEX
        : MARROW;
    }
    if (v < -this.bodyHalfDepth) return this.anteriorTissue(v, w);

    const side: Side = w >= 0 ? 0 : 1;
    const canalBack = this.canalFront + this.canalDepth;

    // Central canal, lateral recesses and what narrows them.
    if (aw < 15 && v > this.posteriorWall && v < canalBack) {
      const profile = Math.exp(-du * du * this.profileInverseVariance);
      const narrowing = this.canalNarrowing[disc] * profile;
      const front = this.canalFront + 0.55 * narrowing * this.canalDepth;
      const back = canalBack - 0.45 * narrowing * this.canalDepth;
      const centre = 0.5 * (front + back);
      const qv = (v - centre) / (0.5 * (back - front));
      const qw = w / (this.canalHalfWidth * (1 - 0.3 * narrowing));
      const q = qv * qv + qw * qw;
      if (q <= 1) {
        if (q > 0.7 * (1 - 0.55 * narrowing)) return FAT;
        return this.thecalSacContent(u, v - centre, aw);
      }

      const recess = this.recessNarrowing[side][disc] * profile;
      const recessCentreV = this.canalFront + this.recessHalfDepth;
      const rv = (v - recessCentreV) / (this.recessHalfDepth * (1 - 0.8 * recess));
      const rw = (aw - (this.recessOffset - 2.5 * recess)) / (this.recessHalfWidth * (1 - 0.8 * recess));
      const r = rv * rv + rw * rw;
      if (r <= 1) {
        const rootRadius = 0.3 * (1 - 0.5 * recess);
        if (r < rootRadius * rootRadius) return NERVE;
        return r < 0.55 ? CSF : FAT;
      }
      const nominalRv = (v - recessCentreV) / this.recessHalfDepth;
      const nominalRw = (aw - this.recessOffset) / this.recessHalfWidth;
      if (nominalRv * nominalRv + nominalRw * nominalRw <= 1) return LIGAMENT;

      const nominalQv = (v - (this.canalFront + 0.5 * this.canalDepth)) / (0.5 * this.canalDepth);
      const nominalQw = w / this.canalHalfWidth;
      if (nominalQv * nominalQv + nominalQw * nominalQw <= 1) {
        // Closed-off canal: bulging disc in front, thickened ligamentum flavum behind.
        return nominalQv < 0 ? ANNULUS : LIGAMENT;
      }
      if (v < this.canalFront && aw < 8) return LIGAMENT;
    }

    // Neural foramina, lateral to the recesses between the pedicles.
    if (aw >= 12 && aw <= 28) {
      const narrowing = this.foramenNarrowing[side][disc];
      const centreU = this.discCentre[disc] + this.foramenRise(disc);
      const halfHeight = 8.5;
      const taper = Math.min(1, Math.max(0, (u - centreU + halfHeight) / (2 * halfHeight)));
      const halfDepth = 4.5 * (0.55 + 0.45 * taper);
      const dv = v - this.foramenDepthCentre;
      const nominalU = (u - centreU) / halfHeight;
      const nominalV = dv / halfDepth;
      if (nominalU * nominalU + nominalV * nominalV <= 1) {
        const openHeight = halfHeight * (1 - 0.55 * narrowing);
        const openDepth = halfDepth * (1 - 0.6 * narrowing);
        const openCentre = centreU + 2.5 * narrowing;
        const fu = (u - openCentre) / openHeight;
        const fv = dv / openDepth;
        if (fu * fu + fv * fv > 1) return ANNULUS;
        const rootRadius = Math.min(2.3, 0.5 * openDepth);
        const ru = u - (openCentre + 0.3 * openHeight);
        return ru * ru + dv * dv < rootRadius * rootRadius ? NERVE : FAT;
      }
    }

    // Pedicles: bone ovals joining each body to its posterior arch, between the foramina.
    if (!inDisc && aw >= 13 && aw <= 24 && v < 24) {
      const bottom = segment > 0 ? bounds[segment - 1] : bounds[0] - BODY_HEIGHT_MM[0];
      const top = segment < bounds.length ? bounds[segment] : bottom + BODY_HEIGHT_MM[VERTEBRAE.length - 1];
      const height = top - bottom;
      const pu = (u - (0.5 * (bottom + top) + 0.22 * height)) / (0.36 * height);
      const pv = (v - 16) / 8;
      const p = pu * pu + pv * pv;
      if (p <= 1) return p > 0.6 ? CORTEX : MARROW;
    }

    // Articular pillars behind the foramina, with a fluid-filled facet joint at each disc level.
    if (aw >= 9 && aw <= 25 && v >= canalBack - 7 && v <= canalBack + 6) {
      const joint = du - 3 - 0.4 * (v - canalBack + 7);
      return joint > -0.9 && joint < 0.9 ? JOINT_FLUID : MARROW;
    }
    // Laminae, with ligamentum flavum between them at each disc level.
    const behindCanal = v - canalBack;
    if (behindCanal >= 0 && behindCanal <= 6 && aw < 14 - 0.4 * behindCanal) {
      return du > -(discHalf + 6) && du < discHalf - 3 ? LIGAMENT : MARROW;
    }
    // Spinous processes slope downwards towards the back; interspinous ligament between them.
    if (behindCanal > 6 && behindCanal <= 32 && aw < 3.5) {
      const sloped = du + 0.35 * (behindCanal - 6);
      return sloped > -(discHalf + 7) && sloped < discHalf + 1 ? LIGAMENT : MARROW;
    }
    if (v < canalBack && aw < 15) return FAT;
    return MUSCLE;
  }

  /** Inside the dural sac: conus medullaris above its tip, cauda equina roots below it, CSF around. */
  private thecalSacContent(u: number, dv: number, aw: number): TissueId {
    const aboveTip = u - this.conusTip;
    if (aboveTip > 0) {
      const taper = Math.min(1, aboveTip / 10);
      const cw = aw / (4.5 * taper);
      const cv = dv / (3.5 * taper);
      if (cw * cw + cv * cv <= 1) return NERVE;
    } else {
      const rw = aw - 2.5;
      const rv = dv - 2.5;
      if (rw * rw + rv * rv < 0.64) return NERVE;
    }
    return CSF;
  }

  /** In front of the spine: aorta (left), inferior vena cava (right), abdominal contents, psoas and wall muscles. */
  private anteriorTissue(v: number, w: number): TissueId {
    const av = v + 26;
    const aw2 = w - 14;
    if (av * av + aw2 * aw2 < 100) return VESSEL;
    const iv = (v + 24) / 8;
    const iw = (w + 22) / 12;
    if (iv * iv + iw * iw < 1) return VESSEL;
    const cv = (v + 65) / 50;
    const cw = w / 105;
    return cv * cv + cw * cw < 1 ? SOFT_TISSUE : MUSCLE;
  }
}

// Tissue classes of the phantom and their MR signal on the two contrasts we render. The values are typical
// 12-bit magnitudes of a lumbar spine protocol: CSF brightest on T2 and dark on T1, fat bright on both (fast
// spin echo), marrow brighter on T1 than T2, annulus, ligaments, cortex and flowing blood dark on both.

export const Tissue = {
  air: 0,
  fat: 1,
  muscle: 2,
  marrow: 3,
  cortex: 4,
  nucleus: 5,
  annulus: 6,
  csf: 7,
  nerve: 8,
  ligament: 9,
  softTissue: 10,
  vessel: 11,
  jointFluid: 12,
} as const;
export type TissueId = (typeof Tissue)[keyof typeof Tissue];
export const TISSUE_COUNT = 13;

export type Contrast = 'T1' | 'T2';

const SIGNAL: Record<Contrast, readonly number[]> = {
  //   air  fat   muscle marrow cortex nucleus annulus csf   nerve ligament soft vessel joint
  T2: [0, 1000, 380, 620, 60, 1450, 220, 1900, 650, 260, 700, 60, 1700],
  T1: [0, 1650, 560, 1050, 80, 620, 430, 320, 640, 480, 720, 120, 300],
};

/**
 * Signal per tissue for one series, each tissue scaled by its own factor from `jitter` (e.g. 0.9..1.1), so
 * studies differ in contrast the way scanners and patients do.
 */
export function signalTable(contrast: Contrast, jitter: () => number): Float32Array {
  return Float32Array.from(SIGNAL[contrast], (value) => value * jitter());
}

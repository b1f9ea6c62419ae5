// One line style per run, derived from the run folder's path alone, so a run keeps its colour across reloads,
// filters and selections, and the swatch on its row matches its line in every plot. Twelve colours; beyond them the
// same colours come back with one of six dash patterns, so any number of runs can be told apart on one chart
// (two runs share a style only when their paths hash to the same one of 72, which the row swatches make visible).

export interface RunStyle {
  colour: string;
  /** A canvas line dash (segment, gap, ...); empty for a solid line. */
  dash: number[];
}

// Tableau 10 plus two: distinct on dark and light themes alike.
const COLOURS = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#17becf',
  '#bcbd22',
];
const DASHES: number[][] = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [12, 4, 2, 4, 2, 4]];

/** FNV-1a, 32 bits: a well-spread hash of a short string, the same on every machine and every run. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function runStyle(runKey: string): RunStyle {
  const slot = fnv1a(runKey) % (COLOURS.length * DASHES.length);
  return { colour: COLOURS[slot % COLOURS.length]!, dash: DASHES[Math.floor(slot / COLOURS.length)]! };
}

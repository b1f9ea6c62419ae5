// Seeded randomness for the synthetic dataset and the dataset splits. Math.random cannot be seeded, and a
// library generator would tie the dataset's bytes (and the splits) to that library's version; a 32-bit integer
// generator written out here gives the same numbers on every machine and Node version, so a seed names one
// dataset, and one split, everywhere.

/** A source of uniform numbers in [0, 1). */
export type Random = () => number;

/** mulberry32: uniform 32-bit unsigned integers from a 32-bit state; fast, and adequate for phantoms and draws. */
export function mulberry32Integers(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** Uniform numbers in [0, 1) from mulberry32. */
export function mulberry32(seed: number): Random {
  const next = mulberry32Integers(seed);
  return () => next() / 4294967296;
}

/**
 * A 32-bit seed for an independent stream named by `parts` (e.g. the dataset seed and a study index), so
 * study k is the same whether 4 or 400 studies are generated. FNV-1a over the parts, then a murmur3 finaliser
 * to spread nearby inputs.
 */
export function deriveSeed(...parts: (number | string)[]): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(parts.join('\u0000'), 'utf8')) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** Uniform number in [low, high). */
export function uniform(random: Random, low: number, high: number): number {
  return low + (high - low) * random();
}

/** A shuffled copy of `items` (Fisher-Yates, drawing from the end), the same order for the same generator state. */
export function shuffled<T>(items: readonly T[], random: Random): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Uniform integer in [low, high]. */
export function integerBetween(random: Random, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/**
 * Standard normal deviates at 65,536 evenly spaced quantiles. Per-pixel noise picks one with a random index:
 * a table read instead of a Box-Muller transform, which matters at millions of pixels.
 */
export const normalQuantiles: Float32Array = (() => {
  const size = 65536;
  const table = new Float32Array(size);
  for (let i = 0; i < size; i++) table[i] = inverseNormal((i + 0.5) / size);
  return table;
})();

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9): no library in our
// dependencies offers it and it is only needed to fill the table above.
function inverseNormal(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const tail = 0.02425;
  if (p < tail) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - tail) return -inverseNormal(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

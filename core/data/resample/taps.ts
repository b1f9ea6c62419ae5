// The resampling filters and, for one axis, which source pixels each output pixel reads and with what weights.
// The weights are the ones Pillow's Image.resize uses for its BILINEAR, BICUBIC and LANCZOS filters, rounded to
// the same 22-bit fixed point, so the resized bytes can equal Pillow's (index.ts explains why this is our own).

export type ResizeKernel = 'linear' | 'cubic' | 'lanczos3';

interface Filter {
  /** Half-width of the kernel in source pixels at scale 1. */
  support: number;
  weight(x: number): number;
}

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

const CUBIC_A = -0.5; // Pillow's bicubic: Keys' kernel with a = -0.5.

const filters: Record<ResizeKernel, Filter> = {
  linear: { support: 1, weight: (x) => Math.max(0, 1 - Math.abs(x)) },
  cubic: {
    support: 2,
    weight: (x) => {
      const t = Math.abs(x);
      if (t < 1) return ((CUBIC_A + 2) * t - (CUBIC_A + 3)) * t * t + 1;
      if (t < 2) return (((t - 5) * t + 8) * t - 4) * CUBIC_A;
      return 0;
    },
  },
  lanczos3: { support: 3, weight: (x) => (x >= -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

// 32 bits less 8 for the pixel value and 2 of headroom for negative lobes; kernels.as.ts sums in this precision.
const PRECISION_BITS = 22;

/** For each output index along one axis: the first source index, how many follow, and their fixed-point weights. */
export interface Taps {
  first: Int32Array;
  count: Int32Array;
  /** `stride` weights per output index, the first `count` used. */
  weights: Int32Array;
  stride: number;
  /**
   * The same weights for the row pass's SIMD dot products, whose lanes are 16-bit: weight = high * 2048 + low with
   * 0 <= low < 2048, `chunks` groups of 8 per output index, zero past its count.
   */
  high: Int16Array;
  low: Int16Array;
  chunks: number;
}

const SPLIT = 2048;

function splitWeights(count: Int32Array, weights: Int32Array, stride: number): Pick<Taps, 'high' | 'low' | 'chunks'> {
  const chunks = Math.ceil(stride / 8);
  const high = new Int16Array(count.length * chunks * 8);
  const low = new Int16Array(count.length * chunks * 8);
  for (let i = 0; i < count.length; i++) {
    for (let k = 0; k < count[i]!; k++) {
      const w = weights[i * stride + k]!;
      high[i * chunks * 8 + k] = Math.floor(w / SPLIT);
      low[i * chunks * 8 + k] = w - Math.floor(w / SPLIT) * SPLIT;
    }
  }
  return { high, low, chunks };
}

/**
 * The filter's taps for resizing `inSize` pixels to `outSize`. Output pixel i is centred at (i + 0.5) * scale in
 * the source; when shrinking, the kernel is stretched by the scale so every source pixel contributes (antialiasing).
 * Weights are normalised to sum to 1 and then rounded half away from zero to PRECISION_BITS fixed point.
 */
function computeTaps(inSize: number, outSize: number, filter: Filter): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = filter.support * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * stride);
  const raw = new Float64Array(stride);
  for (let i = 0; i < outSize; i++) {
    const centre = (i + 0.5) * scale;
    // Truncation toward zero, then clamping to the image, as the reference does.
    const from = Math.max(Math.trunc(centre - support + 0.5), 0);
    const n = Math.min(Math.trunc(centre + support + 0.5), inSize) - from;
    let total = 0;
    for (let k = 0; k < n; k++) {
      raw[k] = filter.weight((k + from - centre + 0.5) / filterScale);
      total += raw[k]!;
    }
    for (let k = 0; k < n; k++) {
      const w = total === 0 ? raw[k]! : raw[k]! / total;
      weights[i * stride + k] = Math.trunc(w < 0 ? w * (1 << PRECISION_BITS) - 0.5 : w * (1 << PRECISION_BITS) + 0.5);
    }
    first[i] = from;
    count[i] = n;
  }
  return { first, count, weights, stride, ...splitWeights(count, weights, stride) };
}

// Crops of one experiment share their sizes, so the few tap tables in use are kept (each costs ~0.1 ms to build).
const tapCache = new Map<string, Taps>();
const TAP_CACHE_LIMIT = 32;

export function tapsFor(inSize: number, outSize: number, kernel: ResizeKernel): Taps {
  const key = `${inSize},${outSize},${kernel}`;
  let taps = tapCache.get(key);
  if (taps === undefined) {
    if (tapCache.size >= TAP_CACHE_LIMIT) tapCache.clear();
    taps = computeTaps(inSize, outSize, filters[kernel]);
    tapCache.set(key, taps);
  }
  return taps;
}

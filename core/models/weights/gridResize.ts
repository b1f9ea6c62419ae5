// Resizing position tables when a model runs at another input size than its checkpoint was trained at (a ViT's
// patch-grid position embedding, BEiT's relative position bias table). It reproduces torch.nn.functional.interpolate
// (bicubic with A = -0.75 and clamped borders, or bilinear) so resized weights equal what PyTorch code would load;
// tfjs has no bicubic resize, and this runs once at load time on host arrays.

export type GridResizeMode = 'bicubic' | 'bilinear';

export interface GridResizeOptions {
  mode: GridResizeMode;
  /** torch's align_corners: corner samples map onto corner samples (torchvision's ViT uses true). */
  alignCorners: boolean;
}

const CUBIC_A = -0.75;

// Keys' cubic convolution kernel, for |x| <= 1 and 1 < |x| < 2.
function cubicNear(x: number): number {
  return ((CUBIC_A + 2) * x - (CUBIC_A + 3)) * x * x + 1;
}
function cubicFar(x: number): number {
  return ((CUBIC_A * x - 5 * CUBIC_A) * x + 8 * CUBIC_A) * x - 4 * CUBIC_A;
}

/** For one output axis: the source indices each output sample reads and their weights. */
interface AxisTaps {
  indices: Int32Array;
  weights: Float64Array;
  taps: number;
}

function sourceCoordinate(outIndex: number, inSize: number, outSize: number, options: GridResizeOptions): number {
  if (options.alignCorners) {
    return outSize > 1 ? (outIndex * (inSize - 1)) / (outSize - 1) : 0;
  }
  const source = ((outIndex + 0.5) * inSize) / outSize - 0.5;
  // torch clamps negative coordinates for linear modes only; cubic keeps them and clamps the taps instead.
  return options.mode === 'bilinear' ? Math.max(source, 0) : source;
}

function axisTaps(inSize: number, outSize: number, options: GridResizeOptions): AxisTaps {
  const taps = options.mode === 'bicubic' ? 4 : 2;
  const indices = new Int32Array(outSize * taps);
  const weights = new Float64Array(outSize * taps);
  const clamp = (index: number): number => Math.min(Math.max(index, 0), inSize - 1);
  for (let out = 0; out < outSize; out += 1) {
    const source = sourceCoordinate(out, inSize, outSize, options);
    const base = Math.floor(source);
    const t = source - base;
    const at = out * taps;
    if (options.mode === 'bicubic') {
      const w = [cubicFar(t + 1), cubicNear(t), cubicNear(1 - t), cubicFar(2 - t)];
      for (let k = 0; k < 4; k += 1) {
        indices[at + k] = clamp(base - 1 + k);
        weights[at + k] = w[k]!;
      }
    } else {
      indices[at] = clamp(base);
      indices[at + 1] = clamp(base + (base < inSize - 1 ? 1 : 0));
      weights[at] = 1 - t;
      weights[at + 1] = t;
    }
  }
  return { indices, weights, taps };
}

/**
 * Resizes a channels-last grid `[inH, inW, C]` to `[outH, outW, C]`, as
 * `F.interpolate(x.permute(2, 0, 1)[None], size=(outH, outW), mode, align_corners)` would.
 */
export function resizeGrid(
  values: Float32Array,
  inShape: readonly [number, number],
  outShape: readonly [number, number],
  channels: number,
  options: GridResizeOptions,
): Float32Array {
  const [inH, inW] = inShape;
  const [outH, outW] = outShape;
  if (values.length !== inH * inW * channels) {
    throw new RangeError(`resizeGrid: ${values.length} values do not fill [${inH}, ${inW}, ${channels}]`);
  }
  const rows = axisTaps(inH, outH, options);
  const cols = axisTaps(inW, outW, options);
  // Separable: resize along width into a [inH, outW, C] buffer, then along height.
  const wide = new Float64Array(inH * outW * channels);
  for (let y = 0; y < inH; y += 1) {
    for (let x = 0; x < outW; x += 1) {
      const target = (y * outW + x) * channels;
      for (let k = 0; k < cols.taps; k += 1) {
        const weight = cols.weights[x * cols.taps + k]!;
        const source = (y * inW + cols.indices[x * cols.taps + k]!) * channels;
        for (let c = 0; c < channels; c += 1) {
          wide[target + c]! += weight * values[source + c]!;
        }
      }
    }
  }
  const out = new Float32Array(outH * outW * channels);
  for (let y = 0; y < outH; y += 1) {
    for (let k = 0; k < rows.taps; k += 1) {
      const weight = rows.weights[y * rows.taps + k]!;
      const sourceRow = rows.indices[y * rows.taps + k]! * outW * channels;
      const targetRow = y * outW * channels;
      for (let i = 0; i < outW * channels; i += 1) {
        out[targetRow + i]! += weight * wide[sourceRow + i]!;
      }
    }
  }
  return out;
}

function squareSide(count: number, what: string): number {
  const side = Math.round(Math.sqrt(count));
  if (side * side !== count) {
    throw new RangeError(`${what}: ${count} positions do not form a square grid`);
  }
  return side;
}

/**
 * torchvision's ViT `encoder.pos_embedding` `[1, 1 + n*n, D]` for another patch grid: the class token's row is kept,
 * the grid is resized bicubically with align_corners=True (torchvision's interpolate_embeddings).
 */
export function resizeVitPositionEmbedding(
  values: Float32Array,
  fromShape: readonly number[],
  toShape: readonly number[],
): Float32Array {
  const dim = fromShape[2]!;
  const fromSide = squareSide(fromShape[1]! - 1, 'the checkpoint position embedding');
  const toSide = squareSide(toShape[1]! - 1, 'the model position embedding');
  const grid = resizeGrid(values.subarray(dim), [fromSide, fromSide], [toSide, toSide], dim, {
    mode: 'bicubic',
    alignCorners: true,
  });
  const out = new Float32Array(dim + grid.length);
  out.set(values.subarray(0, dim));
  out.set(grid, dim);
  return out;
}

/** How many trailing rows of a relative position bias table are not grid cells (BEiT's three class-token rows). */
export interface RelativeTableLayout {
  extraRows: number;
  options: GridResizeOptions;
}

/**
 * A relative position bias table `[(2w-1)^2 + extra, heads]` for another window: the `(2w-1) x (2w-1)` part is
 * resized as a grid, the extra rows are kept.
 */
export function resizeRelativePositionTable(
  values: Float32Array,
  fromShape: readonly number[],
  toShape: readonly number[],
  layout: RelativeTableLayout,
): Float32Array {
  const heads = fromShape[1]!;
  const fromSide = squareSide(fromShape[0]! - layout.extraRows, 'the checkpoint relative position table');
  const toSide = squareSide(toShape[0]! - layout.extraRows, 'the model relative position table');
  const gridValues = fromSide * fromSide * heads;
  const grid = resizeGrid(
    values.subarray(0, gridValues),
    [fromSide, fromSide],
    [toSide, toSide],
    heads,
    layout.options,
  );
  const out = new Float32Array(grid.length + layout.extraRows * heads);
  out.set(grid);
  out.set(values.subarray(gridValues), grid.length);
  return out;
}

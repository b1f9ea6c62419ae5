// PyTorch and tfjs store the same weights in different axis orders. Checkpoints (.pth, .safetensors) keep
// PyTorch's order so files interoperate with PyTorch; variables use tfjs' order so tf.conv2d/matMul take them
// directly. These converters run on host arrays, independent of any backend.

/** How a parameter's PyTorch shape maps onto its tfjs variable. */
export type TorchLayout =
  /** Conv2d weight: PyTorch (out, in, kh, kw) <-> tfjs HWIO (kh, kw, in, out). */
  | 'conv2d'
  /** Depthwise Conv2d (groups = channels C, multiplier 1 as in every torchvision model): PyTorch (C, 1, kh, kw)
   * <-> tfjs (kh, kw, C, 1). */
  | 'depthwise'
  /** Linear weight: PyTorch (out, in) <-> tfjs (in, out). */
  | 'linear'
  /** Same shape and order on both sides (biases, norms, embeddings, tokens, tables). */
  | 'plain';

function checkRank(torchShape: readonly number[], layout: TorchLayout, rank: number): void {
  if (torchShape.length !== rank) {
    throw new RangeError(`a '${layout}' parameter needs a rank-${rank} PyTorch shape, got [${torchShape.join(', ')}]`);
  }
}

/** The tfjs variable shape of a parameter with this PyTorch shape. */
export function tfShapeOf(torchShape: readonly number[], layout: TorchLayout): number[] {
  switch (layout) {
    case 'conv2d': {
      checkRank(torchShape, layout, 4);
      const [out, inPerGroup, kh, kw] = torchShape as [number, number, number, number];
      return [kh, kw, inPerGroup, out];
    }
    case 'depthwise': {
      checkRank(torchShape, layout, 4);
      const [channels, one, kh, kw] = torchShape as [number, number, number, number];
      if (one !== 1) {
        throw new RangeError(`a depthwise weight has one input channel per group, got [${torchShape.join(', ')}]`);
      }
      return [kh, kw, channels, 1];
    }
    case 'linear': {
      checkRank(torchShape, layout, 2);
      const [out, inFeatures] = torchShape as [number, number];
      return [inFeatures, out];
    }
    case 'plain':
      return [...torchShape];
  }
}

/** Copies `data` of `shape` into a new array with axes reordered: result axis k is source axis `perm[k]`. */
export function permuteAxes(data: Float32Array, shape: readonly number[], perm: readonly number[]): Float32Array {
  const rank = shape.length;
  const sourceStrides = new Array<number>(rank);
  let stride = 1;
  for (let axis = rank - 1; axis >= 0; axis -= 1) {
    sourceStrides[axis] = stride;
    stride *= shape[axis]!;
  }
  if (stride !== data.length) {
    throw new RangeError(`${data.length} values do not fill shape [${shape.join(', ')}]`);
  }
  const outShape = perm.map((axis) => shape[axis]!);
  const outStridesInSource = perm.map((axis) => sourceStrides[axis]!);
  const out = new Float32Array(data.length);
  const index = new Array<number>(rank).fill(0);
  let source = 0;
  for (let i = 0; i < out.length; i += 1) {
    out[i] = data[source]!;
    for (let axis = rank - 1; axis >= 0; axis -= 1) {
      index[axis]! += 1;
      source += outStridesInSource[axis]!;
      if (index[axis]! < outShape[axis]!) {
        break;
      }
      source -= outStridesInSource[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

/** PyTorch-ordered values -> tfjs-ordered values. */
export function torchToTf(data: Float32Array, torchShape: readonly number[], layout: TorchLayout): Float32Array {
  switch (layout) {
    case 'conv2d':
      return permuteAxes(data, torchShape, [2, 3, 1, 0]);
    case 'depthwise':
      return permuteAxes(data, torchShape, [2, 3, 0, 1]);
    case 'linear':
      return permuteAxes(data, torchShape, [1, 0]);
    case 'plain':
      return data;
  }
}

/** tfjs-ordered values -> PyTorch-ordered values (the inverse of torchToTf). */
export function tfToTorch(data: Float32Array, torchShape: readonly number[], layout: TorchLayout): Float32Array {
  const tfShape = tfShapeOf(torchShape, layout);
  switch (layout) {
    case 'conv2d':
      return permuteAxes(data, tfShape, [3, 2, 0, 1]);
    case 'depthwise':
      return permuteAxes(data, tfShape, [2, 3, 0, 1]);
    case 'linear':
      return permuteAxes(data, tfShape, [1, 0]);
    case 'plain':
      return data;
  }
}

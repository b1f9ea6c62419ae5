// Turning checkpoint bytes into float32 values: element decoding per dtype and torch's strided views. tfjs has no
// float16/bfloat16 tensors and reads nothing strided, so both conversions are done here on plain typed arrays.
import { float16BitsToNumber } from '../safetensors';

export type CheckpointDType =
  'float64' | 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export const DTYPE_BYTES: Readonly<Record<CheckpointDType, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

/** A tensor read from a checkpoint: values in row-major (C-contiguous) order, converted to float32. */
export interface CheckpointTensor {
  /** The dtype it was stored with (values are float32 whatever it was). */
  dtype: CheckpointDType;
  shape: number[];
  values: Float32Array;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((count, size) => count * size, 1);
}

/** Row-major strides of a contiguous tensor of this shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let step = 1;
  for (let axis = shape.length - 1; axis >= 0; axis -= 1) {
    strides[axis] = step;
    step *= shape[axis]!;
  }
  return strides;
}

/**
 * Decodes `count` elements of `dtype` from raw bytes. `littleEndian` is false only for checkpoints written on
 * big-endian machines (torch records that in the archive's `byteorder`).
 */
export function decodeElements(
  bytes: Uint8Array,
  dtype: CheckpointDType,
  count: number,
  littleEndian: boolean,
  where: string,
): Float32Array {
  const width = DTYPE_BYTES[dtype];
  if (bytes.byteLength < count * width) {
    throw new RangeError(
      `${where}: holds ${bytes.byteLength} bytes but ${count} ${dtype} elements need ${count * width}`,
    );
  }
  if (dtype === 'float32' && littleEndian) {
    // One copy into a fresh, aligned buffer; the source may sit at any offset inside a larger read (and a Node
    // Buffer's slice() would share memory rather than copy).
    const aligned = new Uint8Array(count * 4);
    aligned.set(bytes.subarray(0, count * 4));
    return new Float32Array(aligned.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, count * width);
  const out = new Float32Array(count);
  const le = littleEndian;
  switch (dtype) {
    case 'float32':
      for (let i = 0; i < count; i += 1) out[i] = view.getFloat32(i * 4, le);
      break;
    case 'float64':
      for (let i = 0; i < count; i += 1) out[i] = view.getFloat64(i * 8, le);
      break;
    case 'float16':
      for (let i = 0; i < count; i += 1) out[i] = float16BitsToNumber(view.getUint16(i * 2, le));
      break;
    case 'bfloat16': {
      // bfloat16 is the top half of a float32.
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < count; i += 1) bits[i] = view.getUint16(i * 2, le) << 16;
      break;
    }
    case 'int64':
      for (let i = 0; i < count; i += 1) out[i] = Number(view.getBigInt64(i * 8, le));
      break;
    case 'int32':
      for (let i = 0; i < count; i += 1) out[i] = view.getInt32(i * 4, le);
      break;
    case 'int16':
      for (let i = 0; i < count; i += 1) out[i] = view.getInt16(i * 2, le);
      break;
    case 'int8':
      for (let i = 0; i < count; i += 1) out[i] = view.getInt8(i);
      break;
    case 'uint8':
    case 'bool':
      for (let i = 0; i < count; i += 1) out[i] = view.getUint8(i);
      break;
  }
  return out;
}

/**
 * The row-major copy of the view `storage[offset + sum(index[d] * strides[d])]`, as torch defines a tensor over its
 * storage (transposed, sliced and expanded tensors are saved this way, with their whole storage).
 */
/** The most elements a view may have beyond its storage's size (16.7 M floats, 64 MiB). */
export const MAX_BROADCAST_ELEMENTS = 2 ** 24;

export function gatherStrided(
  storage: Float32Array,
  shape: readonly number[],
  strides: readonly number[],
  offset: number,
  where: string,
): Float32Array {
  if (shape.length !== strides.length) {
    throw new RangeError(`${where}: shape [${shape}] and strides [${strides}] differ in rank`);
  }
  if (shape.some((size) => !Number.isInteger(size) || size < 0) || strides.some((step) => !Number.isInteger(step))) {
    throw new RangeError(`${where}: shape [${shape}] or strides [${strides}] are not whole numbers`);
  }
  const count = elementCount(shape);
  if (count === 0) {
    return new Float32Array(0);
  }
  let lowest = offset;
  let highest = offset;
  shape.forEach((size, axis) => {
    const reach = (size - 1) * strides[axis]!;
    if (reach < 0) lowest += reach;
    else highest += reach;
  });
  // A zero stride repeats elements, so a tiny storage can describe a view of billions (8 GiB from a 4-byte
  // storage, found by test/robustness/checkpointSafety.test.ts): a view larger than its storage is only accepted
  // up to MAX_BROADCAST_ELEMENTS.
  if (count > Math.max(storage.length, MAX_BROADCAST_ELEMENTS)) {
    throw new RangeError(
      `${where}: the view (shape [${shape}], strides [${strides}]) repeats a storage of ${storage.length} elements into ${count}; the file is damaged or hostile`,
    );
  }
  if (lowest < 0 || highest >= storage.length) {
    throw new RangeError(
      `${where}: the view (offset ${offset}, shape [${shape}], strides [${strides}]) reaches element ` +
        `${lowest < 0 ? lowest : highest} of a storage holding ${storage.length}; the file is damaged`,
    );
  }
  const natural = contiguousStrides(shape);
  if (shape.every((size, axis) => size === 1 || strides[axis] === natural[axis])) {
    return storage.slice(offset, offset + count);
  }
  const out = new Float32Array(count);
  const rank = shape.length;
  const inner = shape[rank - 1]!;
  const innerStride = strides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let source = offset;
  for (let written = 0; written < count; written += inner) {
    for (let i = 0; i < inner; i += 1) {
      out[written + i] = storage[source + i * innerStride]!;
    }
    // Advance the outer index like an odometer, moving `source` by each axis' stride.
    for (let axis = rank - 2; axis >= 0; axis -= 1) {
      index[axis]! += 1;
      source += strides[axis]!;
      if (index[axis]! < shape[axis]!) break;
      source -= strides[axis]! * shape[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

// The .safetensors format: an 8-byte little-endian header length, a JSON header
// {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}, then the raw
// little-endian tensor bytes. Written by hand because no maintained npm package reads and writes it with the
// dtypes checkpoints use here (F32, F16, BF16 and I64 both ways), and the format is this small.
import { readFile, writeFile } from 'node:fs/promises';

export type SafetensorsDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';
/** The dtypes this module writes. */
export type WritableDtype = 'F32' | 'F16' | 'BF16' | 'I64';

const ITEM_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

const FLOAT_DTYPES = new Set<SafetensorsDtype>(['F64', 'F32', 'F16', 'BF16']);

/** A tensor on the host: floating dtypes decoded to float32, integer and boolean ones to int32. */
export interface HostTensor {
  /** The dtype stored in the file. */
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array;
}

export interface SafetensorsContents {
  tensors: Map<string, HostTensor>;
  metadata: Record<string, string>;
}

const scratch = new DataView(new ArrayBuffer(4));

/** IEEE half-precision bits -> number. */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >>> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) {
    return sign * fraction * 2 ** -24;
  }
  if (exponent === 0x1f) {
    return fraction === 0 ? sign * Infinity : NaN;
  }
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** number -> IEEE half-precision bits, rounding to nearest even (overflow to infinity, underflow to subnormals). */
export function numberToFloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) {
    return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  }
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) {
    return sign | 0x7c00;
  }
  if (halfExponent <= 0) {
    if (halfExponent < -10) {
      return sign;
    }
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    let half = mantissa >>> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (remainder > halfway || (remainder === halfway && (half & 1) === 1)) {
      half += 1;
    }
    return sign | half;
  }
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  let half = (halfExponent << 10) | (mantissa >>> 13);
  const remainder = mantissa & 0x1fff;
  if (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1)) {
    half += 1;
  }
  return sign | half;
}

/** number -> bfloat16 bits (the top half of float32), rounding to nearest even. */
export function numberToBfloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  const bits = scratch.getUint32(0);
  if (Number.isNaN(value)) {
    return (bits >>> 16) | 0x40;
  }
  return ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16) & 0xffff;
}

function bfloat16BitsToNumber(bits: number): number {
  scratch.setUint32(0, bits << 16);
  return scratch.getFloat32(0);
}

function fail(source: string, message: string): never {
  throw new Error(`${source}: ${message} (is it a .safetensors file? re-export it with safetensors.torch.save_file)`);
}

function decodeValues(
  view: DataView,
  begin: number,
  count: number,
  dtype: SafetensorsDtype,
  source: string,
  name: string,
) {
  if (FLOAT_DTYPES.has(dtype)) {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i += 1) {
      switch (dtype) {
        case 'F64':
          out[i] = view.getFloat64(begin + 8 * i, true);
          break;
        case 'F32':
          out[i] = view.getFloat32(begin + 4 * i, true);
          break;
        case 'F16':
          out[i] = float16BitsToNumber(view.getUint16(begin + 2 * i, true));
          break;
        default:
          out[i] = bfloat16BitsToNumber(view.getUint16(begin + 2 * i, true));
      }
    }
    return out;
  }
  const out = new Int32Array(count);
  for (let i = 0; i < count; i += 1) {
    switch (dtype) {
      case 'I64': {
        const value = view.getBigInt64(begin + 8 * i, true);
        if (value > 2147483647n || value < -2147483648n) {
          fail(source, `tensor '${name}' holds the int64 value ${value}, outside the int32 range tfjs supports`);
        }
        out[i] = Number(value);
        break;
      }
      case 'I32':
        out[i] = view.getInt32(begin + 4 * i, true);
        break;
      case 'I16':
        out[i] = view.getInt16(begin + 2 * i, true);
        break;
      case 'I8':
        out[i] = view.getInt8(begin + i);
        break;
      default:
        out[i] = view.getUint8(begin + i);
    }
  }
  return out;
}

/** Parses a whole .safetensors file; `source` names it in errors. */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsContents {
  if (bytes.length < 8) {
    fail(source, `the file has ${bytes.length} bytes, fewer than the 8-byte header length`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > bytes.length - 8) {
    fail(source, `the header claims ${headerLength} bytes but the file has ${bytes.length - 8} after the length`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(source, `the header is not valid JSON (${(error as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    fail(source, 'the header is not a JSON object');
  }
  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const tensors = new Map<string, HostTensor>();
  const ranges: { name: string; begin: number; end: number }[] = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (
        entry === null ||
        typeof entry !== 'object' ||
        Object.values(entry).some((value) => typeof value !== 'string')
      ) {
        fail(source, '__metadata__ is not a map of strings');
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in ITEM_BYTES)) {
      fail(source, `tensor '${name}' has unsupported dtype ${JSON.stringify(dtype)}`);
    }
    if (!Array.isArray(shape) || !shape.every((side) => Number.isInteger(side) && side >= 0)) {
      fail(source, `tensor '${name}' has an invalid shape ${JSON.stringify(shape)}`);
    }
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o) && o >= 0)) {
      fail(source, `tensor '${name}' has invalid data_offsets ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const count = (shape as number[]).reduce((product, side) => product * side, 1);
    const itemBytes = ITEM_BYTES[dtype as SafetensorsDtype];
    // Beyond 2^53 the product is rounded and could match a short byte range by accident.
    if (!Number.isSafeInteger(count * itemBytes)) {
      fail(source, `tensor '${name}' has an absurd shape [${(shape as number[]).join(', ')}]`);
    }
    if (end < begin || end > dataLength || end - begin !== count * itemBytes) {
      fail(
        source,
        `tensor '${name}' (${dtype}, shape [${(shape as number[]).join(', ')}]) needs ${count * itemBytes} bytes ` +
          `but its data_offsets [${begin}, ${end}] give ${end - begin} within ${dataLength} data bytes`,
      );
    }
    ranges.push({ name, begin, end });
    tensors.set(name, {
      dtype: dtype as SafetensorsDtype,
      shape: shape as number[],
      data: decodeValues(view, dataStart + begin, count, dtype as SafetensorsDtype, source, name),
    });
  }
  // Two tensors sharing bytes would alias each other's weights: the format forbids it (and its reference reader
  // refuses it), so a file with overlapping data_offsets is damaged or crafted.
  ranges.sort((a, b) => a.begin - b.begin);
  for (let i = 1; i < ranges.length; i++) {
    const [previous, current] = [ranges[i - 1]!, ranges[i]!];
    if (current.begin < previous.end) {
      fail(
        source,
        `tensors '${previous.name}' [${previous.begin}, ${previous.end}] and '${current.name}' [${current.begin}, ${current.end}] overlap`,
      );
    }
  }
  return { tensors, metadata };
}

export interface TensorToWrite {
  name: string;
  dtype: WritableDtype;
  shape: readonly number[];
  data: Float32Array | Int32Array;
}

/** Serialises tensors in the given order (PyTorch's own writer sorts nothing either). */
export function encodeSafetensors(tensors: readonly TensorToWrite[], metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const tensor of tensors) {
    const count = tensor.shape.reduce((product, side) => product * side, 1);
    if (count !== tensor.data.length) {
      throw new RangeError(
        `'${tensor.name}': ${tensor.data.length} values do not fill shape [${tensor.shape.join(', ')}]`,
      );
    }
    const length = count * ITEM_BYTES[tensor.dtype];
    header[tensor.name] = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, offset + length] };
    offset += length;
  }
  if (metadata !== undefined) {
    header.__metadata__ = metadata;
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the reference writer does.
  const headerBytes = new TextEncoder().encode(json);
  json += ' '.repeat((8 - (headerBytes.length % 8)) % 8);
  const encodedHeader = new TextEncoder().encode(json);
  const bytes = new Uint8Array(8 + encodedHeader.length + offset);
  const view = new DataView(bytes.buffer);
  view.setBigUint64(0, BigInt(encodedHeader.length), true);
  bytes.set(encodedHeader, 8);
  let position = 8 + encodedHeader.length;
  for (const tensor of tensors) {
    for (const value of tensor.data) {
      switch (tensor.dtype) {
        case 'F32':
          view.setFloat32(position, value, true);
          position += 4;
          break;
        case 'F16':
          view.setUint16(position, numberToFloat16Bits(value), true);
          position += 2;
          break;
        case 'BF16':
          view.setUint16(position, numberToBfloat16Bits(value), true);
          position += 2;
          break;
        case 'I64':
          if (!Number.isInteger(value)) {
            throw new RangeError(`'${tensor.name}': ${value} is not an integer, it cannot be stored as I64`);
          }
          view.setBigInt64(position, BigInt(value), true);
          position += 8;
      }
    }
  }
  return bytes;
}

export async function readSafetensors(path: string): Promise<SafetensorsContents> {
  return decodeSafetensors(await readFile(path), path);
}

export async function writeSafetensors(
  path: string,
  tensors: readonly TensorToWrite[],
  metadata?: Record<string, string>,
): Promise<void> {
  await writeFile(path, encodeSafetensors(tensors, metadata));
}

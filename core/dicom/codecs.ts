// Decoders for compressed frames. Each codec package is loaded by name the first time a file needs it: most
// series are uncompressed, the wasm codecs cost tens of milliseconds to start, and the bundle keeps
// @cornerstonejs/* external (their .wasm files must be loaded from their own package folder).
import { DicomError } from './errors';
import type { PixelEncoding } from './transferSyntax';

export interface DecodedFrame {
  /** Unsigned samples as the codec produced them, pixel-interleaved for colour. */
  samples: Uint8Array | Uint16Array;
  width: number;
  height: number;
  components: number;
}

type WasmCodec = 'jpeg-ls' | 'jpeg-2000' | 'jpeg-baseline';

const wasmModules = new Map<WasmCodec, Promise<new () => EmscriptenCodecDecoder>>();

// Emscripten modules print progress to stdout by default, which would corrupt `radlab dicom --json`.
const quiet = { print: () => undefined, printErr: () => undefined };

function loadWasmDecoder(codec: WasmCodec): Promise<new () => EmscriptenCodecDecoder> {
  let pending = wasmModules.get(codec);
  if (pending === undefined) {
    pending = (async () => {
      switch (codec) {
        case 'jpeg-ls': {
          const module = await import('@cornerstonejs/codec-charls/decodewasmjs');
          return (await defaultExport(module)(quiet)).JpegLSDecoder;
        }
        case 'jpeg-2000': {
          const module = await import('@cornerstonejs/codec-openjpeg/decodewasmjs');
          return (await defaultExport(module)(quiet)).J2KDecoder;
        }
        case 'jpeg-baseline': {
          const module = await import('@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs');
          return (await defaultExport(module)(quiet)).JPEGDecoder;
        }
      }
    })();
    wasmModules.set(codec, pending);
  }
  return pending;
}

// A CommonJS factory arrives as `default` through dynamic import, or as the module itself once bundled.
function defaultExport<T>(module: { default: T }): T {
  const candidate = module.default as T | { default: T };
  return typeof candidate === 'function' ? (candidate as T) : (candidate as { default: T }).default;
}

async function decodeWithWasm(codec: WasmCodec, encoded: Uint8Array, bitsAllocated: number): Promise<DecodedFrame> {
  const Decoder = await loadWasmDecoder(codec);
  const decoder = new Decoder();
  try {
    decoder.getEncodedBuffer(encoded.length).set(encoded);
    decoder.decode();
    const info = decoder.getFrameInfo();
    // The decoded buffer lives in wasm memory and is reused: copy it out before `delete`.
    const decoded = decoder.getDecodedBuffer();
    const bytes = new Uint8Array(decoded.length);
    bytes.set(decoded);
    const samples = info.bitsPerSample > 8 || bitsAllocated > 8 ? littleEndianUint16(bytes) : bytes;
    return { samples, width: info.width, height: info.height, components: info.componentCount };
  } finally {
    decoder.delete();
  }
}

function littleEndianUint16(bytes: Uint8Array): Uint16Array {
  // Every supported platform (x64, arm64) is little-endian, as are the codecs' outputs.
  return new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.length >> 1);
}

async function decodeJpegLossless(encoded: Uint8Array, bitsAllocated: number): Promise<DecodedFrame> {
  const { Decoder } = await import('jpeg-lossless-decoder-js');
  const decoder = new Decoder() as InstanceType<typeof Decoder> & {
    frame: { dimX: number; dimY: number; numComp: number };
  };
  const copy = encoded.slice();
  const samples = decoder.decode(copy.buffer, 0, copy.length, bitsAllocated > 8 ? 2 : 1);
  return { samples, width: decoder.frame.dimX, height: decoder.frame.dimY, components: decoder.frame.numComp };
}

export async function decodeCompressedFrame(
  file: string,
  encoding: Exclude<PixelEncoding, 'native' | 'rle'>,
  encoded: Uint8Array,
  bitsAllocated: number,
): Promise<DecodedFrame> {
  try {
    return encoding === 'jpeg-lossless'
      ? await decodeJpegLossless(encoded, bitsAllocated)
      : await decodeWithWasm(encoding, encoded, bitsAllocated);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new DicomError(file, 'corrupt', `the ${encoding} frame does not decode (${detail})`);
  }
}

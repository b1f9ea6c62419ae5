// Minimal types for the decoder packages, which ship none. Only what core/dicom/codecs.ts calls is declared.

declare module 'jpeg-lossless-decoder-js' {
  export class Decoder {
    decode(buffer: ArrayBuffer, offset: number, length: number, numBytes?: number): Uint8Array | Uint16Array;
  }
}

interface EmscriptenCodecDecoder {
  getEncodedBuffer(length: number): Uint8Array;
  getDecodedBuffer(): Uint8Array;
  decode(): void;
  getFrameInfo(): { width: number; height: number; bitsPerSample: number; componentCount: number; isSigned?: boolean };
  delete(): void;
}

type EmscriptenCodecFactory<Name extends string> = (options?: {
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}) => Promise<Record<Name, new () => EmscriptenCodecDecoder>>;

declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: EmscriptenCodecFactory<'JpegLSDecoder'>;
  export default factory;
}

declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: EmscriptenCodecFactory<'J2KDecoder'>;
  export default factory;
}

declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: EmscriptenCodecFactory<'JPEGDecoder'>;
  export default factory;
}

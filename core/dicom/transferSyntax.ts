// The transfer syntaxes this reader knows, and how each one's pixel data is stored. Anything not listed is refused
// with a message that names the UID and a way to convert the file.

export type PixelEncoding = 'native' | 'rle' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000' | 'jpeg-baseline';

export interface TransferSyntax {
  uid: string;
  name: string;
  encoding: PixelEncoding;
  bigEndian: boolean;
}

const known: TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', encoding: 'native', bigEndian: false },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', encoding: 'native', bigEndian: false },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', encoding: 'native', bigEndian: false },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', encoding: 'native', bigEndian: true },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', encoding: 'rle', bigEndian: false },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', encoding: 'jpeg-baseline', bigEndian: false },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless (Process 14)', encoding: 'jpeg-lossless', bigEndian: false },
  {
    uid: '1.2.840.10008.1.2.4.70',
    name: 'JPEG Lossless, First-Order Prediction (Process 14, SV1)',
    encoding: 'jpeg-lossless',
    bigEndian: false,
  },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', encoding: 'jpeg-ls', bigEndian: false },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls', bigEndian: false },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 (Lossless Only)', encoding: 'jpeg-2000', bigEndian: false },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', encoding: 'jpeg-2000', bigEndian: false },
];

const byUid = new Map(known.map((syntax) => [syntax.uid, syntax]));

export const supportedTransferSyntaxes: readonly TransferSyntax[] = known;

/** The reason a syntax is refused, or undefined when it is supported. */
export function refusalReason(uid: string): string | undefined {
  if (byUid.has(uid)) return undefined;
  if (uid === '1.2.840.10008.1.2.4.51') {
    return (
      `transfer syntax ${uid} (JPEG Extended, 12-bit lossy) is not supported: no decoder for 12-bit JPEG is ` +
      'available in JavaScript. Convert the file to an uncompressed syntax first, e.g. `gdcmconv --raw in.dcm out.dcm` ' +
      'or `dcmdjpeg in.dcm out.dcm`.'
    );
  }
  return (
    `transfer syntax ${uid} is not supported (supported: ${known.map((s) => s.uid).join(', ')}). ` +
    'Convert the file to an uncompressed syntax first, e.g. `gdcmconv --raw in.dcm out.dcm`.'
  );
}

export function lookupTransferSyntax(uid: string): TransferSyntax | undefined {
  return byUid.get(uid);
}

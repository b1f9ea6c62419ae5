// Turns a file's bytes into a dicom-parser DataSet: Part 10 files, and files that are a bare data set without the
// 128-byte preamble and meta header (older exports, network dumps). dicom-parser handles both once it is told the
// bare file's transfer syntax, which it cannot guess; `sniffRawTransferSyntax` does that from the first element.
import { inflateRawSync } from 'node:zlib';
import * as dicomParser from 'dicom-parser';
import { DicomError } from './errors';

export const IMPLICIT_LITTLE = '1.2.840.10008.1.2';
export const EXPLICIT_LITTLE = '1.2.840.10008.1.2.1';
export const EXPLICIT_BIG = '1.2.840.10008.1.2.2';

export interface ParsedDataSet {
  dataSet: dicomParser.DataSet;
  transferSyntaxUID: string;
  hasMetaHeader: boolean;
}

// Value representations that may appear in an explicit-VR element header.
const explicitVrs = new Set(
  'AE AS AT CS DA DS DT FD FL IS LO LT OB OD OF OL OV OW PN SH SL SQ SS ST SV TM UC UI UL UN UR US UT UV'.split(' '),
);

function hasPart10Prefix(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d
  );
}

/**
 * A bare data set starts with its lowest group (0002..0010 in practice). Reading that group number both ways tells
 * the byte order (the plausible reading is the small one), and two letters forming a VR after the tag mark explicit VR.
 */
export function sniffRawTransferSyntax(bytes: Uint8Array): string | undefined {
  if (bytes.length < 8) return undefined;
  const groupLittle = bytes[0]! | (bytes[1]! << 8);
  const groupBig = (bytes[0]! << 8) | bytes[1]!;
  const vr = String.fromCharCode(bytes[4]!, bytes[5]!);
  const explicit = explicitVrs.has(vr);
  const plausible = (group: number) => group >= 0x0002 && group <= 0x0010 && group % 2 === 0;
  if (plausible(groupLittle)) return explicit ? EXPLICIT_LITTLE : IMPLICIT_LITTLE;
  if (plausible(groupBig) && explicit) return EXPLICIT_BIG;
  return undefined;
}

// dicom-parser calls this for the deflated syntax with the whole file and the offset where the deflated data set
// begins; it expects the header bytes followed by the inflated data set.
function inflateDataSet(file: string, bytes: Uint8Array, position: number): Uint8Array {
  let inflated: Buffer;
  try {
    inflated = inflateRawSync(bytes.subarray(position));
  } catch (error) {
    throw new DicomError(file, 'corrupt', `the deflated data set does not inflate (${(error as Error).message})`);
  }
  const whole = new Uint8Array(position + inflated.length);
  whole.set(bytes.subarray(0, position), 0);
  whole.set(inflated, position);
  return whole;
}

function describeParserFailure(file: string, failure: unknown): DicomError {
  if (failure instanceof DicomError) return failure;
  // dicom-parser throws strings, Errors, or {exception, dataSet} when it fails part-way through a data set.
  const inner = typeof failure === 'object' && failure !== null && 'exception' in failure ? failure.exception : failure;
  if (inner instanceof DicomError) return inner;
  const text = inner instanceof Error ? inner.message : String(inner);
  if (/past end of buffer|overrun|overread|maxPosition|cannot seek/i.test(text)) {
    return new DicomError(
      file,
      'truncated',
      `the data set runs past the end of the file: it is truncated, or an element's length is wrong (${text})`,
    );
  }
  if (/0002,0010/.test(text)) {
    return new DicomError(file, 'corrupt', 'the file meta header has no Transfer Syntax UID (0002,0010)');
  }
  return new DicomError(file, 'corrupt', `the data set does not parse (${text})`);
}

export function parseDataSet(file: string, bytes: Uint8Array): ParsedDataSet {
  const hasMetaHeader = hasPart10Prefix(bytes);
  let rawSyntax: string | undefined;
  if (!hasMetaHeader) {
    rawSyntax = sniffRawTransferSyntax(bytes);
    if (rawSyntax === undefined) {
      throw new DicomError(
        file,
        'not-dicom',
        'not a DICOM file: no "DICM" marker at byte 128 and the start does not look like a DICOM data set',
      );
    }
  }
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes, {
      ...(rawSyntax === undefined ? {} : { TransferSyntaxUID: rawSyntax }),
      inflater: ((whole: Uint8Array, position: number) =>
        inflateDataSet(file, whole, position)) as unknown as dicomParser.ParseDicomOptions['inflater'],
    });
  } catch (failure) {
    throw describeParserFailure(file, failure);
  }
  const transferSyntaxUID = rawSyntax ?? (dataSet.string('x00020010') ?? '').trim();
  return { dataSet, transferSyntaxUID, hasMetaHeader };
}

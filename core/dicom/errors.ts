// Every failure to read or decode a DICOM file is a DicomError: the message always starts with the file's path,
// and `reason` lets callers (the dataset builder, the CLI, the custom editor) react without parsing text.

export type DicomErrorReason =
  | 'io' // the file could not be read from disk
  | 'not-dicom' // neither a Part 10 file nor a raw data set we can recognise
  | 'truncated' // the file ends before an element or the pixel data it announces
  | 'corrupt' // the data set or a compressed frame does not parse
  | 'no-pixel-data' // a valid DICOM object without an image (SR, RT plan, DICOMDIR...)
  | 'unsupported'; // a transfer syntax or pixel format this reader does not decode

export class DicomError extends Error {
  constructor(
    readonly file: string,
    readonly reason: DicomErrorReason,
    detail: string,
  ) {
    super(`${file}: ${detail}`);
    this.name = 'DicomError';
  }
}

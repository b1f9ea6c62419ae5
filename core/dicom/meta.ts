// The image attributes RadLab needs, read once from a parsed data set into plain values.
import type { DataSet } from 'dicom-parser';
import { DicomError } from './errors';

export interface SliceGeometry {
  /** (0020,0032) x, y, z of the first transmitted pixel's centre, in mm (patient coordinates). */
  imagePositionPatient: [number, number, number] | null;
  /** (0020,0037) row direction cosines then column direction cosines. */
  imageOrientationPatient: [number, number, number, number, number, number] | null;
  /** (0018,0050) nominal slice thickness in mm. */
  sliceThickness: number | null;
}

export interface WindowSetting {
  center: number;
  width: number;
}

export interface DicomMeta {
  file: string;
  rows: number;
  columns: number;
  frames: number;
  samplesPerPixel: number;
  planarConfiguration: number;
  bitsAllocated: number;
  bitsStored: number;
  highBit: number;
  pixelRepresentation: number;
  transferSyntaxUID: string;
  photometricInterpretation: string;
  rescaleSlope: number;
  rescaleIntercept: number;
  /** (0028,0030) [row spacing, column spacing] in mm: the distance between rows, then between columns. */
  pixelSpacing: [number, number] | null;
  geometry: SliceGeometry;
  /** The first value of (0028,1050)/(0028,1051), in modality units, when the file carries one. */
  window: WindowSetting | null;
  instanceNumber: number | null;
  seriesInstanceUID: string | null;
  studyInstanceUID: string | null;
  sopInstanceUID: string | null;
  modality: string | null;
  /** (0008,103E), e.g. 'Sagittal T2/STIR': how a study's series are told apart without a descriptions file. */
  seriesDescription: string | null;
}

function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null;
}

function numbers(dataSet: DataSet, tag: string, count: number): number[] | null {
  const values: number[] = [];
  for (let i = 0; i < count; i++) {
    const value = dataSet.floatString(tag, i);
    if (value === undefined || !Number.isFinite(value)) return null;
    values.push(value);
  }
  return values;
}

function text(dataSet: DataSet, tag: string): string | null {
  const value = dataSet.string(tag);
  return value === undefined || value === '' ? null : value;
}

function requiredUint16(file: string, dataSet: DataSet, tag: string, name: string): number {
  const value = dataSet.uint16(tag);
  if (value === undefined) {
    const group = tag.slice(1, 5).toUpperCase();
    const element = tag.slice(5).toUpperCase();
    throw new DicomError(file, 'corrupt', `the image attribute ${name} (${group},${element}) is missing`);
  }
  return value;
}

export function readMeta(file: string, dataSet: DataSet, transferSyntaxUID: string): DicomMeta {
  try {
    return readMetaFields(file, dataSet, transferSyntaxUID);
  } catch (error) {
    if (error instanceof DicomError) throw error;
    // dicom-parser's accessors throw TypeErrors on an element whose length runs past its data (found by
    // test/robustness/dicomFuzz.test.ts: a wrong length on ImagePositionPatient).
    throw new DicomError(
      file,
      'corrupt',
      `an image attribute cannot be read, its element is damaged (${(error as Error).message})`,
    );
  }
}

function readMetaFields(file: string, dataSet: DataSet, transferSyntaxUID: string): DicomMeta {
  const rows = requiredUint16(file, dataSet, 'x00280010', 'Rows');
  const columns = requiredUint16(file, dataSet, 'x00280011', 'Columns');
  const bitsAllocated = requiredUint16(file, dataSet, 'x00280100', 'BitsAllocated');
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const frames = dataSet.intString('x00280008');
  const center = finiteOrNull(dataSet.floatString('x00281050', 0));
  const width = finiteOrNull(dataSet.floatString('x00281051', 0));
  const spacing = numbers(dataSet, 'x00280030', 2);
  return {
    file,
    rows,
    columns,
    frames: frames !== undefined && Number.isFinite(frames) && frames > 0 ? frames : 1,
    samplesPerPixel: dataSet.uint16('x00280002') ?? 1,
    planarConfiguration: dataSet.uint16('x00280006') ?? 0,
    bitsAllocated,
    bitsStored,
    highBit: dataSet.uint16('x00280102') ?? bitsStored - 1,
    pixelRepresentation: dataSet.uint16('x00280103') ?? 0,
    transferSyntaxUID,
    photometricInterpretation: (dataSet.string('x00280004') ?? 'MONOCHROME2').trim(),
    rescaleSlope: finiteOrNull(dataSet.floatString('x00281053')) ?? 1,
    rescaleIntercept: finiteOrNull(dataSet.floatString('x00281052')) ?? 0,
    pixelSpacing: spacing === null ? null : [spacing[0]!, spacing[1]!],
    geometry: {
      imagePositionPatient: numbers(dataSet, 'x00200032', 3) as SliceGeometry['imagePositionPatient'],
      imageOrientationPatient: numbers(dataSet, 'x00200037', 6) as SliceGeometry['imageOrientationPatient'],
      sliceThickness: finiteOrNull(dataSet.floatString('x00180050')),
    },
    window: center !== null && width !== null && width > 0 ? { center, width } : null,
    instanceNumber: finiteOrNull(dataSet.intString('x00200013')),
    seriesInstanceUID: text(dataSet, 'x0020000e'),
    studyInstanceUID: text(dataSet, 'x0020000d'),
    sopInstanceUID: text(dataSet, 'x00080018'),
    modality: text(dataSet, 'x00080060'),
    seriesDescription: text(dataSet, 'x0008103e'),
  };
}

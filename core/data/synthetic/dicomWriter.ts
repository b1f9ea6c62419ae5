// DICOM Part 10 MR Image files for the synthetic studies, written with dcmjs. Attribute choices follow what
// dciodvfy requires of the MR Image IOD: FileMetaInformationVersion as OB, the MR module's Type 2 attributes
// present (empty where a value would be invented), decimal strings of at most 16 characters.
import { createHash } from 'node:crypto';
import { cross, type SeriesGeometry, type SlicePlane } from './seriesGeometry';

const MR_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.4';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
const IMPLEMENTATION_CLASS_UID = '2.25.243058314934180853316474591208329174212';

// dcmjs ships no type declarations; these are the parts of its API this module uses.
interface DcmjsData {
  DicomDict: new (meta: Record<string, unknown>) => { dict: Record<string, unknown>; write(): ArrayBuffer };
  DicomMetaDictionary: { denaturalizeDataset(dataset: Record<string, unknown>): Record<string, unknown> };
}
const dcmjs = require('dcmjs') as { data: DcmjsData };

/**
 * A UID under the 2.25 root (ITU-T X.667: a 128-bit number written in decimal), derived from a name so the
 * same study, series or instance always gets the same UID.
 */
export function uidFor(...name: (string | number)[]): string {
  const digest = createHash('sha256').update(name.join('/')).digest('hex').slice(0, 32);
  return `2.25.${BigInt(`0x${digest}`).toString()}`;
}

/** Decimal string of at most 16 characters (the DS limit) with as much precision as fits. */
export function decimalString(value: number): string {
  const rounded = Math.abs(value) < 1e-9 ? 0 : value;
  for (let digits = 10; digits >= 0; digits--) {
    const text = String(Number(rounded.toFixed(digits)));
    if (text.length <= 16) return text;
  }
  throw new Error(`decimalString: ${value} does not fit in 16 characters`);
}

function decimals(values: readonly number[]): string[] {
  return values.map(decimalString);
}

export interface StudyHeader {
  studyId: string;
  studyInstanceUid: string;
  frameOfReferenceUid: string;
  studyDate: string; // YYYYMMDD
  studyTime: string; // HHMMSS
}

export interface SeriesHeader {
  seriesId: string;
  seriesInstanceUid: string;
  seriesNumber: number;
  contrast: 'T1' | 'T2';
}

export interface ImageHeader {
  instanceNumber: number;
  sopInstanceUid: string;
  windowCentre: number;
  windowWidth: number;
}

/** Sequence timing per contrast: fast spin echo values typical of lumbar spine protocols. */
const TIMING = {
  T1: { repetitionTime: 550, echoTime: 10, echoTrainLength: 3 },
  T2: { repetitionTime: 3500, echoTime: 100, echoTrainLength: 18 },
} as const;

export function writeMrImage(
  study: StudyHeader,
  series: SeriesHeader,
  geometry: SeriesGeometry,
  slice: SlicePlane,
  image: ImageHeader,
  pixels: Uint16Array,
): Buffer {
  const normal = cross(slice.rowDirection, slice.columnDirection);
  const timing = TIMING[series.contrast];
  const dataset: Record<string, unknown> = {
    SpecificCharacterSet: 'ISO_IR 100',
    ImageType: ['ORIGINAL', 'PRIMARY', 'OTHER'],
    SOPClassUID: MR_IMAGE_STORAGE,
    SOPInstanceUID: image.sopInstanceUid,
    StudyDate: study.studyDate,
    SeriesDate: study.studyDate,
    ContentDate: study.studyDate,
    StudyTime: study.studyTime,
    SeriesTime: study.studyTime,
    ContentTime: study.studyTime,
    AccessionNumber: '',
    Modality: 'MR',
    Manufacturer: 'RadLab synthetic phantom',
    ReferringPhysicianName: '',
    StudyDescription: 'Lumbar spine',
    SeriesDescription: geometry.description,
    PatientName: '',
    PatientID: study.studyId,
    PatientBirthDate: '',
    PatientSex: '',
    BodyPartExamined: 'LSPINE',
    ScanningSequence: 'SE',
    SequenceVariant: 'SK',
    ScanOptions: '',
    MRAcquisitionType: '2D',
    SliceThickness: decimalString(geometry.sliceThickness),
    RepetitionTime: decimalString(timing.repetitionTime),
    EchoTime: decimalString(timing.echoTime),
    EchoTrainLength: String(timing.echoTrainLength),
    MagneticFieldStrength: '1.5',
    SpacingBetweenSlices: decimalString(geometry.spacingBetweenSlices),
    PatientPosition: 'HFS',
    StudyInstanceUID: study.studyInstanceUid,
    SeriesInstanceUID: series.seriesInstanceUid,
    StudyID: study.studyId.slice(-16),
    SeriesNumber: String(series.seriesNumber),
    InstanceNumber: String(image.instanceNumber),
    ImagePositionPatient: decimals(slice.position),
    ImageOrientationPatient: decimals([...slice.rowDirection, ...slice.columnDirection]),
    FrameOfReferenceUID: study.frameOfReferenceUid,
    PositionReferenceIndicator: '',
    SliceLocation: decimalString(slice.position[0] * normal[0] + slice.position[1] * normal[1] + slice.position[2] * normal[2]),
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    Rows: geometry.rows,
    Columns: geometry.columns,
    PixelSpacing: decimals([geometry.pixelSpacing, geometry.pixelSpacing]),
    BitsAllocated: 16,
    BitsStored: 12,
    HighBit: 11,
    PixelRepresentation: 0,
    WindowCenter: decimalString(image.windowCentre),
    WindowWidth: decimalString(image.windowWidth),
    PixelData: [pixels.buffer.slice(pixels.byteOffset, pixels.byteOffset + pixels.byteLength)],
    _vrMap: { PixelData: 'OW' },
  };
  const meta = {
    '00020001': { vr: 'OB', Value: [new Uint8Array([0, 1]).buffer] },
    '00020002': { vr: 'UI', Value: [MR_IMAGE_STORAGE] },
    '00020003': { vr: 'UI', Value: [image.sopInstanceUid] },
    '00020010': { vr: 'UI', Value: [EXPLICIT_VR_LITTLE_ENDIAN] },
    '00020012': { vr: 'UI', Value: [IMPLEMENTATION_CLASS_UID] },
    '00020013': { vr: 'SH', Value: ['RADLAB_SYNTH_1'] },
  };
  const file = new dcmjs.data.DicomDict(meta);
  file.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
  return Buffer.from(file.write());
}

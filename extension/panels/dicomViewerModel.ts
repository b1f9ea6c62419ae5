// What the DICOM viewer shows for a file: the common tags as a table, the folder's instances of the same series
// in slice order, and one instance's modality values with the windows the page offers as presets. The page
// windows the values itself, so dragging window/level needs no round trip to the host.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { DataSet } from 'dicom-parser';
import {
  DicomError,
  frameModalityValues,
  readDicomBytes,
  readDicomMeta,
  resolveWindow,
  sortSeries,
  type DicomMeta,
} from '../../core/dicom';
import { parseDataSet } from '../../core/dicom/parseDataSet';
import type { DicomInstance, TagRow, WindowPreset } from '../../webview/contract';
import { CT_PRESETS } from '../../webview/windowLevel';

/**
 * The tags a reader looks at first, with their VR from the DICOM data dictionary (PS3.6): an implicit-VR file
 * does not carry VRs, so the dictionary's is shown for it.
 */
export const COMMON_TAGS: readonly { tag: string; name: string; vr: string }[] = [
  { tag: '00100010', name: "Patient's Name", vr: 'PN' },
  { tag: '00100020', name: 'Patient ID', vr: 'LO' },
  { tag: '00100040', name: "Patient's Sex", vr: 'CS' },
  { tag: '00080020', name: 'Study Date', vr: 'DA' },
  { tag: '00081030', name: 'Study Description', vr: 'LO' },
  { tag: '0008103E', name: 'Series Description', vr: 'LO' },
  { tag: '00080060', name: 'Modality', vr: 'CS' },
  { tag: '00080070', name: 'Manufacturer', vr: 'LO' },
  { tag: '00180087', name: 'Magnetic Field Strength', vr: 'DS' },
  { tag: '00180080', name: 'Repetition Time', vr: 'DS' },
  { tag: '00180081', name: 'Echo Time', vr: 'DS' },
  { tag: '00200011', name: 'Series Number', vr: 'IS' },
  { tag: '00200013', name: 'Instance Number', vr: 'IS' },
  { tag: '00200032', name: 'Image Position (Patient)', vr: 'DS' },
  { tag: '00200037', name: 'Image Orientation (Patient)', vr: 'DS' },
  { tag: '00180050', name: 'Slice Thickness', vr: 'DS' },
  { tag: '00280030', name: 'Pixel Spacing', vr: 'DS' },
  { tag: '00280010', name: 'Rows', vr: 'US' },
  { tag: '00280011', name: 'Columns', vr: 'US' },
  { tag: '00280004', name: 'Photometric Interpretation', vr: 'CS' },
  { tag: '00280100', name: 'Bits Allocated', vr: 'US' },
  { tag: '00280101', name: 'Bits Stored', vr: 'US' },
  { tag: '00280103', name: 'Pixel Representation', vr: 'US' },
  { tag: '00281050', name: 'Window Center', vr: 'DS' },
  { tag: '00281051', name: 'Window Width', vr: 'DS' },
  { tag: '00281052', name: 'Rescale Intercept', vr: 'DS' },
  { tag: '00281053', name: 'Rescale Slope', vr: 'DS' },
  { tag: '00020010', name: 'Transfer Syntax UID', vr: 'UI' },
  { tag: '00080016', name: 'SOP Class UID', vr: 'UI' },
  { tag: '00080018', name: 'SOP Instance UID', vr: 'UI' },
  { tag: '0020000D', name: 'Study Instance UID', vr: 'UI' },
  { tag: '0020000E', name: 'Series Instance UID', vr: 'UI' },
];

const BINARY_READERS: Partial<
  Record<string, { size: number; read: (dataSet: DataSet, tag: string, i: number) => number | undefined }>
> = {
  US: { size: 2, read: (d, t, i) => d.uint16(t, i) },
  SS: { size: 2, read: (d, t, i) => d.int16(t, i) },
  UL: { size: 4, read: (d, t, i) => d.uint32(t, i) },
  SL: { size: 4, read: (d, t, i) => d.int32(t, i) },
  FL: { size: 4, read: (d, t, i) => d.float(t, i) },
  FD: { size: 8, read: (d, t, i) => d.double(t, i) },
};

/** One element's value as text: binary numbers read in the file's byte order, multiple values joined by `\`. */
function elementText(dataSet: DataSet, tag: string, vr: string): string {
  const element = dataSet.elements[tag]!;
  const reader = BINARY_READERS[vr];
  if (reader !== undefined) {
    const values: number[] = [];
    for (let i = 0; i < element.length / reader.size; i++) values.push(reader.read(dataSet, tag, i)!);
    return values.join('\\');
  }
  return dataSet.string(tag) ?? '';
}

export function tagRows(dataSet: DataSet): TagRow[] {
  return COMMON_TAGS.flatMap(({ tag, name, vr }) => {
    const key = `x${tag.toLowerCase()}`;
    const element = dataSet.elements[key];
    if (element === undefined) return [];
    const fileVr = element.vr ?? vr;
    return [
      { name, tag: `(${tag.slice(0, 4)},${tag.slice(4)})`, vr: fileVr, value: elementText(dataSet, key, fileVr) },
    ];
  });
}

export interface SeriesFiles {
  /** Absolute paths in slice order. */
  files: string[];
  /** Where the opened file sits in `files`. */
  index: number;
  method: 'position' | 'instance-number';
}

/** A file that is not DICOM, is broken or vanished (DicomError) is left out; any other failure is a bug to see. */
function unlessDicomError(error: unknown): undefined {
  if (error instanceof DicomError) return undefined;
  throw error;
}

/**
 * The opened file's series within its folder: every readable DICOM file beside it with the same Series
 * Instance UID, ordered by core/dicom's sortSeries. Files that are not DICOM (or belong to another series) are
 * left out; the opened file is always in the list, even when it cannot be parsed (the viewer then shows why).
 */
export async function seriesFiles(file: string): Promise<SeriesFiles> {
  const opened = resolve(file);
  const folder = dirname(opened);
  const names = (await readdir(folder)).filter((name) => name.toLowerCase().endsWith('.dcm'));
  const metas = (
    await Promise.all(names.map((name) => readDicomMeta(join(folder, name)).catch(unlessDicomError)))
  ).filter((meta): meta is DicomMeta => meta !== undefined);
  const self = metas.find((meta) => meta.file === opened);
  if (self === undefined) return { files: [opened], index: 0, method: 'instance-number' };
  const series = metas.filter((meta) => meta.seriesInstanceUID === self.seriesInstanceUID);
  const sorted = sortSeries(series);
  const files = sorted.instances.map((meta) => meta.file);
  return { files, index: files.indexOf(opened), method: sorted.method };
}

/**
 * MR (and any modality without calibrated units) has no fixed windows: the same tissue has different values from
 * scan to scan, so its presets are percentiles of this frame's values. CT values are Hounsfield units, where the
 * classic windows apply.
 */
const PERCENTILE_PRESETS: readonly { id: string; label: string; low: number; high: number }[] = [
  { id: 'p1-99', label: 'Percentiles 1–99 %', low: 1, high: 99 },
  { id: 'p5-95', label: 'Percentiles 5–95 % (more contrast)', low: 5, high: 95 },
  { id: 'p50-99.9', label: 'Percentiles 50–99.9 % (bright tissue)', low: 50, high: 99.9 },
];

function windowPresets(image: Awaited<ReturnType<typeof readDicomBytes>>): WindowPreset[] {
  if (image.meta.modality === 'CT') return [...CT_PRESETS];
  return PERCENTILE_PRESETS.map(({ id, label, low, high }) => ({
    id,
    label,
    window: resolveWindow(image, 0, { kind: 'auto', lowPercentile: low, highPercentile: high }),
  }));
}

/** One instance as the viewer page receives it (first frame for multi-frame files). */
export async function dicomInstance(series: SeriesFiles, index: number): Promise<DicomInstance> {
  const file = series.files[index];
  if (file === undefined)
    throw new RangeError(`instance ${index} does not exist: the series has ${series.files.length}`);
  const bytes = new Uint8Array(await readFile(file));
  const image = await readDicomBytes(file, bytes);
  const { dataSet } = parseDataSet(file, bytes);
  const { meta } = image;
  return {
    file,
    index,
    count: series.files.length,
    sortMethod: series.method,
    instanceNumber: meta.instanceNumber,
    rows: meta.rows,
    columns: meta.columns,
    pixelSpacing: meta.pixelSpacing,
    pixels: frameModalityValues(image, 0),
    invert: meta.photometricInterpretation === 'MONOCHROME1',
    windows: {
      auto: resolveWindow(image, 0, { kind: 'auto' }),
      tags: meta.window,
      fullRange: resolveWindow(image, 0, { kind: 'auto', lowPercentile: 0, highPercentile: 100 }),
    },
    modality: meta.modality,
    presets: windowPresets(image),
    tags: tagRows(dataSet),
  };
}

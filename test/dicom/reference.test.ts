// Every real DICOM test file decoded by core/dicom and compared with what pydicom decoded from it
// (test/fixtures/dicom/reference.json, written by make_reference.py), plus the files that must be refused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DicomError,
  frameGreyValues,
  frameModalityValues,
  readDicomFile,
  type DicomErrorReason,
} from '../../core/dicom/index';
import { fixtureRoots, PYDICOM_MISSING, type FixtureRoot } from './fixtureRoots';

interface ReferenceEntry {
  root: FixtureRoot;
  path: string;
  pydicom?: { error: string };
  decoder?: string;
  lossy?: boolean;
  json?: {
    rows: number;
    columns: number;
    frames: number;
    bitsAllocated: number;
    bitsStored: number;
    pixelRepresentation: number;
    transferSyntaxUID: string;
    photometricInterpretation: string;
    pixelSpacing: [number, number] | null;
    min: number;
    max: number;
    mean: number;
  };
  samplesPerPixel?: number;
  samplePositions?: [number, number][];
  frame0Samples?: number[];
  frame0StoredSum?: number;
  lastFrameStoredSum?: number;
}

const reference = JSON.parse(readFileSync('test/fixtures/dicom/reference.json', 'utf8')) as { files: ReferenceEntry[] };

/**
 * Files that must fail, with the reason. Decided from pydicom's test_files/README.txt and from pydicom's own
 * failure on them; the last three are files pydicom reads but this reader deliberately does not.
 */
const expectedFailures: Record<string, DicomErrorReason> = {
  'pydicom/MR_truncated.dcm': 'truncated', // Pixel Data cut short
  'pydicom/rtplan_truncated.dcm': 'truncated', // data set cut short
  'pydicom/no_meta.dcm': 'not-dicom', // CT_small without its meta header, shifted by one byte
  'pydicom/meta_missing_tsyntax.dcm': 'corrupt', // meta header without Transfer Syntax UID
  'pydicom/nested_priv_SQ.dcm': 'corrupt', // private sequences dicom-parser cannot walk; no image either
  'pydicom/ExplVR_BigEndNoMeta.dcm': 'no-pixel-data', // raw data sets (no preamble) of an RT plan
  'pydicom/ExplVR_LitEndNoMeta.dcm': 'no-pixel-data',
  'pydicom/UN_sequence.dcm': 'no-pixel-data',
  'pydicom/dicomdirtests/DICOMDIR-empty.dcm': 'no-pixel-data',
  'pydicom/empty_charset_LEI.dcm': 'no-pixel-data',
  'pydicom/no_meta_group_length.dcm': 'no-pixel-data',
  'pydicom/priv_SQ.dcm': 'no-pixel-data',
  'pydicom/reportsi.dcm': 'no-pixel-data',
  'pydicom/reportsi_with_empty_number_tags.dcm': 'no-pixel-data',
  'pydicom/rtplan.dcm': 'no-pixel-data',
  'pydicom/rtstruct.dcm': 'no-pixel-data',
  'pydicom/test-SR.dcm': 'no-pixel-data',
  'pydicom/waveform_ecg.dcm': 'no-pixel-data',
  'pydicom/JPEG-lossy.dcm': 'unsupported', // 12-bit extended JPEG
  'pydicom/JPGExtended.dcm': 'unsupported',
  // An explicit-VR transfer syntax whose body is written in implicit VR: pydicom guesses; read as explicit,
  // an element's length runs past the end of the file.
  'pydicom/SC_rgb_jpeg.dcm': 'truncated',
  // README: "4 of the encoded pixel data bytes replaced with the Sequence Delimiter ... not a valid JPEG anymore".
  'pydicom/JPEG2000-embedded-sequence-delimiter.dcm': 'corrupt',
};

/**
 * Files decoded without a value comparison, and why. The RGB JPEGs were written without the YCbCr transform and
 * without an Adobe marker saying so; libjpeg-turbo (as packaged by cornerstone) then converts them as YCbCr, so
 * their colours differ from pydicom's. MR data is greyscale, so this only affects colour secondary captures.
 */
const decodedWithoutComparison: Record<string, string> = {
  'pydicom/SC_jpeg_no_color_transform.dcm': 'RGB JPEG without colour transform or Adobe marker',
  'pydicom/SC_rgb_jpeg_lossy_gdcm.dcm': 'RGB JPEG without colour transform or Adobe marker',
  'pydicom/badVR.dcm': 'pydicom stops at its malformed NumberOfFrames ("1A"); the reader takes the leading integer',
};

function close(actual: number, expected: number, tolerance: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance + 1e-6 * Math.abs(expected),
    `${what}: got ${actual}, pydicom ${expected} (tolerance ${tolerance})`,
  );
}

function storedSum(samples: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) sum += samples[i]!;
  return sum;
}

for (const entry of reference.files) {
  const key = `${entry.root}/${entry.path}`;
  test(`decode ${key}`, async (t) => {
    const root = fixtureRoots[entry.root];
    if (root === undefined) return t.skip(PYDICOM_MISSING);
    const file = join(root, entry.path);
    const failure = expectedFailures[key];
    if (failure !== undefined) {
      await assert.rejects(readDicomFile(file), (error: unknown) => {
        assert.ok(error instanceof DicomError, `expected a DicomError, got ${String(error)}`);
        assert.equal(error.reason, failure, error.message);
        assert.ok(error.message.startsWith(file), `the message names the file: ${error.message}`);
        if (failure === 'unsupported') assert.match(error.message, /1\.2\.840\.10008\.1\.2\.4\.51.*gdcmconv --raw/s);
        return true;
      });
      return;
    }
    if (key in decodedWithoutComparison) {
      const image = await readDicomFile(file);
      assert.equal(image.frames.length, image.meta.frames);
      assert.equal(frameGreyValues(image, 0).length, image.meta.rows * image.meta.columns);
      return;
    }
    assert.ok(entry.json, `pydicom could not decode ${key} (${entry.pydicom?.error}) and no failure is expected`);
    const expected = entry.json!;
    const image = await readDicomFile(file);
    const m = image.meta;
    assert.deepEqual(
      [
        m.rows,
        m.columns,
        m.frames,
        m.bitsAllocated,
        m.bitsStored,
        m.pixelRepresentation,
        m.transferSyntaxUID,
        m.photometricInterpretation,
      ],
      [
        expected.rows,
        expected.columns,
        expected.frames,
        expected.bitsAllocated,
        expected.bitsStored,
        expected.pixelRepresentation,
        expected.transferSyntaxUID,
        expected.photometricInterpretation,
      ],
    );
    assert.deepEqual(m.pixelSpacing, expected.pixelSpacing);
    assert.equal(image.frames.length, expected.frames);

    const colour = entry.samplesPerPixel! > 1;
    // Lossy JPEG decoders may differ by a few levels after the IDCT; everything else must match exactly
    // (colour grey values up to float rounding).
    const tolerance = entry.lossy ? 8 : colour ? 1e-3 : 0;
    const grey = frameGreyValues(image, 0);
    entry.samplePositions!.forEach(([r, c], i) =>
      close(grey[r * m.columns + c]!, entry.frame0Samples![i]!, tolerance, `frame 0 sample at row ${r}, column ${c}`),
    );
    if (!entry.lossy) {
      assert.equal(storedSum(image.frames[0]!), entry.frame0StoredSum, 'sum of frame 0 stored values');
      assert.equal(
        storedSum(image.frames[image.frames.length - 1]!),
        entry.lastFrameStoredSum,
        'sum of the last frame',
      );
    }
    const modality = frameModalityValues(image, 0);
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of modality) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    const scale = Math.abs(m.rescaleSlope);
    close(min, expected.min, tolerance * scale + 1e-3 * Math.abs(expected.min), 'min');
    close(max, expected.max, tolerance * scale + 1e-3 * Math.abs(expected.max), 'max');
    close(sum / modality.length, expected.mean, (entry.lossy ? 1 : 1e-3) * Math.max(1, scale), 'mean');
  });
}

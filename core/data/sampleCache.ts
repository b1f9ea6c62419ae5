// Preprocessed model inputs on disk, so that only the first epoch (or the first run with given settings) reads
// DICOM. A cache is a folder <cache dir>/<key>/ holding samples.bin (every input, uint8, packed back to back)
// and index.json (the samples, the byte offset of each, the settings); index.json is written last, so a folder
// without it is an interrupted build and is rebuilt. Reads go straight to the offset: memory stays flat
// whatever the dataset's size.
//
// The key hashes what the inputs depend on: the three CSV files' and every used DICOM file's path, size and
// modification time (for 2.5D, every file of each used series), the condition, levels, series type and the
// input settings. When any of them changes the key changes, and the stale folder of the same selection is
// deleted once the new one is complete.
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildInputs, type BuildOptions } from './inputBuilder';
import type { DatasetIndex, Sample, SkippedSample } from './datasetIndex';
import { DATASET_FILES } from './lsdcVocabulary';
import { inputBytes, inputChannels, storedSide, type InputSettings } from './sampleInput';

/**
 * Raised whenever the bytes produced for the same key would change (2: Pillow-exact resampling replaced sharp's;
 * 3: the index records the stored side, which context for augmentation makes larger than the input size).
 */
export const CACHE_FORMAT_VERSION = 3;
export const DEFAULT_CACHE_FOLDER = '.radlab-cache';
const INDEX_FILE = 'index.json';
const DATA_FILE = 'samples.bin';

export interface CachedSample extends Omit<Sample, 'file' | 'fileSize' | 'fileMtimeMs'> {
  offset: number;
}

interface CacheIndex {
  format: number;
  key: string;
  /** Hash of the selection and settings without file identities: caches sharing it are versions of one another. */
  selection: string;
  settings: InputSettings;
  size: number;
  /** Side of each stored image: size, or more when the inputs keep context for augmentation. */
  side: number;
  channels: number;
  bytesPerSample: number;
  layout: 'HWC';
  samples: CachedSample[];
  /** Samples whose input could not be built (decode errors, no PixelSpacing). */
  skipped: SkippedSample[];
}

export interface CacheOptions extends BuildOptions {
  /** Folder holding cache folders; default <dataset root>/.radlab-cache. */
  cacheDir?: string;
  onProgress?: (done: number, total: number) => void;
}

function hash(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 24);
}

function fileIdentity(path: string): [string, number, number] {
  const stats = statSync(path);
  return [path, stats.size, stats.mtimeMs];
}

function selectionOf(index: DatasetIndex, settings: InputSettings): unknown {
  const { mode, crop_mm, slices, size, window, context } = settings;
  return {
    format: CACHE_FORMAT_VERSION,
    root: index.root,
    condition: index.condition,
    levels: index.levels,
    series: index.seriesDescription,
    settings: {
      mode,
      crop_mm: mode === 'crop' ? crop_mm : null,
      slices,
      size,
      window,
      ...(context !== undefined && context !== size ? { context } : {}),
    },
  };
}

/** The cache key of an index and settings (see the file header for what it covers). */
export function cacheKey(index: DatasetIndex, settings: InputSettings): string {
  const csvs = DATASET_FILES.map((name) => fileIdentity(join(index.root, name)));
  let images: unknown[];
  if (settings.slices === 1) {
    images = index.samples.map((sample) => [sample.file, sample.fileSize, sample.fileMtimeMs]);
  } else {
    const folders = [...new Set(index.samples.map((sample) => dirname(sample.file)))].sort();
    images = folders.flatMap((folder) => readdirSync(folder).sort().map((name) => fileIdentity(join(folder, name))));
  }
  return hash({ selection: selectionOf(index, settings), csvs, images });
}

export class SampleCache {
  private constructor(
    /** The cache folder. */
    readonly folder: string,
    private readonly index: CacheIndex,
    private readonly handle: FileHandle,
    /** True when this open built the cache (read DICOM), false when it was already there. */
    readonly built: boolean,
  ) {}

  get key(): string {
    return this.index.key;
  }
  get samples(): readonly CachedSample[] {
    return this.index.samples;
  }
  get skipped(): readonly SkippedSample[] {
    return this.index.skipped;
  }
  get bytesPerSample(): number {
    return this.index.bytesPerSample;
  }
  /** Side of the model input. */
  get size(): number {
    return this.index.size;
  }
  /** Side of each stored image (see InputSettings.context); its centre size x size square is the model input. */
  get side(): number {
    return this.index.side;
  }
  get channels(): number {
    return this.index.channels;
  }

  /** Opens the cache for `index` and `settings`, building it first when it is missing or stale. */
  static async open(index: DatasetIndex, settings: InputSettings, options: CacheOptions = {}): Promise<SampleCache> {
    const cacheDir = options.cacheDir ?? join(index.root, DEFAULT_CACHE_FOLDER);
    const key = cacheKey(index, settings);
    const folder = join(cacheDir, key);
    let cached = await readIndex(folder);
    const built = cached === undefined;
    if (cached === undefined) {
      cached = await build(folder, key, index, settings, options);
      await removeStaleVersions(cacheDir, key, cached.selection);
    }
    return new SampleCache(folder, cached, await open(join(folder, DATA_FILE), 'r'), built);
  }

  /** The input of samples[position] (layout: see sampleInput.ts), read from disk. */
  async read(position: number, into: Uint8Array = new Uint8Array(this.index.bytesPerSample)): Promise<Uint8Array> {
    const sample = this.index.samples[position];
    if (sample === undefined) throw new RangeError(`sample ${position} is outside the cache's ${this.index.samples.length}`);
    const { bytesRead } = await this.handle.read(into, 0, this.index.bytesPerSample, sample.offset);
    if (bytesRead !== this.index.bytesPerSample) {
      throw new Error(`${join(this.folder, DATA_FILE)} is truncated at sample ${position}; delete ${this.folder} to rebuild it`);
    }
    return into;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

async function readIndex(folder: string): Promise<CacheIndex | undefined> {
  let text: string;
  try {
    text = await readFile(join(folder, INDEX_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const index = JSON.parse(text) as CacheIndex;
  return index.format === CACHE_FORMAT_VERSION ? index : undefined;
}

// Several processes may build the same cache at once (the members of a sweep started together as Slurm array
// tasks share one dataset). Each builds in its own staging folder and publishes it with one rename, so no
// process ever reads, truncates or deletes a cache another one is still writing.
const STAGING_MARK = '.partial-';

async function build(folder: string, key: string, index: DatasetIndex, settings: InputSettings, options: CacheOptions): Promise<CacheIndex> {
  const staging = `${folder}${STAGING_MARK}${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const bytesPerSample = inputBytes(settings);
  const out = await open(join(staging, DATA_FILE), 'w');
  const offsets = new Array<number | undefined>(index.samples.length);
  const failures: SkippedSample[] = [];
  let slots = 0;
  let done = 0;
  try {
    await buildInputs(
      index.samples,
      settings,
      async (position, result) => {
        const sample = index.samples[position]!;
        if ('error' in result) {
          failures.push({ studyId: sample.studyId, level: sample.level, reason: 'unusable-image', detail: result.error });
        } else {
          const offset = bytesPerSample * slots++;
          offsets[position] = offset;
          await out.write(result.input, 0, bytesPerSample, offset);
        }
        options.onProgress?.(++done, index.samples.length);
      },
      options,
    );
  } finally {
    await out.close();
  }
  const samples = index.samples.flatMap((sample, position): CachedSample[] => {
    const offset = offsets[position];
    if (offset === undefined) return [];
    const { file: _file, fileSize: _size, fileMtimeMs: _mtime, ...rest } = sample;
    return [{ ...rest, offset }];
  });
  const cacheIndex: CacheIndex = {
    format: CACHE_FORMAT_VERSION,
    key,
    selection: hash(selectionOf(index, settings)),
    settings,
    size: settings.size,
    side: storedSide(settings),
    channels: inputChannels(settings),
    bytesPerSample,
    layout: 'HWC',
    samples,
    skipped: failures.sort((a, b) => a.studyId.localeCompare(b.studyId) || a.level.localeCompare(b.level)),
  };
  await writeFile(join(staging, INDEX_FILE), JSON.stringify(cacheIndex));
  return publish(staging, folder, cacheIndex);
}

/** Moves a finished staging folder into place; when another process published first, its cache is used. */
async function publish(staging: string, folder: string, built: CacheIndex): Promise<CacheIndex> {
  try {
    await rename(staging, folder);
    return built;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
  }
  const published = await readIndex(folder);
  if (published !== undefined) {
    await rm(staging, { recursive: true, force: true });
    return published;
  }
  // What is there is stale or half-written by a process that died: replace it.
  await rm(folder, { recursive: true, force: true });
  await rename(staging, folder);
  return built;
}

/** Deletes other versions of the same selection: their dataset files or settings have since changed. */
async function removeStaleVersions(cacheDir: string, key: string, selection: string): Promise<void> {
  for (const name of await readdir(cacheDir)) {
    if (name === key || name.includes(STAGING_MARK)) continue;
    const other = await readIndex(join(cacheDir, name));
    if (other?.selection === selection) await rm(join(cacheDir, name), { recursive: true, force: true });
  }
}

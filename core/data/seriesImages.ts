// Decoded slices and slice order for building model inputs. Neighbouring levels share slices (the five canal
// levels are usually marked on one mid-sagittal slice) and 2.5D stacks overlap, so decoded images are kept in an
// LRU bounded in bytes rather than decoded again; the bound keeps a long build's memory flat.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { LRUCache } from 'lru-cache';
import { readDicomFile, readDicomMeta, sortSeries, type DicomImage, type DicomMeta } from '../dicom';

/** How DICOM files are read; injectable so tests can count reads. */
export interface DicomReader {
  readImage(path: string): Promise<DicomImage>;
  readMeta(path: string): Promise<DicomMeta>;
}

export const defaultDicomReader: DicomReader = { readImage: readDicomFile, readMeta: readDicomMeta };

/** The default bound on decoded slices held while building (per worker). */
export const DEFAULT_DECODED_BYTES = 256 * 1024 * 1024;

function imageBytes(image: DicomImage): number {
  return image.frames.reduce((sum, frame) => sum + frame.byteLength, 0) + 4096;
}

export class SeriesImages {
  private readonly images: LRUCache<string, DicomImage>;
  /** Sorted file lists per series folder: a few hundred bytes each, bounded by count. */
  private readonly orders = new LRUCache<string, string[]>({ max: 512 });

  constructor(
    private readonly reader: DicomReader = defaultDicomReader,
    maxBytes: number = DEFAULT_DECODED_BYTES,
  ) {
    this.images = new LRUCache<string, DicomImage>({ maxSize: maxBytes, sizeCalculation: imageBytes });
  }

  async image(path: string): Promise<DicomImage> {
    const cached = this.images.get(path);
    if (cached !== undefined) return cached;
    const image = await this.reader.readImage(path);
    // An image larger than the whole bound is still returned, just not kept.
    if (imageBytes(image) <= this.images.maxSize) this.images.set(path, image);
    return image;
  }

  /**
   * The `count` files around `file` in its series, in slice-position order (sortSeries), with `file` in the
   * middle (for an even count, the extra slice is on the far side). Past either end of the series the edge
   * slice repeats, so every stack has `count` channels.
   */
  async stack(file: string, count: number): Promise<string[]> {
    if (count === 1) return [file];
    const order = await this.seriesOrder(dirname(file));
    const centre = order.indexOf(file);
    if (centre < 0) throw new Error(`${file} is not among the DICOM files of its series folder`);
    const first = centre - Math.floor((count - 1) / 2);
    return Array.from({ length: count }, (_, i) => order[Math.min(order.length - 1, Math.max(0, first + i))]!);
  }

  private async seriesOrder(folder: string): Promise<string[]> {
    const cached = this.orders.get(folder);
    if (cached !== undefined) return cached;
    const files = (await readdir(folder)).filter((name) => name.toLowerCase().endsWith('.dcm')).map((name) => join(folder, name));
    const metas = await Promise.all(files.map((path) => this.reader.readMeta(path)));
    const order = sortSeries(metas).instances.map((meta) => meta.file);
    this.orders.set(folder, order);
    return order;
  }
}

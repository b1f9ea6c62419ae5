// The run panel's gallery: test predictions shown as the crop the model saw, cut from their slice as training cuts
// it, with the whole slice (the crop's square drawn on it) one click away. The predictions file names a study and
// level; the run's dataset index (same root, condition, levels and series as the run) says which instance and point
// that is. Pages are rendered on demand and bounded, so a test set of thousands of rows never decodes more than one
// page of DICOM at a time.
import { existsSync } from 'node:fs';
import sharp from 'sharp';
import { readDicomFile } from '../../core/dicom';
import { GRADE_COLOURS, indexDataset, labelledSlicePng, type Sample } from '../../core/data';
import {
  CONDITIONS,
  SERIES_DESCRIPTIONS,
  type Condition,
  type Level,
  type SeriesDescription,
} from '../../core/data/lsdcVocabulary';
import { inputRegion, sliceInput, windowSpec } from '../../core/data/sampleInput';
import {
  GRADE_NAMES,
  type DicomFocus,
  type GalleryItem,
  type GalleryPage,
  type GalleryQuery,
  type SliceImage,
} from '../../webview/contract';
import { galleryRows, type PredictionRow, type RunDataSettings } from './runFolderModel';

export const GALLERY_PAGE_SIZE = 12;
/** The whole slice is enlarged to at least this many pixels a side, so its labels stay legible. */
const SLICE_MIN_SIDE = 512;

function pngDataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`;
}

/** The run names a dataset folder this machine lacks (a run folder copied from elsewhere, a dataset moved). */
function missingDatasetMessage(data: RunDataSettings): string {
  const regenerate =
    data.synthetic === null
      ? "Put the dataset there, or edit data.root in the run's experiment.resolved.yaml to where it is, to see the images."
      : `It is RadLab's synthetic dataset: \`radlab synth --out "${data.root}" --studies ${data.synthetic.studies} --seed ${data.synthetic.seed}\` generates it again.`;
  return `The test images cannot be shown: the run's dataset folder ${data.root} (data.root in experiment.resolved.yaml) is not on this machine. ${regenerate}`;
}

export class RunGallery {
  private samples: Promise<Map<string, Sample>> | undefined;

  constructor(
    private readonly predictions: readonly PredictionRow[],
    private readonly data: RunDataSettings | null,
  ) {}

  /** The same dataset's gallery over other rows (an epoch's validation predictions), sharing the sample index. */
  withPredictions(predictions: readonly PredictionRow[]): RunGallery {
    const gallery = new RunGallery(predictions, this.data);
    gallery.samples = this.samples;
    return gallery;
  }

  private sampleIndex(): Promise<Map<string, Sample>> {
    const data = this.data;
    if (data === null) {
      return Promise.reject(
        new Error(
          'the run folder has no experiment.resolved.yaml naming its dataset, so its test images cannot be found',
        ),
      );
    }
    if (!existsSync(data.root)) return Promise.reject(new Error(missingDatasetMessage(data)));
    if (!(CONDITIONS as readonly string[]).includes(data.condition)) {
      return Promise.reject(
        new Error(
          `experiment.resolved.yaml: data.condition "${data.condition}" is not one of ${CONDITIONS.join(', ')}`,
        ),
      );
    }
    this.samples ??= indexDataset(data.root, {
      condition: data.condition as Condition,
      levels: data.levels as Level[] | undefined,
      series:
        data.series === undefined || !(SERIES_DESCRIPTIONS as readonly string[]).includes(data.series)
          ? 'auto'
          : (data.series as SeriesDescription),
    }).then((index) => new Map(index.samples.map((sample) => [sample.id, sample])));
    return this.samples;
  }

  private async sampleOf(row: PredictionRow): Promise<Sample> {
    const sample = (await this.sampleIndex()).get(row.rowId);
    if (sample === undefined)
      throw new Error(
        `${row.rowId} is not a sample of the dataset at ${this.data?.root} (the dataset changed since the run?)`,
      );
    return sample;
  }

  /**
   * What the model saw of a prediction's slice: the input square cut and resized as the trainer does (inputRegion,
   * sliceInput), at the input size, as a grey PNG. For a 2.5D input this is its middle channel, the labelled slice.
   */
  private async crop(row: PredictionRow): Promise<Buffer> {
    const { input, window } = this.data!;
    const sample = await this.sampleOf(row);
    const image = await readDicomFile(sample.file);
    const grey = sliceInput(image, windowSpec(window), inputRegion(image, input, sample.x, sample.y), input.size);
    return sharp(grey, { raw: { width: input.size, height: input.size, channels: 1 } })
      .png()
      .toBuffer();
  }

  async page(query: GalleryQuery, pageSize = GALLERY_PAGE_SIZE): Promise<GalleryPage> {
    const { total, rows } = galleryRows(this.predictions, query, pageSize);
    const inputSize = this.data?.input.size ?? null;
    // Without the dataset no row has an image: say why once, and list the predictions without pictures.
    const unavailable = await this.sampleIndex().then(
      () => null,
      (error: Error) => error.message,
    );
    const items = await Promise.all(
      rows.map(async (row): Promise<GalleryItem> => {
        const item: GalleryItem = { ...row, crop: null, imageError: null };
        if (unavailable !== null) return item;
        try {
          item.crop = pngDataUrl(await this.crop(row));
        } catch (error) {
          item.imageError = (error as Error).message;
        }
        return item;
      }),
    );
    return { query, pageSize, total, items, inputSize, imagesUnavailable: unavailable };
  }

  private rowOf(rowId: string): PredictionRow {
    const row = this.predictions.find((p) => p.rowId === rowId);
    if (row === undefined) throw new Error(`${rowId} is not in results/predictions.csv`);
    return row;
  }

  /** A prediction's source DICOM file, and what the viewer draws on it: the input square, level and probabilities. */
  async focus(rowId: string, source: string): Promise<{ file: string; focus: DicomFocus }> {
    const row = this.rowOf(rowId);
    const sample = await this.sampleOf(row);
    const image = await readDicomFile(sample.file);
    return {
      file: sample.file,
      focus: {
        instanceNumber: sample.instanceNumber,
        x: sample.x,
        y: sample.y,
        box: inputRegion(image, this.data!.input, sample.x, sample.y),
        label: `${row.level} · true ${row.trueLabel} · predicted ${row.predictedLabel}`,
        colour: GRADE_COLOURS[row.predictedLabel],
        probabilities: GRADE_NAMES.map((grade, k) => ({ grade, probability: row.probabilities[k]! })),
        source,
      },
    };
  }

  /** The whole slice of one prediction, the level marked and the model's input square drawn around it. */
  async slice(rowId: string): Promise<SliceImage> {
    const row = this.rowOf(rowId);
    const sample = await this.sampleOf(row);
    const image = await readDicomFile(sample.file);
    const { input, window } = this.data!;
    const label =
      row.trueLabel === row.predictedLabel
        ? `${row.level} ${row.trueLabel}`
        : `${row.level} ${row.trueLabel} → ${row.predictedLabel}`;
    const box = inputRegion(image, input, sample.x, sample.y);
    const png = await labelledSlicePng(image, [{ x: sample.x, y: sample.y, label, grade: row.trueLabel, box }], {
      window: windowSpec(window),
      minSide: SLICE_MIN_SIDE,
    });
    return {
      title: `${row.studyId} ${row.level}: true ${row.trueLabel}, predicted ${row.predictedLabel} · the dashed square is the model's input (${input.mode === 'crop' ? `${input.crop_mm} mm` : 'the whole slice'}, resized to ${input.size} px)`,
      png: pngDataUrl(png),
    };
  }
}

// The dataset preview's data: studies and their series from the RSNA CSVs, a series' instances from its folder,
// and a slice rendered with every label drawn on (core/data's labelled preview).
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetSlicePng, markersForInstance, type DatasetTables } from '../../core/data';
import { DATASET_IMAGES_FOLDER } from '../../core/data/lsdcVocabulary';
import type { DatasetSlice, DatasetTree, SeriesSlices } from '../../webview/contract';

/** Studies in train.csv order, each with the series the descriptions file lists and its labelled points. */
export function datasetTree(tables: DatasetTables): DatasetTree {
  const labels = new Map<string, number>();
  for (const row of tables.coordinates) {
    const key = `${row.studyId}/${row.seriesId}`;
    labels.set(key, (labels.get(key) ?? 0) + 1);
  }
  const seriesOf = new Map<string, DatasetTree['studies'][number]['series']>();
  for (const row of tables.series) {
    const list = seriesOf.get(row.studyId) ?? [];
    list.push({
      seriesId: row.seriesId,
      description: row.description,
      labels: labels.get(`${row.studyId}/${row.seriesId}`) ?? 0,
    });
    seriesOf.set(row.studyId, list);
  }
  const studyIds = [...new Set([...tables.train.map((row) => row.studyId), ...seriesOf.keys()])];
  return { root: tables.root, studies: studyIds.map((studyId) => ({ studyId, series: seriesOf.get(studyId) ?? [] })) };
}

/**
 * Ids from the page become folder names under train_images. RSNA ids are numeric (the CSV reader refuses others),
 * so anything else, like `../../etc` or `/etc` from a compromised page, is refused before it can list or read files
 * outside the dataset root.
 */
function requireNumericIds(studyId: string, seriesId: string): void {
  for (const [name, id] of [
    ['study', studyId],
    ['series', seriesId],
  ] as const) {
    if (!/^\d+$/.test(id))
      throw new Error(`the page asked for ${name} id ${JSON.stringify(id)}; dataset ids are numeric`);
  }
}

/** The instance numbers a series' folder holds (train_images/<study>/<series>/<n>.dcm), ascending. */
export async function seriesSlices(tables: DatasetTables, studyId: string, seriesId: string): Promise<SeriesSlices> {
  requireNumericIds(studyId, seriesId);
  const folder = join(tables.root, DATASET_IMAGES_FOLDER, studyId, seriesId);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch (error) {
    throw new Error(
      `cannot list ${folder} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): is the series in train_images?`,
    );
  }
  const instances = names
    .map((name) => /^(\d+)\.dcm$/i.exec(name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
  const labelled = [
    ...new Set(
      tables.coordinates
        .filter((row) => row.studyId === studyId && row.seriesId === seriesId)
        .map((row) => row.instanceNumber),
    ),
  ].sort((a, b) => a - b);
  return { studyId, seriesId, instances, labelled };
}

export async function datasetSlice(
  tables: DatasetTables,
  studyId: string,
  seriesId: string,
  instanceNumber: number,
): Promise<DatasetSlice> {
  requireNumericIds(studyId, seriesId);
  const png = await datasetSlicePng(tables, studyId, seriesId, instanceNumber);
  const markers = markersForInstance(tables, studyId, seriesId, instanceNumber).map(({ x, y, label }) => ({
    x,
    y,
    label,
  }));
  return { studyId, seriesId, instanceNumber, png: `data:image/png;base64,${png.toString('base64')}`, markers };
}

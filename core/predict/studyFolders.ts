// The studies to grade, as the competition ships them: <images root>/<study_id>/<series_id>/<instance>.dcm. Each
// series' type comes from the descriptions CSV when one is given (test_series_descriptions.csv), else from the
// SeriesDescription of its first readable file. Files that cannot be read are listed, never fatal.
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { readSeriesCsv } from '../data/datasetTables';
import { readDicomMeta } from '../dicom';
import type { UnreadableFile } from '../localize/seriesSlices';

export interface StudySeries {
  seriesId: string;
  folder: string;
  /** The series type, e.g. 'Sagittal T2/STIR'; null when neither the CSV nor any file says. */
  description: string | null;
}

export interface StudyFolder {
  studyId: string;
  series: StudySeries[];
}

async function subfolders(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true });
  return entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

async function descriptionFromFiles(folder: string, unreadable: UnreadableFile[]): Promise<string | null> {
  const names = (await readdir(folder)).filter((name) => name.toLowerCase().endsWith('.dcm')).sort();
  for (const name of names) {
    const file = join(folder, name);
    try {
      const description = (await readDicomMeta(file)).seriesDescription;
      if (description !== null) return description.trim();
    } catch (error) {
      unreadable.push({ file, error: (error as Error).message });
    }
  }
  return null;
}

export async function readStudyFolders(
  imagesRoot: string,
  descriptionsCsv?: string,
): Promise<{ studies: StudyFolder[]; unreadable: UnreadableFile[] }> {
  const listed = new Map<string, string>();
  if (descriptionsCsv !== undefined) {
    for (const row of await readSeriesCsv(dirname(descriptionsCsv), basename(descriptionsCsv))) {
      listed.set(`${row.studyId}/${row.seriesId}`, row.description);
    }
  }
  const unreadable: UnreadableFile[] = [];
  const studies: StudyFolder[] = [];
  for (const studyId of await subfolders(imagesRoot)) {
    const series: StudySeries[] = [];
    for (const seriesId of await subfolders(join(imagesRoot, studyId))) {
      const folder = join(imagesRoot, studyId, seriesId);
      const description =
        descriptionsCsv !== undefined
          ? (listed.get(`${studyId}/${seriesId}`) ?? null)
          : await descriptionFromFiles(folder, unreadable);
      series.push({ seriesId, folder, description });
    }
    studies.push({ studyId, series });
  }
  return { studies, unreadable };
}

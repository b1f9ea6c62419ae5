// What "RadLab: Predict Study" hands to `radlab predict`: the study folder's layout (its images root and the
// dataset's series descriptions file when there is one), which trained runs can predict (a run's task and
// condition from its experiment.resolved.yaml), the runs chosen by default, and the CLI arguments. No `vscode`
// import, so it is tested on folders alone.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DATASET_IMAGES_FOLDER, SERIES_CSV, TEST_IMAGES_FOLDER, TEST_SERIES_CSV } from '../../core/data/lsdcVocabulary';
import { runPaths } from '../../core/run/runFolder';
import type { PredictionFiles } from '../panels/predictionFiles';
import { lenientYamlMapping } from '../runs/runFolders';

export interface StudyLayout {
  studyFolder: string;
  studyId: string;
  /** The folder holding the study folders: what `radlab predict` is given. */
  imagesRoot: string;
  /** test_series_descriptions.csv or train_series_descriptions.csv beside the images folder, when present. */
  seriesDescriptions: string | undefined;
}

/**
 * The layout of a study folder (<images root>/<study id>/<series id>/<instance>.dcm), or why the folder is not one.
 */
export function studyLayout(studyFolder: string): StudyLayout | { problem: string } {
  let series: string[];
  try {
    series = readdirSync(studyFolder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .filter((entry) => readdirSync(join(studyFolder, entry.name)).some((name) => name.toLowerCase().endsWith('.dcm')))
      .map((entry) => entry.name);
  } catch (error) {
    return { problem: `${studyFolder} cannot be read (${(error as Error).message})` };
  }
  if (series.length === 0)
    return {
      problem: `${basename(studyFolder)} holds no series folders with .dcm files: choose a study folder, one level under test_images/ or train_images/`,
    };
  const imagesRoot = dirname(studyFolder);
  const csvName =
    basename(imagesRoot) === TEST_IMAGES_FOLDER
      ? TEST_SERIES_CSV
      : basename(imagesRoot) === DATASET_IMAGES_FOLDER
        ? SERIES_CSV
        : undefined;
  const csv = csvName === undefined ? undefined : join(dirname(imagesRoot), csvName);
  return {
    studyFolder,
    studyId: basename(studyFolder),
    imagesRoot,
    seriesDescriptions: csv !== undefined && existsSync(csv) ? csv : undefined,
  };
}

export interface RunTask {
  task: 'localizer' | 'classifier';
  condition: string;
}

/** A run folder's task and condition from its resolved experiment; undefined when it has none readable. */
export function runTaskOf(runDir: string): RunTask | undefined {
  let text: string;
  try {
    text = readFileSync(runPaths(runDir, '').resolvedExperiment, 'utf8');
  } catch {
    return undefined;
  }
  const resolved = lenientYamlMapping(text);
  const model = resolved?.model as { task?: unknown } | undefined;
  const data = resolved?.data as { condition?: unknown } | undefined;
  if (typeof data?.condition !== 'string') return undefined;
  return { task: model?.task === 'localizer' ? 'localizer' : 'classifier', condition: data.condition };
}

/** Of runs listed newest first, the newest of each task and condition: what predict needs, one of each. */
export function newestPerTask(runs: readonly { dir: string; task: RunTask }[]): Set<string> {
  const seen = new Set<string>();
  const chosen = new Set<string>();
  for (const { dir, task } of runs) {
    const key = `${task.task}/${task.condition}`;
    if (seen.has(key)) continue;
    seen.add(key);
    chosen.add(dir);
  }
  return chosen;
}

/** `radlab predict` for one study, writing the submission and the positions where Predict Study keeps them. */
export function predictArguments(runDirs: readonly string[], layout: StudyLayout, files: PredictionFiles): string[] {
  return [
    'predict',
    ...runDirs,
    layout.imagesRoot,
    '--study',
    layout.studyId,
    ...(layout.seriesDescriptions === undefined ? [] : ['--series-descriptions', layout.seriesDescriptions]),
    '--out',
    files.submission,
    '--positions',
    files.positions,
  ];
}

/** The lines of predict's error output a user should see: its warnings and the files it skipped. */
export function predictNotes(stderr: readonly string[]): { warnings: string[]; skipped: string[] } {
  return {
    warnings: stderr.filter((line) => line.startsWith('warning: ')).map((line) => line.slice('warning: '.length)),
    skipped: stderr.filter((line) => line.startsWith('skipped unreadable file ')),
  };
}

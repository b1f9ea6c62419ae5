// The decisions behind `RadLab: New Experiment` that do not need an editor: which names are acceptable, what the
// file is called, and how the new file refers to its dataset. Kept free of `vscode` so they are unit-tested.
import * as nodePath from 'node:path';
import { experimentNameNode } from '../../core/experiment/schema';

const EXPERIMENT_FILE_SUFFIX = '.experiment.yaml';

// Where the synthetic demo dataset is generated on the first run, relative to the experiment file.
export const SYNTHETIC_DATA_ROOT = 'data/synthetic-lsdc';

/**
 * Returns why `name` cannot name an experiment, or undefined when it can: the schema's rule for `name`, so the
 * command accepts exactly the names the file format accepts.
 */
export function experimentNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Enter a name for the experiment, e.g. canal-stenosis-baseline.';
  return experimentNameNode.pattern.test(name) ? undefined : `Use ${experimentNameNode.patternHint}.`;
}

export function experimentFileName(name: string): string {
  return `${name}${EXPERIMENT_FILE_SUFFIX}`;
}

export function isExperimentFileName(fileName: string): boolean {
  return fileName.endsWith(EXPERIMENT_FILE_SUFFIX) || fileName.endsWith('.experiment.yml');
}

function isInside(folder: string, candidate: string, path: nodePath.PlatformPath): boolean {
  const relative = path.relative(folder, candidate);
  return relative === '' || (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative));
}

/**
 * The `data.root` value the new experiment file should carry for `datasetFolder`. The language server and the
 * trainer resolve relative roots against the experiment file, so a dataset inside the workspace is written
 * relative to the file (the workspace can move or be cloned elsewhere and still work); a dataset outside the
 * workspace keeps its absolute path, since a relative path climbing out of the workspace would break on any
 * other machine just the same and is harder to read. Relative paths use '/' on every platform so the file is
 * portable.
 */
export function dataRootReference(
  experimentFile: string,
  datasetFolder: string,
  workspaceFolder: string | undefined,
  path: nodePath.PlatformPath = nodePath,
): string {
  const experimentFolder = path.dirname(experimentFile);
  if (
    workspaceFolder === undefined ||
    !isInside(workspaceFolder, datasetFolder, path) ||
    !isInside(workspaceFolder, experimentFile, path)
  ) {
    return path.normalize(datasetFolder);
  }
  const relative = path.relative(experimentFolder, datasetFolder);
  return relative === '' ? '.' : relative.split(path.sep).join('/');
}

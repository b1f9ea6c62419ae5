// The dataset folder an experiment file names (data.root, relative to the file), read without full validation
// so Preview Dataset works while other parts of the experiment are still being written.
import { resolveFromFile } from '../../core/experiment/checkFiles';
import { lenientYamlMapping } from '../runs/runFolders';

export function datasetRootOf(experimentFile: string, text: string): string | undefined {
  const data = lenientYamlMapping(text)?.data;
  const root = typeof data === 'object' && data !== null ? (data as { root?: unknown }).root : undefined;
  return typeof root === 'string' && root !== '' ? resolveFromFile(experimentFile, root) : undefined;
}

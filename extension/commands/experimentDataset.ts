// The dataset folder an experiment file names (data.root, relative to the file), read without full validation
// so Preview Dataset works while other parts of the experiment are still being written.
import { parse as parseYaml } from 'yaml';
import { resolveFromFile } from '../../core/experiment/checkFiles';

export function datasetRootOf(experimentFile: string, text: string): string | undefined {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch {
    return undefined;
  }
  const data = typeof document === 'object' && document !== null ? (document as { data?: unknown }).data : undefined;
  const root = typeof data === 'object' && data !== null ? (data as { root?: unknown }).root : undefined;
  return typeof root === 'string' && root !== '' ? resolveFromFile(experimentFile, root) : undefined;
}

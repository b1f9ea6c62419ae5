import { join } from 'node:path';
import { DATASET_FILES, DATASET_IMAGES_FOLDER } from '../data/lsdcVocabulary';
import { backbonesOf } from './checkRules';
import { resolveFromFile } from './checkFiles';
import { fieldAt } from './fieldAt';
import { parseExperiment, type ParsedExperiment } from './parse';

/**
 * Absolute paths whose appearance, change or removal can change the experiment's diagnostics, so an editor
 * knows what to watch: the dataset folder and its files, and the pretrained weights.
 */
export function referencedPaths(text: string, filePath: string): string[] {
  try {
    return referencedPathsOf(parseExperiment(text), filePath);
  } catch {
    return [];
  }
}

/** referencedPaths for an already parsed text. */
export function referencedPathsOf(parsed: ParsedExperiment, filePath: string): string[] {
  const paths: string[] = [];
  const root = fieldAt(parsed, ['data', 'root']).value;
  if (typeof root === 'string') {
    const folder = resolveFromFile(filePath, root);
    paths.push(folder, ...DATASET_FILES.map((file) => join(folder, file)), join(folder, DATASET_IMAGES_FOLDER));
  }
  const pretrained = fieldAt(parsed, ['model', 'pretrained']).value;
  if (typeof pretrained === 'string' && pretrained !== 'none') {
    const target = resolveFromFile(filePath, pretrained);
    paths.push(
      target,
      ...backbonesOf(parsed).flatMap((b) => [join(target, `${b}.pth`), join(target, `${b}.safetensors`)]),
    );
  } else if (pretrained !== null && typeof pretrained === 'object' && !Array.isArray(pretrained)) {
    for (const file of Object.values(pretrained)) {
      if (typeof file === 'string') paths.push(resolveFromFile(filePath, file));
    }
  }
  return [...new Set(paths)];
}

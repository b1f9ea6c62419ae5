// The checks that look at the disk: paths that must exist, the dataset folder's RSNA layout and the
// condition's columns in train.csv. Paths are relative to the experiment file, as a user writes them.
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { DATASET_FILES, DATASET_IMAGES_FOLDER, gradeColumn, LEVELS, type Level } from '../data/lsdcVocabulary';
import type { PathValue } from './checkStructure';
import { conditionsOf } from './conditions';
import { fieldAt } from './fieldAt';
import type { ParsedExperiment } from './parse';
import type { ExperimentDiagnostic, QuickFix, Range } from './positions';

export function resolveFromFile(experimentFile: string, value: string): string {
  return resolve(dirname(experimentFile), value);
}

function kindOnDisk(path: string): 'file' | 'folder' | 'missing' {
  try {
    return statSync(path).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

/** Absolute paths of the dataset folders a data.root fix may point at (the language server's workspace search). */
export type DatasetFolders = () => readonly string[];

export function checkPaths(
  parsed: ParsedExperiment,
  paths: PathValue[],
  experimentFile: string,
  datasetFolders?: DatasetFolders,
): ExperimentDiagnostic[] {
  const diagnostics: ExperimentDiagnostic[] = [];
  const willSynthesize = fieldAt(parsed, ['data', 'synthetic']).present;
  for (const path of paths) {
    const absolute = resolveFromFile(experimentFile, path.value);
    const onDisk = kindOnDisk(absolute);
    const error = (
      code: ExperimentDiagnostic['code'],
      message: string,
      severity: ExperimentDiagnostic['severity'] = 'error',
    ) => diagnostics.push({ range: path.range, severity, code, message, fixes: [] });
    if (
      path.node.extensions &&
      onDisk !== 'folder' &&
      !path.node.extensions.includes(extname(absolute).toLowerCase())
    ) {
      error(
        'wrong-type',
        `${path.field}: '${path.value}' must be a ${path.node.extensions.join(' or ')} file${path.node.target === 'file-or-folder' ? ' or a folder' : ''}.`,
      );
      continue;
    }
    if (onDisk === 'missing') {
      if (!path.node.mustExist) continue;
      if (path.field === 'data.root' && willSynthesize) continue;
      const hint =
        path.field === 'data.root'
          ? ' Point it at an RSNA LSDC folder, or add a data.synthetic block to generate a synthetic dataset there.'
          : '';
      error('path-missing', `${path.field}: '${path.value}' does not exist (looked for ${absolute}).${hint}`);
      if (path.field === 'data.root') {
        diagnostics
          .at(-1)!
          .fixes.push(
            ...datasetFolderFixes(path.range, experimentFile, datasetFolders?.() ?? []),
            ...syntheticBlockFix(parsed),
          );
      }
      continue;
    }
    if (path.node.target === 'folder' && onDisk !== 'folder') {
      error('wrong-type', `${path.field}: '${path.value}' is a file, but a folder is needed.`);
    } else if (path.node.target === 'file' && onDisk !== 'file') {
      error('wrong-type', `${path.field}: '${path.value}' is a folder, but a file is needed.`);
    }
  }
  return diagnostics;
}

/** A path as a YAML plain scalar where it reads as one unchanged, else double-quoted (JSON strings are valid YAML). */
function yamlPath(path: string): string {
  return /^[\w./-]+$/.test(path) && !path.startsWith('-') ? path : JSON.stringify(path);
}

/** One fix per dataset folder found: data.root set to it, written relative to the experiment file. */
function datasetFolderFixes(range: Range, experimentFile: string, folders: readonly string[]): QuickFix[] {
  return folders.map((folder) => {
    const path = relative(dirname(experimentFile), folder).split(sep).join('/') || '.';
    return { title: `Use dataset folder ${path}`, edit: { range, newText: yamlPath(path) } };
  });
}

/**
 * For a data.root that does not exist: a `synthetic: {}` line under it (every setting at its default), so the first
 * run generates a synthetic dataset there. Offered only when `root:` starts its own line (block style), where a new
 * line at the same indent is a sibling key.
 */
function syntheticBlockFix(parsed: ParsedExperiment): QuickFix[] {
  const root = fieldAt(parsed, ['data', 'root']);
  if (!root.keyRange || !root.range) return [];
  const line = parsed.text.split(/\r?\n/)[root.keyRange.start.line] ?? '';
  const indent = line.slice(0, root.keyRange.start.character);
  if (indent.trim() !== '' || root.range.end.line !== root.keyRange.start.line) return [];
  const end = { line: root.keyRange.start.line, character: line.length };
  return [
    {
      title: 'Generate a synthetic dataset there on the first run (add data.synthetic)',
      edit: { range: { start: end, end }, newText: `\n${indent}synthetic: {}` },
    },
  ];
}

/** Weights folders must hold one file per backbone of the sweep, named after the backbone. */
export function checkWeightsFolder(
  parsed: ParsedExperiment,
  experimentFile: string,
  backbones: string[],
): ExperimentDiagnostic[] {
  const pretrained = fieldAt(parsed, ['model', 'pretrained']);
  if (typeof pretrained.value !== 'string' || pretrained.value === 'none' || pretrained.value === 'imagenet') return [];
  if (!pretrained.range) return [];
  const folder = resolveFromFile(experimentFile, pretrained.value);
  if (kindOnDisk(folder) !== 'folder') return [];
  const entries = new Set(readdirSync(folder));
  const missing = backbones.filter((b) => !entries.has(`${b}.pth`) && !entries.has(`${b}.safetensors`));
  if (missing.length === 0) return [];
  return [
    {
      range: pretrained.range,
      severity: 'error',
      code: 'path-missing',
      message: `model.pretrained: the folder '${pretrained.value}' has no weights for ${missing.join(', ')} (expected ${missing.map((b) => `${b}.pth or ${b}.safetensors`).join('; ')}).`,
      fixes: [],
    },
  ];
}

/** The first line of a CSV, read without loading the file (train.csv can be large). */
function readHeader(file: string): string[] {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const length = readSync(fd, buffer, 0, buffer.length, 0);
    const firstLine = buffer.subarray(0, length).toString('utf8').split(/\r?\n/, 1)[0] ?? '';
    return firstLine.split(',').map((cell) => cell.trim().replace(/^"|"$/g, ''));
  } finally {
    closeSync(fd);
  }
}

export function checkDataset(
  parsed: ParsedExperiment,
  experimentFile: string,
  datasetFolders?: DatasetFolders,
): ExperimentDiagnostic[] {
  const root = fieldAt(parsed, ['data', 'root']);
  if (typeof root.value !== 'string' || !root.range) return [];
  const folder = resolveFromFile(experimentFile, root.value);
  if (kindOnDisk(folder) !== 'folder') return [];
  const diagnostics: ExperimentDiagnostic[] = [];
  const missing = [
    ...DATASET_FILES.filter((file) => kindOnDisk(join(folder, file)) !== 'file'),
    ...(kindOnDisk(join(folder, DATASET_IMAGES_FOLDER)) === 'folder' ? [] : [`${DATASET_IMAGES_FOLDER}/`]),
  ];
  if (missing.length > 0) {
    diagnostics.push({
      range: root.range,
      severity: 'error',
      code: 'dataset-incomplete',
      message: `data.root '${root.value}' is not an RSNA LSDC dataset: it lacks ${missing.join(', ')}.`,
      fixes: datasetFolderFixes(
        root.range,
        experimentFile,
        (datasetFolders?.() ?? []).filter((found) => found !== folder),
      ),
    });
  }
  const trainCsv = join(folder, 'train.csv');
  const condition = fieldAt(parsed, ['data', 'condition']);
  const conditions = conditionsOf(condition.value);
  if (conditions.length === 0 || !existsSync(trainCsv)) return diagnostics;
  const levels = fieldAt(parsed, ['data', 'levels']);
  const wanted = (Array.isArray(levels.value) ? levels.value : LEVELS).filter((l): l is Level =>
    (LEVELS as readonly string[]).includes(String(l)),
  );
  const header = new Set(readHeader(trainCsv));
  for (const graded of conditions) {
    const absent = wanted.filter((level) => !header.has(gradeColumn(graded, level)));
    if (absent.length > 0) {
      diagnostics.push({
        range: condition.range ?? root.range,
        severity: 'error',
        code: 'condition-missing',
        message: `train.csv in '${root.value}' has no column for ${graded} at ${absent.join(', ')} (expected ${absent.map((l) => gradeColumn(graded, l)).join(', ')}).`,
        fixes: [],
      });
    }
  }
  return diagnostics;
}

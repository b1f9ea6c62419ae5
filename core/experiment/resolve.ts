// Turns a valid experiment file into the fully specified runs the trainer executes: every default filled in
// from the schema, paths made absolute (relative to the experiment file) and the sweep expanded: one run per
// backbone, per condition (data.condition as a list or `all`) and per test fold (data.split.folds ≥ 2).
import { join } from 'node:path';
import { isMap } from 'yaml';
import { resolveFromFile } from './checkFiles';
import { conditionsOf, isSidedCondition } from './conditions';
import { parseExperiment } from './parse';
import type { ExperimentDiagnostic } from './positions';
import type { ResolvedRun } from './resolvedRun';
import { experimentSchema } from './schema';
import { objectOf, type ObjectNode, type SchemaNode } from './schemaNodes';
import { validateParsed } from './validate';

type Plain = Record<string, unknown>;

function isPlainObject(value: unknown): value is Plain {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** Fills absent keys from the schema's defaults, recursively; given values are kept as written. */
export function withDefaults(node: SchemaNode, value: unknown): unknown {
  const object = isPlainObject(value) || value === undefined || value === null ? objectOf(node) : undefined;
  if (!object || (node.kind === 'oneOf' && !isPlainObject(value))) return value;
  const given = isPlainObject(value) ? value : {};
  const result: Plain = {};
  for (const [key, field] of Object.entries(object.fields)) {
    if (given[key] !== undefined && given[key] !== null) {
      result[key] = withDefaults(field.node, given[key]);
    } else if (field.node.kind === 'object' && !field.enables) {
      result[key] = withDefaults(field.node, {});
    } else if (field.default !== undefined) {
      result[key] = structuredClone(field.default);
    }
  }
  return result;
}

export type ResolveResult =
  | { ok: true; runs: ResolvedRun[]; diagnostics: ExperimentDiagnostic[] }
  | { ok: false; diagnostics: ExperimentDiagnostic[] };

function resolvePretrained(pretrained: unknown, backbone: string, experimentFile: string): string | null {
  if (pretrained === 'none' || pretrained === undefined) return null;
  if (pretrained === 'imagenet') return 'imagenet';
  if (typeof pretrained === 'string') return resolveFromFile(experimentFile, pretrained);
  if (isPlainObject(pretrained) && typeof pretrained[backbone] === 'string') {
    return resolveFromFile(experimentFile, pretrained[backbone] as string);
  }
  return null;
}

/** Validates, then resolves. An experiment with any error resolves to nothing: nothing may start from it. */
export function resolveExperiment(
  text: string,
  experimentFile: string,
  options = { checkDataset: true },
): ResolveResult {
  const parsed = parseExperiment(text);
  const diagnostics = validateParsed(parsed, { filePath: experimentFile, checkDataset: options.checkDataset });
  if (diagnostics.some((d) => d.severity === 'error')) return { ok: false, diagnostics };
  const contents = parsed.document?.contents;
  const raw = isMap(contents) ? (contents.toJSON() as Plain) : {};
  const full = withDefaults(experimentSchema as ObjectNode, raw) as Plain;
  const model = full.model as Plain;
  if (model.weights_cache !== '') model.weights_cache = resolveFromFile(experimentFile, model.weights_cache as string);
  const data = full.data as Plain;
  const backbones = Array.isArray(model.backbones) ? (model.backbones as string[]) : [model.backbones as string];
  const conditions = conditionsOf(data.condition);
  const split = data.split as Omit<ResolvedRun['data']['split'], 'fold'> & { fold?: number | number[] };
  const folds: (number | null)[] =
    split.folds < 2
      ? [null]
      : split.fold === undefined
        ? Array.from({ length: split.folds }, (_, i) => i)
        : Array.isArray(split.fold)
          ? split.fold
          : [split.fold];
  const members = backbones.flatMap((backbone) =>
    conditions.flatMap((condition) => folds.map((fold) => ({ backbone, condition, fold }))),
  );
  const { backbones: _list, pretrained, ...modelRest } = model;
  const flipAsked = isMap(contents) && contents.hasIn(['train', 'augment', 'hflip']);
  const runs = members.map(({ backbone, condition, fold }, index): ResolvedRun => ({
    ...(full as unknown as Omit<
      ResolvedRun,
      'model' | 'data' | 'output' | 'experimentFile' | 'sweepIndex' | 'sweepSize' | 'memberName'
    >),
    experimentFile,
    sweepIndex: index,
    sweepSize: members.length,
    memberName: [
      backbone,
      ...(conditions.length > 1 ? [condition] : []),
      ...(fold === null ? [] : [`fold${fold}`]),
    ].join('-'),
    data: {
      ...(data as unknown as ResolvedRun['data']),
      root: resolveFromFile(experimentFile, data.root as string),
      condition,
      split: { ...split, fold },
    },
    model: {
      ...(modelRest as unknown as Omit<ResolvedRun['model'], 'backbone' | 'pretrained'>),
      backbone,
      pretrained: resolvePretrained(pretrained, backbone, experimentFile),
    },
    // The default flip would show a sided condition's other side under its label (validation refuses an
    // explicit one), so those members train without it.
    train:
      isSidedCondition(condition) && !flipAsked
        ? withoutFlip(full.train as unknown as ResolvedRun['train'])
        : (full.train as unknown as ResolvedRun['train']),
    output: join(resolveFromFile(experimentFile, full.output as string), full.name as string),
  }));
  return { ok: true, runs, diagnostics };
}

function withoutFlip(train: ResolvedRun['train']): ResolvedRun['train'] {
  return { ...train, augment: { ...train.augment, hflip: 0 } };
}

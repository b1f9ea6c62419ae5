// Checks a parsed experiment against the schema: keys, types, enums, ranges, required keys and list rules.
// Pure: it touches no files. Path values are collected for the file checks that follow (checkFiles.ts).
import { isMap, isScalar, isSeq, type Node, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { didYouMean } from './didYouMean';
import { keyName, nodeRange, rangeOf, type ParsedExperiment } from './parse';
import type { ExperimentDiagnostic, QuickFix, Range } from './positions';
import {
  describeBounds,
  describeNode,
  shapesOf,
  type EnumNode,
  type ListNode,
  type MapNode,
  type NumberNode,
  type ObjectNode,
  type OneOfNode,
  type PathNode,
  type SchemaNode,
  type ValueShape,
} from './schemaNodes';

export interface PathValue {
  value: string;
  node: PathNode;
  range: Range;
  /** Dotted field path, e.g. `data.root` or `model.pretrained.resnet18`. */
  field: string;
}

export interface StructureResult {
  diagnostics: ExperimentDiagnostic[];
  paths: PathValue[];
}

interface Walk {
  parsed: ParsedExperiment;
  diagnostics: ExperimentDiagnostic[];
  paths: PathValue[];
}

export function checkStructure(parsed: ParsedExperiment, schema: ObjectNode): StructureResult {
  const walk: Walk = { parsed, diagnostics: [], paths: [] };
  const contents = parsed.document?.contents ?? null;
  const firstLine: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: lineLength(parsed, 0) } };
  checkNode(walk, contents as Node | null, schema, [], firstLine);
  return walk;
}

function lineLength(parsed: ParsedExperiment, line: number): number {
  const start = parsed.lines.lineStarts[line] ?? 0;
  const next = parsed.text.indexOf('\n', start);
  return (next === -1 ? parsed.text.length : next) - start;
}

function report(
  walk: Walk,
  diagnostic: Omit<ExperimentDiagnostic, 'severity' | 'fixes'> & Partial<ExperimentDiagnostic>,
): void {
  walk.diagnostics.push({ severity: 'error', fixes: [], ...diagnostic });
}

function shapeOf(node: Node | null): ValueShape | 'null' | 'other' {
  if (node === null || node === undefined) return 'null';
  if (isMap(node)) return 'mapping';
  if (isSeq(node)) return 'list';
  if (isScalar(node)) {
    const value = node.value;
    if (value === null || value === undefined) return 'null';
    if (typeof value === 'number') return 'number';
    if (typeof value === 'boolean') return 'boolean';
    if (typeof value === 'string') return 'string';
  }
  return 'other';
}

/** The range to underline for a value; empty values underline their key instead. */
function valueRange(walk: Walk, node: Node | null, anchor: Range): Range {
  const range = node ? nodeRange(walk.parsed, node) : undefined;
  if (!range || (range.start.line === range.end.line && range.start.character === range.end.character)) return anchor;
  return range;
}

/** A number written in quotes ("1e-4") is a string to YAML: the fix drops the quotes when what is inside reads as one. */
function quotedNumberFix(node: Scalar, range: Range): QuickFix[] {
  const text = String(node.value).trim();
  if (text === '' || !Number.isFinite(Number(text))) return [];
  return [{ title: `Write ${text} as a number`, edit: { range, newText: text } }];
}

function label(path: readonly string[]): string {
  return path.length === 0 ? 'the experiment' : path.join('.');
}

function checkNode(walk: Walk, node: Node | null, schema: SchemaNode, path: string[], anchor: Range): void {
  const shape = shapeOf(node);
  if (schema.kind === 'oneOf') {
    checkOneOf(walk, node, schema, path, anchor, shape);
    return;
  }
  if (shape === 'null' && schema.kind === 'object') {
    checkMissingRequired(walk, schema, new Set(), path, anchor);
    return;
  }
  if (!shapesOf(schema).includes(shape as ValueShape)) {
    const got = shape === 'null' ? 'nothing' : shape === 'other' ? 'an unsupported YAML value' : `a ${shape}`;
    const range = valueRange(walk, node, anchor);
    report(walk, {
      range,
      code: 'wrong-type',
      message: `${label(path)} must be ${describeNode(schema)}, but got ${got}.`,
      fixes: schema.kind === 'number' && shape === 'string' ? quotedNumberFix(node as Scalar, range) : [],
    });
    return;
  }
  switch (schema.kind) {
    case 'object':
      checkObject(walk, node as Node, schema, path, anchor);
      return;
    case 'map':
      checkMap(walk, node as Node, schema, path);
      return;
    case 'list':
      checkList(walk, node as Node, schema, path, anchor);
      return;
    case 'enum':
      checkEnum(walk, node as Node, schema, path, anchor);
      return;
    case 'number':
      checkNumber(walk, node as Node, schema, path, anchor);
      return;
    case 'string':
      checkString(walk, node as Node, schema.pattern, schema.patternHint, path, anchor);
      return;
    case 'path':
      walk.paths.push({
        value: String((node as Node & { value: unknown }).value),
        node: schema,
        range: valueRange(walk, node, anchor),
        field: path.join('.'),
      });
      return;
    case 'boolean':
      return;
  }
}

function checkOneOf(
  walk: Walk,
  node: Node | null,
  schema: OneOfNode,
  path: string[],
  anchor: Range,
  shape: string,
): void {
  const candidates = schema.options.filter((option) => shapesOf(option).includes(shape as ValueShape));
  if (candidates.length === 0) {
    const got = shape === 'null' ? 'nothing' : `a ${shape}`;
    report(walk, {
      range: valueRange(walk, node, anchor),
      code: 'wrong-type',
      message: `${label(path)} must be ${describeNode(schema)}, but got ${got}.`,
    });
    return;
  }
  // The first option that accepts the value wins; when none does, the first candidate's complaints are the
  // most useful (options are ordered from the most specific, e.g. an enum, to the most general, e.g. a path).
  const attempts = candidates.map((option) => {
    const trial: Walk = { parsed: walk.parsed, diagnostics: [], paths: [] };
    checkNode(trial, node, option, path, anchor);
    return trial;
  });
  const chosen = attempts.find((trial) => trial.diagnostics.length === 0) ?? attempts[0]!;
  walk.diagnostics.push(...chosen.diagnostics);
  walk.paths.push(...chosen.paths);
}

function checkObject(walk: Walk, node: Node, schema: ObjectNode, path: string[], anchor: Range): void {
  if (!isMap(node)) return;
  const pairs = node.items as Pair[];
  const present = new Set(pairs.map(keyName).filter((key) => key !== undefined));
  for (const pair of pairs) {
    const key = keyName(pair);
    const keyRange = nodeRange(walk.parsed, pair) ?? anchor;
    if (key === undefined) {
      report(walk, { range: keyRange, code: 'wrong-type', message: `Keys in ${label(path)} must be plain names.` });
      continue;
    }
    const field = schema.fields[key];
    const fixed = schema.fixedKeys?.[key];
    if (!field && fixed !== undefined) {
      report(walk, {
        range: keyRange,
        severity: 'warning',
        code: 'unknown-key',
        message: `${label([...path, key])} is not an option (${fixed}); delete it.`,
        fixes: [{ title: `Delete '${key}'`, edit: { range: pairDeletion(walk.parsed, node, pair), newText: '' } }],
      });
      continue;
    }
    if (!field) {
      reportUnknownKey(walk, key, keyRange, namesFor(schema, present), path);
      continue;
    }
    checkNode(walk, pair.value as Node | null, field.node, [...path, key], keyRange);
  }
  checkMissingRequired(walk, schema, present, path, anchor);
}

/**
 * The text to delete to remove one key and its value from a mapping, leaving the rest well formed: in a block
 * mapping its whole lines; in a flow mapping ({ a: 1, b: 2 }) the pair with the comma that separates it.
 */
function pairDeletion(parsed: ParsedExperiment, map: YAMLMap, pair: Pair): Range {
  const start = (pair.key as Node).range![0];
  const end = ((pair.value as Node | null)?.range ?? (pair.key as Node).range!)[1];
  if (!map.flow) {
    const lineStart = parsed.text.lastIndexOf('\n', start - 1) + 1;
    const newline = parsed.text.indexOf('\n', end);
    return rangeOf(parsed, lineStart, newline === -1 ? parsed.text.length : newline + 1);
  }
  const items = map.items as Pair[];
  const index = items.indexOf(pair);
  const next = items[index + 1];
  if (next !== undefined) return rangeOf(parsed, start, (next.key as Node).range![0]);
  const previous = items[index - 1];
  if (previous === undefined) return rangeOf(parsed, start, end);
  return rangeOf(parsed, ((previous.value as Node | null)?.range ?? (previous.key as Node).range!)[1], end);
}

/** Keys not yet written in this mapping, each with the aliases that lead to it. */
function namesFor(schema: ObjectNode, present: Set<string>): Map<string, string> {
  const names = new Map<string, string>();
  for (const [key, field] of Object.entries(schema.fields)) {
    if (present.has(key)) continue;
    names.set(key, key);
    for (const alias of field.aliases ?? []) names.set(alias, key);
  }
  return names;
}

function reportUnknownKey(walk: Walk, key: string, range: Range, names: Map<string, string>, path: string[]): void {
  const candidates = [...new Set(names.values())];
  const match = didYouMean(key, [...names.keys()]);
  const suggestion = match === undefined ? undefined : names.get(match);
  const fixes: QuickFix[] = suggestion
    ? [{ title: `Change '${key}' to '${suggestion}'`, edit: { range, newText: suggestion } }]
    : [];
  const known = candidates.length > 0 ? ` Known keys: ${candidates.join(', ')}.` : '';
  report(walk, {
    range,
    code: 'unknown-key',
    message: `Unknown key '${key}' in ${label(path)}.${suggestion ? ` Did you mean '${suggestion}'?` : known}`,
    fixes,
  });
}

function checkMissingRequired(
  walk: Walk,
  schema: ObjectNode,
  present: Set<string>,
  path: string[],
  anchor: Range,
): void {
  for (const [key, field] of Object.entries(schema.fields)) {
    if (!field.required || present.has(key)) continue;
    const hint = field.example !== undefined ? ` For example: ${key}: ${JSON.stringify(field.example)}` : '';
    report(walk, {
      range: anchor,
      code: 'missing-required',
      message: `${label(path)} is missing the required key '${key}' (${field.description})${hint}`,
    });
  }
}

function checkMap(walk: Walk, node: Node, schema: MapNode, path: string[]): void {
  if (!isMap(node)) return;
  for (const pair of node.items as Pair[]) {
    const key = keyName(pair);
    const keyRange = nodeRange(walk.parsed, pair);
    if (key === undefined || keyRange === undefined) continue;
    if (!schema.keys.values.includes(key)) {
      reportUnknownKey(walk, key, keyRange, new Map(schema.keys.values.map((v) => [v, v])), path);
      continue;
    }
    checkNode(walk, pair.value as Node | null, schema.values, [...path, key], keyRange);
  }
}

function checkList(walk: Walk, node: Node, schema: ListNode, path: string[], anchor: Range): void {
  if (!isSeq(node)) return;
  const items = node.items as Node[];
  const range = valueRange(walk, node, anchor);
  if (schema.minItems !== undefined && items.length < schema.minItems) {
    report(walk, { range, code: 'out-of-range', message: `${label(path)} needs at least ${schema.minItems} item(s).` });
  }
  if (schema.length !== undefined && items.length !== schema.length) {
    report(walk, {
      range,
      code: 'out-of-range',
      message: `${label(path)} needs exactly ${schema.length} items, but has ${items.length}.`,
    });
  }
  const seen = new Set<string>();
  items.forEach((item, index) => {
    const itemPath = [...path.slice(0, -1), `${path[path.length - 1] ?? ''}[${index}]`];
    checkNode(walk, item, schema.items, itemPath, range);
    if (schema.unique && isScalar(item)) {
      const text = String(item.value);
      if (seen.has(text)) {
        report(walk, {
          range: valueRange(walk, item, range),
          code: 'duplicate-item',
          message: `'${text}' appears more than once in ${label(path)}.`,
        });
      }
      seen.add(text);
    }
  });
}

function checkEnum(walk: Walk, node: Node, schema: EnumNode, path: string[], anchor: Range): void {
  const value = String((node as Node & { value: unknown }).value);
  if (schema.values.includes(value)) return;
  const range = valueRange(walk, node, anchor);
  const suggestion = didYouMean(value, schema.values);
  const fixes: QuickFix[] = suggestion
    ? [{ title: `Change to '${suggestion}'`, edit: { range, newText: suggestion } }]
    : [];
  const listed = schema.values.length <= 16 ? ` Expected one of: ${schema.values.join(', ')}.` : '';
  report(walk, {
    range,
    code: 'bad-enum',
    message: `'${value}' is not a valid value for ${label(path)}.${suggestion ? ` Did you mean '${suggestion}'?` : ''}${listed}`,
    fixes,
  });
}

function checkNumber(walk: Walk, node: Node, schema: NumberNode, path: string[], anchor: Range): void {
  const value = (node as Node & { value: number }).value;
  const range = valueRange(walk, node, anchor);
  if (!Number.isFinite(value)) {
    report(walk, { range, code: 'out-of-range', message: `${label(path)} must be a finite number.` });
    return;
  }
  if (schema.integer && !Number.isInteger(value)) {
    report(walk, { range, code: 'wrong-type', message: `${label(path)} must be a whole number, but got ${value}.` });
    return;
  }
  const tooLow = schema.min !== undefined && (schema.exclusiveMin ? value <= schema.min : value < schema.min);
  const tooHigh = schema.max !== undefined && (schema.exclusiveMax ? value >= schema.max : value > schema.max);
  if (tooLow || tooHigh) {
    report(walk, {
      range,
      code: 'out-of-range',
      message: `${label(path)} is ${value}, outside its range${describeBounds(schema)}.`,
    });
  }
}

function checkString(
  walk: Walk,
  node: Node,
  pattern: RegExp | undefined,
  hint: string | undefined,
  path: string[],
  anchor: Range,
): void {
  const value = String((node as Node & { value: unknown }).value);
  if (pattern && !pattern.test(value)) {
    report(walk, {
      range: valueRange(walk, node, anchor),
      code: 'wrong-type',
      message: `${label(path)} '${value}' must use ${hint ?? `the pattern ${pattern.source}`}.`,
    });
  }
}

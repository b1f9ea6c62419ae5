// Completion for experiment files. The document is usually half-typed and invalid while completing, so the
// context (which mapping the cursor is in, whether a key or a value is being typed) is read from indentation
// and the current line rather than from the YAML tree.
import { readdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { backboneFacts, BACKBONE_NAMES } from '../models/registry';
import { formatCount } from './format';
import type { CompletionEntry, Position, Range } from './positions';
import { nodeForPath } from './schemaLookup';
import {
  enumValuesOf,
  objectOf,
  pathNodeOf,
  type EnumNode,
  type FieldSpec,
  type PathNode,
  type SchemaNode,
} from './schemaNodes';

interface LineShape {
  indent: number;
  key?: string;
  isListItem: boolean;
}

const KEY_LINE = /^(\s*)(-\s+)?([A-Za-z_][\w.-]*)\s*:(\s|$)/;

function shapeOfLine(line: string): LineShape | undefined {
  if (/^\s*(#.*)?$/.test(line)) return undefined;
  const indent = line.length - line.trimStart().length;
  const match = KEY_LINE.exec(line);
  return { indent, key: match?.[3], isListItem: /^\s*-(\s|$)/.test(line) };
}

/** Keys of the mappings enclosing a line with the given indentation, outermost first. */
function enclosingKeys(lines: string[], lineIndex: number, indent: number): string[] {
  const keys: string[] = [];
  let limit = indent;
  for (let i = lineIndex - 1; i >= 0 && limit > 0; i--) {
    const shape = shapeOfLine(lines[i]!);
    if (!shape || shape.indent >= limit) continue;
    if (shape.key && !shape.isListItem) keys.unshift(shape.key);
    limit = shape.indent;
  }
  return keys;
}

/** Keys already written in the mapping that holds `lineIndex`, so completion offers only the rest. */
function siblingKeys(lines: string[], lineIndex: number, indent: number): Set<string> {
  const keys = new Set<string>();
  for (const direction of [-1, 1]) {
    for (let i = lineIndex + direction; i >= 0 && i < lines.length; i += direction) {
      const shape = shapeOfLine(lines[i]!);
      if (!shape) continue;
      if (shape.indent < indent) break;
      if (shape.indent === indent && shape.key) keys.add(shape.key);
    }
  }
  return keys;
}

function wordRange(line: number, start: number, end: number): Range {
  return { start: { line, character: start }, end: { line, character: end } };
}

function keyEntries(
  object: SchemaNode | undefined,
  present: Set<string>,
  indent: number,
  range: Range,
): CompletionEntry[] {
  const fields = objectOf(object ?? { kind: 'boolean' })?.fields ?? {};
  return Object.entries(fields)
    .filter(([key]) => !present.has(key))
    .map(([key, field]) => ({
      label: key,
      kind: 'key' as const,
      detail: fieldDetail(field),
      documentation: field.description,
      insertText: field.node.kind === 'object' ? `${key}:\n${' '.repeat(indent + 2)}` : `${key}: `,
      range,
    }));
}

function fieldDetail(field: FieldSpec): string {
  const required = field.required
    ? 'required'
    : field.default !== undefined
      ? `default ${JSON.stringify(field.default)}`
      : 'optional';
  return `${field.node.kind === 'oneOf' ? 'value' : field.node.kind} · ${required}`;
}

function valueDocs(node: SchemaNode): Record<string, string> {
  if (node.kind === 'enum') return { ...node.valueDocs };
  if (node.kind === 'list') return valueDocs(node.items);
  if (node.kind === 'oneOf') return Object.assign({}, ...node.options.map(valueDocs));
  return {};
}

function valueEntries(node: SchemaNode, range: Range): CompletionEntry[] {
  const docs = valueDocs(node);
  return enumValuesOf(node).map((value) => {
    const facts = (BACKBONE_NAMES as readonly string[]).includes(value) ? backboneFacts(value) : undefined;
    return {
      label: value,
      kind: 'value' as const,
      detail: facts ? `${facts.description} · ${formatCount(facts.params)} params · ${facts.inputSize}px` : docs[value],
      // A value's meaning is its detail already; the editor would show the same sentence again below it.
      documentation: facts
        ? `Features: ${facts.featureWidth}, ${facts.gflops} GFLOPs at ${facts.inputSize}×${facts.inputSize}`
        : undefined,
      insertText: value,
      range,
    };
  });
}

function pathEntries(
  node: PathNode,
  typed: string,
  filePath: string,
  line: number,
  typedStart: number,
): CompletionEntry[] {
  const slash = typed.lastIndexOf('/');
  const folderPart = slash === -1 ? '' : typed.slice(0, slash + 1);
  const prefix = typed.slice(slash + 1);
  const folder = resolve(dirname(filePath), folderPart || '.');
  let entries;
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
  const range = wordRange(line, typedStart + folderPart.length, typedStart + typed.length);
  return entries
    .filter((entry) => entry.name.startsWith(prefix) && (prefix.startsWith('.') || !entry.name.startsWith('.')))
    .filter((entry) => entry.isDirectory() || node.target !== 'folder')
    .filter(
      (entry) => entry.isDirectory() || !node.extensions || node.extensions.some((ext) => entry.name.endsWith(ext)),
    )
    .map((entry) => ({
      label: entry.isDirectory() ? `${entry.name}/` : entry.name,
      kind: entry.isDirectory() ? ('folder' as const) : ('file' as const),
      insertText: entry.isDirectory() ? `${entry.name}/` : entry.name,
      range,
    }));
}

function completeValue(
  node: SchemaNode,
  typed: string,
  filePath: string,
  line: number,
  typedStart: number,
): CompletionEntry[] {
  const range = wordRange(line, typedStart, typedStart + typed.length);
  const values = valueEntries(node, range).filter((entry) => entry.label.startsWith(typed) || typed === '');
  const path = pathNodeOf(node);
  return path ? [...values, ...pathEntries(path, typed, filePath, line, typedStart)] : values;
}

export function completeExperiment(text: string, position: Position, filePath: string): CompletionEntry[] {
  const lines = text.split(/\r?\n/);
  const line = lines[position.line] ?? '';
  const before = line.slice(0, position.character);

  // Inside a flow list on the current line: `levels: [L1/L2, L`
  const flow = /^(\s*)(?:-\s+)?([A-Za-z_][\w.-]*)\s*:\s*\[(?:[^\]]*,)?\s*([^,\]\s]*)$/.exec(before);
  if (flow) {
    const path = [...enclosingKeys(lines, position.line, flow[1]!.length), flow[2]!];
    const node = nodeForPath(path);
    const typed = flow[3]!;
    return node
      ? completeValue(listItemsOf(node), typed, filePath, position.line, position.character - typed.length)
      : [];
  }

  // A value after `key: `
  const keyValue = /^(\s*)(?:-\s+)?([A-Za-z_][\w.-]*)\s*:\s+(["']?)([^#]*)$/.exec(before);
  if (keyValue) {
    const path = [...enclosingKeys(lines, position.line, keyValue[1]!.length), keyValue[2]!];
    const node = nodeForPath(path);
    const typed = keyValue[4]!;
    return node ? completeValue(node, typed, filePath, position.line, position.character - typed.length) : [];
  }

  // A block list item: `  - L`
  const listItem = /^(\s*)-\s+([^\s:#]*)$/.exec(before);
  if (listItem) {
    const path = enclosingKeys(lines, position.line, listItem[1]!.length + 1);
    const node = nodeForPath(path);
    const typed = listItem[2]!;
    return node
      ? completeValue(listItemsOf(node), typed, filePath, position.line, position.character - typed.length)
      : [];
  }

  // A key being typed: `  optim`
  const keyTyped = /^(\s*)([A-Za-z_][\w.-]*)?$/.exec(before);
  if (keyTyped) {
    const indent = keyTyped[1]!.length;
    const typed = keyTyped[2] ?? '';
    const path = enclosingKeys(lines, position.line, indent);
    const present = siblingKeys(lines, position.line, indent);
    const range = wordRange(position.line, indent, indent + typed.length);
    return keyEntries(nodeForPath(path), present, indent, range).filter((entry) => entry.label.startsWith(typed));
  }
  return [];
}

/** What one item of a list-valued field may be (for `levels`, a level; for `backbones`, a backbone). */
function listItemsOf(node: SchemaNode): SchemaNode {
  if (node.kind === 'list') return node.items;
  if (node.kind === 'oneOf') {
    const list = node.options.find((option) => option.kind === 'list');
    if (list?.kind === 'list') return list.items;
  }
  return node as EnumNode;
}

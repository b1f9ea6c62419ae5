// The vocabulary the experiment schema is written in. The schema itself (schema.ts) is the single source of
// truth for validation, completion, hover, the template, the resolved defaults and the README reference; these
// node kinds are deliberately few so every consumer can handle all of them.

export type SchemaNode =
  ObjectNode | StringNode | NumberNode | BooleanNode | EnumNode | ListNode | PathNode | MapNode | OneOfNode;

export interface FieldSpec {
  node: SchemaNode;
  /** One line, shown in hover, completion and as the template's comment. */
  description: string;
  /** Used when the key is absent. Absent and without default means the key stays unset. */
  default?: unknown;
  required?: boolean;
  /** Written into the template for required fields that have no default. */
  example?: unknown;
  /** Names people commonly write for this key (e.g. learning_rate for lr), offered as did-you-mean. */
  aliases?: readonly string[];
  /** An optional block whose presence switches a feature on: defaults fill it only when it is written. */
  enables?: boolean;
}

export interface ObjectNode {
  kind: 'object';
  fields: Readonly<Record<string, FieldSpec>>;
  /**
   * Keys that are not options because they could only ever have one value, each with why. A file that still
   * writes one gets a warning and a fix that deletes it, not an error: the key changes nothing.
   */
  fixedKeys?: Readonly<Record<string, string>>;
}

export interface StringNode {
  kind: 'string';
  pattern?: RegExp;
  /** Says in words what `pattern` accepts, for the error message. */
  patternHint?: string;
}

export interface NumberNode {
  kind: 'number';
  integer?: boolean;
  min?: number;
  max?: number;
  /** True when `min` itself is not allowed (a learning rate of 0 trains nothing). */
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
}

export interface BooleanNode {
  kind: 'boolean';
}

export interface EnumNode {
  kind: 'enum';
  values: readonly string[];
  /** A line per value, for completion details and hover. */
  valueDocs?: Readonly<Record<string, string>>;
}

export interface ListNode {
  kind: 'list';
  items: SchemaNode;
  minItems?: number;
  /** Exact length, e.g. one class weight per grade. */
  length?: number;
  unique?: boolean;
}

export interface PathNode {
  kind: 'path';
  target: 'file' | 'folder' | 'file-or-folder';
  /** False for outputs that are created when absent. */
  mustExist: boolean;
  extensions?: readonly string[];
}

/** A mapping whose keys come from an enum, e.g. one weights file per backbone. */
export interface MapNode {
  kind: 'map';
  keys: EnumNode;
  values: SchemaNode;
}

/** Alternatives told apart by the YAML shape of the value (scalar, list, mapping) and then tried in order. */
export interface OneOfNode {
  kind: 'oneOf';
  options: readonly SchemaNode[];
}

/** The YAML shape a node accepts, used to pick a `oneOf` option and to word type errors. */
export type ValueShape = 'string' | 'number' | 'boolean' | 'list' | 'mapping';

export function shapesOf(node: SchemaNode): ValueShape[] {
  switch (node.kind) {
    case 'object':
    case 'map':
      return ['mapping'];
    case 'list':
      return ['list'];
    case 'number':
      return ['number'];
    case 'boolean':
      return ['boolean'];
    case 'string':
    case 'enum':
    case 'path':
      return ['string'];
    case 'oneOf':
      return [...new Set(node.options.flatMap(shapesOf))];
  }
}

/** Words for a type error: "a number between 0 and 1", "one of adamw, sgd", "a list of levels". */
export function describeNode(node: SchemaNode): string {
  switch (node.kind) {
    case 'object':
      return 'a mapping of keys';
    case 'map':
      return `a mapping from ${node.keys.values.length > 4 ? 'a backbone name' : node.keys.values.join(' / ')} to ${describeNode(node.values)}`;
    case 'list':
      return node.length !== undefined
        ? `a list of ${node.length} × ${describeNode(node.items)}`
        : `a list of ${describeNode(node.items)}`;
    case 'number':
      return `${node.integer ? 'an integer' : 'a number'}${describeBounds(node)}`;
    case 'boolean':
      return 'true or false';
    case 'string':
      return node.patternHint ?? 'a string';
    case 'enum':
      return node.values.length > 8 ? `one of ${node.values.length} names` : `one of ${node.values.join(', ')}`;
    case 'path':
      return node.target === 'file'
        ? 'a file path'
        : node.target === 'folder'
          ? 'a folder path'
          : 'a file or folder path';
    case 'oneOf':
      return node.options.map(describeNode).join(', or ');
  }
}

export function describeBounds(node: NumberNode): string {
  const low = node.min === undefined ? '' : `${node.exclusiveMin ? '>' : '≥'} ${node.min}`;
  const high = node.max === undefined ? '' : `${node.exclusiveMax ? '<' : '≤'} ${node.max}`;
  if (low && high) return ` (${low} and ${high})`;
  if (low || high) return ` (${low || high})`;
  return '';
}

/** The node under a key path, looking through oneOf options for the object that has the key. */
export function childField(node: SchemaNode, key: string): FieldSpec | undefined {
  if (node.kind === 'object') return node.fields[key];
  if (node.kind === 'oneOf') {
    for (const option of node.options) {
      const found = childField(option, key);
      if (found) return found;
    }
  }
  return undefined;
}

/** The object node a mapping value is checked against (itself, or the mapping option of a oneOf). */
export function objectOf(node: SchemaNode): ObjectNode | undefined {
  if (node.kind === 'object') return node;
  if (node.kind === 'oneOf') return node.options.map(objectOf).find((o) => o !== undefined);
  return undefined;
}

/** Enum values a scalar position may take, including those inside oneOf and list items. */
export function enumValuesOf(node: SchemaNode): readonly string[] {
  switch (node.kind) {
    case 'enum':
      return node.values;
    case 'boolean':
      return ['true', 'false'];
    case 'list':
      return enumValuesOf(node.items);
    case 'oneOf':
      return [...new Set(node.options.flatMap(enumValuesOf))];
    default:
      return [];
  }
}

export function pathNodeOf(node: SchemaNode): PathNode | undefined {
  if (node.kind === 'path') return node;
  if (node.kind === 'oneOf') return node.options.map(pathNodeOf).find((p) => p !== undefined);
  if (node.kind === 'map') return pathNodeOf(node.values);
  return undefined;
}

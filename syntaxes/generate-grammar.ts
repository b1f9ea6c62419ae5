// Writes syntaxes/radlab-experiment.tmLanguage.json: a YAML grammar plus RadLab scopes for the keys, enum values
// and paths that the experiment schema defines. The key and value lists come from core/experiment/schema.ts, so
// the highlighting cannot drift from what the language server accepts; test/grammar checks that the committed
// JSON is exactly what this script produces.
//
// The YAML part is written here rather than taken from an existing grammar because RadLab's scopes depend on
// where a key sits (`name` is a section at the top, an optimizer field under train.optimizer), and TextMate can
// only know that if the YAML block structure itself is built from the schema's nesting: each known key opens a
// region that ends at the first line indented no deeper than the key (the key's indentation is captured in
// `begin` and back-referenced in `end`).
//
// Run: node --import tsx syntaxes/generate-grammar.ts
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { experimentSchema } from '../core/experiment/schema';
import { enumValuesOf, type ObjectNode, type SchemaNode } from '../core/experiment/schemaNodes';

export const GRAMMAR_PATH = join(__dirname, 'radlab-experiment.tmLanguage.json');

export const SCOPES = {
  section: 'entity.name.section.radlab-experiment',
  field: 'support.type.property-name.radlab-experiment',
  enumValue: 'constant.language.enum.radlab-experiment',
  path: 'string.unquoted.path.radlab-experiment',
  yamlKey: 'entity.name.tag.yaml',
} as const;

interface Captures {
  [group: string]: { name: string };
}

/** The subset of the TextMate rule format this grammar uses. */
export interface GrammarRule {
  include?: string;
  name?: string;
  contentName?: string;
  match?: string;
  begin?: string;
  end?: string;
  captures?: Captures;
  beginCaptures?: Captures;
  endCaptures?: Captures;
  patterns?: GrammarRule[];
}

export interface Grammar {
  information_for_contributors: string[];
  name: string;
  scopeName: string;
  fileTypes: string[];
  patterns: GrammarRule[];
  repository: Record<string, GrammarRule>;
}

/**
 * What the grammar needs to know about a key of the schema. Sibling keys whose values take the same words share
 * one entry (`train|val|test`), which keeps the grammar small: a `map` keyed by backbone names would otherwise
 * repeat its rules per backbone.
 */
interface GrammarField {
  keys: string[];
  /** Repository-safe id from the (first) key path, e.g. `data-input-mode`. */
  id: string;
  /** Known keys of a mapping value (object fields, or the enum keys of a `map`). */
  children: GrammarField[];
  /** Enum words the value (or each list item) may be. */
  enumValues: string[];
  /** The value (or a list item) is a file or folder path. */
  isPath: boolean;
}

type Flow = 'block' | 'flow';

// ---- YAML building blocks (YAML 1.2) ----

/** A scalar starts at the line start, after whitespace, or after a flow indicator. */
const SCALAR_START = String.raw`(?<=^|[\s\[{,])`;
/** A plain scalar ends before ` #` or at the line end; in flow context also before `,` `]` `}`. */
const SCALAR_END: Record<Flow, string> = {
  block: String.raw`(?=[ \t]+#|[ \t]*$)`,
  flow: String.raw`(?=[ \t]+#|[ \t]*(?:$|[,\]}]))`,
};
/** First character of a plain scalar: not an indicator, or `-` `?` `:` followed by a safe character. */
const PLAIN_FIRST = String.raw`(?:[^\s\-?:,\[\]{}#&*!|>'"%@\x60]|[?:\-](?=[^\s,\[\]{}]))`;
/** The rest of a plain scalar: no `: ` and no ` #`; flow context also excludes the flow indicators. */
const PLAIN_REST: Record<Flow, string> = {
  block: String.raw`(?:[^\s:#]|:(?=\S)|(?<=\S)#|[ \t]+(?=[^\s#]))*`,
  flow: String.raw`(?:[^\s:#,\[\]{}]|:(?=[^\s,\[\]{}])|(?<=\S)#|[ \t]+(?=[^\s#,\[\]{}]))*`,
};
const QUOTED_KEY = String.raw`"(?:[^"\\]|\\.)*"|'(?:[^']|'')*'`;
/** After a key's `:` comes whitespace or the line end (in flow context, also a flow indicator). */
const AFTER_COLON: Record<Flow, string> = {
  block: String.raw`(?=[ \t]|$)`,
  flow: String.raw`(?=[\s,\[\]{}]|$)`,
};
/**
 * A plain scalar that reads as a path although its key is not a path field: starts with `/`, `./`, `../` or
 * `~/`, or ends with `/` or a file extension. `L4/L5` and `1.0e-4` stay out: no trailing slash, and an
 * extension must start with a letter.
 */
const LOOKS_LIKE_PATH = String.raw`(?:(?:~|\.{1,2})?/[^\s#,\[\]{}]*|[^\s#,\[\]{}'"&*!|>%@\x60\-?:][^\s#,\[\]{}]*?(?:/|\.[A-Za-z][A-Za-z0-9]{0,9}))`;
const BLOCK_SCALAR_HEADER = String.raw`[ \t]+(?:(&\S+)[ \t]+)?(?:(!\S*)[ \t]+)?([|>])([1-9][-+]?|[-+][1-9]?)?(?:[ \t]+(#.*))?[ \t]*$`;
/**
 * A key region ends at the first line that is not blank, not a comment and indented no deeper than the key,
 * except a `- ` item at the key's own indentation: YAML lets a mapping's sequence value start there.
 */
const REGION_END = String.raw`^(?![ \t]*(?:#|$))(?!\1[ \t]+\S)(?!\1-(?:[ \t]|$))`;
/** Block scalar content ends at the first non-blank line indented no deeper than its key (comments included). */
const BLOCK_SCALAR_END = String.raw`^(?![ \t]*$)(?!\1[ \t]+\S)`;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function alternation(words: readonly string[]): string {
  // Longest first so that a word never stops at a shorter word it starts with.
  return [...words]
    .sort((a, b) => b.length - a.length || a.localeCompare(b))
    .map(escapeRegex)
    .join('|');
}

function captures(names: (string | null)[]): Captures {
  const result: Captures = {};
  names.forEach((name, index) => {
    if (name !== null) result[String(index + 1)] = { name };
  });
  return result;
}

/** Scope for the whole match, for rules whose regex has no groups. */
function wholeMatch(name: string): Captures {
  return { '0': { name } };
}

function include(name: string): GrammarRule {
  return { include: `#${name}` };
}

function blockScalarCaptures(): (string | null)[] {
  return [
    'entity.name.type.anchor.yaml',
    'storage.type.tag-handle.yaml',
    'keyword.control.flow.block-scalar.yaml',
    'storage.modifier.block-scalar-indicator.yaml',
    'comment.line.number-sign.yaml',
  ];
}

/**
 * A key (or `-` item) followed by a `|` or `>` header: the lines below, more indented than the key, are the
 * scalar's text and get no other scopes.
 */
function blockScalarRule(prefix: string, prefixScopes: (string | null)[]): GrammarRule {
  return {
    begin: prefix + BLOCK_SCALAR_HEADER,
    beginCaptures: captures([...prefixScopes, ...blockScalarCaptures()]),
    end: BLOCK_SCALAR_END,
    contentName: 'string.unquoted.block.yaml',
  };
}

function scalarRules(flow: Flow): GrammarRule[] {
  const end = SCALAR_END[flow];
  return [
    { match: `${SCALAR_START}(?:null|Null|NULL|~)${end}`, name: 'constant.language.null.yaml' },
    { match: `${SCALAR_START}(?:true|True|TRUE|false|False|FALSE)${end}`, name: 'constant.language.boolean.yaml' },
    { match: `${SCALAR_START}(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)${end}`, name: 'constant.numeric.integer.yaml' },
    {
      match: String.raw`${SCALAR_START}(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))${end}`,
      name: 'constant.numeric.float.yaml',
    },
    { match: `${SCALAR_START}${LOOKS_LIKE_PATH}${end}`, name: SCOPES.path },
    { match: `${SCALAR_START}${PLAIN_FIRST}${PLAIN_REST[flow]}`, name: 'string.unquoted.plain.yaml' },
  ];
}

function flowCollection(kind: 'mapping' | 'sequence', extraPatterns: GrammarRule[]): GrammarRule {
  const [open, close] = kind === 'mapping' ? ['\\{', '\\}'] : ['\\[', '\\]'];
  return {
    name: `meta.flow-${kind}.yaml`,
    begin: open,
    beginCaptures: wholeMatch(`punctuation.definition.${kind}.begin.yaml`),
    end: close,
    endCaptures: wholeMatch(`punctuation.definition.${kind}.end.yaml`),
    patterns: [
      include('comment'),
      ...extraPatterns,
      { match: ',', name: `punctuation.separator.${kind}.yaml` },
      include('flow-pair-key'),
      include('flow-values'),
    ],
  };
}

/** The schema-independent YAML rules, referenced by name from the RadLab rules. */
function yamlRepository(): Record<string, GrammarRule> {
  const plainKey: Record<Flow, string> = {
    block: `${PLAIN_FIRST}${PLAIN_REST.block}`,
    flow: `${PLAIN_FIRST}${PLAIN_REST.flow}`,
  };
  const blockKeyPrefix = String.raw`^([ \t]*)(?:(-)[ \t]+)?(${QUOTED_KEY}|${plainKey.block})[ \t]*(:)`;
  const blockKeyScopes = [
    null,
    'punctuation.definition.block.sequence.item.yaml',
    SCOPES.yamlKey,
    'punctuation.separator.key-value.mapping.yaml',
  ];
  return {
    comment: {
      match: String.raw`(?<=^|[ \t])(#).*$`,
      name: 'comment.line.number-sign.yaml',
      captures: captures(['punctuation.definition.comment.yaml']),
    },
    document: {
      patterns: [
        {
          match: String.raw`^(%)([^\s#]+)(.*?)(?=[ \t]+#|[ \t]*$)`,
          name: 'meta.directive.yaml',
          captures: captures([
            'punctuation.definition.directive.begin.yaml',
            'keyword.other.directive.yaml',
            'string.unquoted.directive-parameter.yaml',
          ]),
        },
        { match: String.raw`^---(?=[ \t]|$)`, name: 'entity.other.document.begin.yaml' },
        { match: String.raw`^\.\.\.(?=[ \t]|$)`, name: 'entity.other.document.end.yaml' },
      ],
    },
    'block-structure': {
      patterns: [
        include('document'),
        blockScalarRule(String.raw`^([ \t]*)(-)`, [null, 'punctuation.definition.block.sequence.item.yaml']),
        blockScalarRule(blockKeyPrefix, blockKeyScopes),
        {
          // An unknown key: its nested lines get plain YAML scopes even if they reuse RadLab key names.
          begin: blockKeyPrefix + AFTER_COLON.block,
          beginCaptures: captures(blockKeyScopes),
          end: REGION_END,
          patterns: [include('yaml-block')],
        },
        {
          // Keys after `- - ` or `? ` (no region: such nesting never holds RadLab keys).
          match: String.raw`(?<=^|[ \t])(${QUOTED_KEY}|${plainKey.block})[ \t]*(:)${AFTER_COLON.block}`,
          captures: captures([SCOPES.yamlKey, 'punctuation.separator.key-value.mapping.yaml']),
        },
        { match: String.raw`(?<=^|[ \t])\?(?=[ \t]|$)`, name: 'punctuation.definition.key-value.begin.yaml' },
        {
          match: String.raw`^[ \t]*(:)(?=[ \t]|$)`,
          captures: captures(['punctuation.separator.key-value.mapping.yaml']),
        },
        { match: String.raw`(?<=^|[ \t])-(?=[ \t]|$)`, name: 'punctuation.definition.block.sequence.item.yaml' },
      ],
    },
    properties: {
      patterns: [
        {
          match: String.raw`${SCALAR_START}(&)[^\s,\[\]{}]+`,
          name: 'entity.name.type.anchor.yaml',
          captures: captures(['punctuation.definition.anchor.yaml']),
        },
        {
          match: String.raw`${SCALAR_START}(\*)[^\s,\[\]{}]+`,
          name: 'variable.other.alias.yaml',
          captures: captures(['punctuation.definition.alias.yaml']),
        },
        {
          match: String.raw`${SCALAR_START}!(?:<[^>\s]+>|(?:[\w-]*!)?[^\s,\[\]{}!]*)`,
          name: 'storage.type.tag-handle.yaml',
        },
      ],
    },
    'quoted-double': {
      name: 'string.quoted.double.yaml',
      begin: '"',
      beginCaptures: wholeMatch('punctuation.definition.string.begin.yaml'),
      end: '"',
      endCaptures: wholeMatch('punctuation.definition.string.end.yaml'),
      patterns: [
        {
          match: String.raw`\\(?:[0abt\tnvfre "/\\N_LP]|x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|$)`,
          name: 'constant.character.escape.yaml',
        },
        { match: String.raw`\\.`, name: 'invalid.illegal.escape.yaml' },
      ],
    },
    'quoted-single': {
      name: 'string.quoted.single.yaml',
      begin: "'",
      beginCaptures: wholeMatch('punctuation.definition.string.begin.yaml'),
      end: "'(?!')",
      endCaptures: wholeMatch('punctuation.definition.string.end.yaml'),
      patterns: [{ match: "''", name: 'constant.character.escape.yaml' }],
    },
    'flow-pair-key': {
      match: `${SCALAR_START}(${QUOTED_KEY}|${plainKey.flow})[ \\t]*(:)${AFTER_COLON.flow}`,
      captures: captures([SCOPES.yamlKey, 'punctuation.separator.key-value.mapping.yaml']),
    },
    'flow-mapping': flowCollection('mapping', []),
    'flow-sequence': flowCollection('sequence', []),
    'scalars-block': { patterns: scalarRules('block') },
    'scalars-flow': { patterns: scalarRules('flow') },
    'block-values': {
      patterns: ['properties', 'quoted-double', 'quoted-single', 'flow-mapping', 'flow-sequence', 'scalars-block'].map(
        include,
      ),
    },
    'flow-values': {
      patterns: [
        'comment',
        'properties',
        'quoted-double',
        'quoted-single',
        'flow-mapping',
        'flow-sequence',
        'scalars-flow',
      ].map(include),
    },
    'yaml-block': { patterns: ['comment', 'block-structure', 'block-values'].map(include) },
  };
}

// ---- From the schema to grammar fields ----

/** Enum words get the enum scope; booleans keep YAML's own constant scope. */
function enumWordsOf(node: SchemaNode): string[] {
  return node.kind === 'boolean' ? [] : [...enumValuesOf(node)];
}

function acceptsPath(node: SchemaNode): boolean {
  if (node.kind === 'path') return true;
  if (node.kind === 'list') return acceptsPath(node.items);
  if (node.kind === 'oneOf') return node.options.some(acceptsPath);
  return false;
}

/** Known keys of a mapping value: the fields of an object, or the enum keys of a map. */
function childNodesOf(node: SchemaNode): [string, SchemaNode][] {
  if (node.kind === 'object') return Object.entries(node.fields).map(([key, spec]) => [key, spec.node]);
  if (node.kind === 'map') return node.keys.values.map((key) => [key, node.values]);
  if (node.kind === 'oneOf') return node.options.flatMap(childNodesOf);
  return [];
}

function toGrammarField(key: string, node: SchemaNode, parentId: string | null): GrammarField {
  const id = (parentId === null ? key : `${parentId}-${key}`).replace(/[^A-Za-z0-9_-]/g, '_');
  return {
    keys: [key],
    id,
    children: groupSiblings(childNodesOf(node).map(([childKey, childNode]) => toGrammarField(childKey, childNode, id))),
    enumValues: enumWordsOf(node),
    isPath: acceptsPath(node),
  };
}

/** Merges sibling keys without known child keys whose values take the same enum words and paths. */
function groupSiblings(fields: GrammarField[]): GrammarField[] {
  const groups = new Map<string, GrammarField>();
  for (const field of fields) {
    const signature =
      field.children.length > 0 ? `mapping:${field.id}` : JSON.stringify([field.enumValues, field.isPath]);
    const group = groups.get(signature);
    if (group === undefined) groups.set(signature, { ...field, keys: [...field.keys] });
    else group.keys.push(...field.keys);
  }
  return [...groups.values()];
}

// ---- RadLab rules ----

/** Rules for the value of `field`: its known child keys, its enum words, its path, then plain YAML. */
function valuePatterns(field: GrammarField, flow: Flow): GrammarRule[] {
  const patterns: GrammarRule[] = [include('comment')];
  if (field.children.length > 0 && flow === 'block') patterns.push(include(`fields-${field.id}-block`));
  if (flow === 'block') patterns.push(include('block-structure'));
  patterns.push(include('properties'));
  if (field.enumValues.length > 0) {
    patterns.push(include(`enum-${field.id}-${flow}`), include(`enum-${field.id}-sequence`));
  }
  if (field.children.length > 0) patterns.push(include(`flow-mapping-${field.id}`));
  if (field.isPath) {
    patterns.push({ match: `${SCALAR_START}${PLAIN_FIRST}${PLAIN_REST[flow]}`, name: SCOPES.path });
  }
  patterns.push(include(flow === 'block' ? 'block-values' : 'flow-values'));
  return patterns;
}

function blockFieldRules(field: GrammarField, isSection: boolean): GrammarRule[] {
  const indentation = isSection ? '^()' : String.raw`^([ \t]*)`;
  const prefix = String.raw`${indentation}(${alternation(field.keys)})[ \t]*(:)`;
  const prefixScopes = [
    null,
    isSection ? SCOPES.section : SCOPES.field,
    'punctuation.separator.key-value.mapping.yaml',
  ];
  const region: GrammarRule = {
    begin: prefix + AFTER_COLON.block,
    beginCaptures: captures(prefixScopes),
    end: REGION_END,
    patterns: valuePatterns(field, 'block'),
  };
  if (isSection) region.name = `meta.section.${field.id}.radlab-experiment`;
  if (field.children.length > 0) return [region];
  const blockScalar = blockScalarRule(prefix, prefixScopes);
  if (isSection) blockScalar.name = region.name;
  return [blockScalar, region];
}

function flowFieldRule(field: GrammarField): GrammarRule {
  return {
    begin: `${SCALAR_START}(${alternation(field.keys)})[ \\t]*(:)${AFTER_COLON.flow}`,
    beginCaptures: captures([SCOPES.field, 'punctuation.separator.key-value.mapping.yaml']),
    end: String.raw`(?=[,\]}])`,
    patterns: valuePatterns(field, 'flow'),
  };
}

function addFieldRepository(field: GrammarField, repository: Record<string, GrammarRule>): void {
  if (field.children.length > 0) {
    repository[`fields-${field.id}-block`] = {
      patterns: field.children.flatMap((child) => blockFieldRules(child, false)),
    };
    repository[`fields-${field.id}-flow`] = { patterns: field.children.map(flowFieldRule) };
    repository[`flow-mapping-${field.id}`] = flowCollection('mapping', [include(`fields-${field.id}-flow`)]);
  }
  if (field.enumValues.length > 0) {
    const words = alternation(field.enumValues);
    for (const flow of ['block', 'flow'] as const) {
      repository[`enum-${field.id}-${flow}`] = {
        match: `${SCALAR_START}(?:${words})${SCALAR_END[flow]}`,
        name: SCOPES.enumValue,
      };
    }
    repository[`enum-${field.id}-sequence`] = flowCollection('sequence', [include(`enum-${field.id}-flow`)]);
  }
  for (const child of field.children) addFieldRepository(child, repository);
}

export function buildGrammar(schema: ObjectNode): Grammar {
  const repository: Record<string, GrammarRule> = { ...yamlRepository() };
  const sections = Object.entries(schema.fields).map(([key, spec]) => toGrammarField(key, spec.node, null));
  repository['fields-root-block'] = { patterns: sections.flatMap((section) => blockFieldRules(section, true)) };
  for (const section of sections) addFieldRepository(section, repository);
  return {
    information_for_contributors: [
      'Generated by syntaxes/generate-grammar.ts from core/experiment/schema.ts. Do not edit by hand:',
      'change the schema or the generator and run `node --import tsx syntaxes/generate-grammar.ts`.',
    ],
    name: 'RadLab Experiment',
    scopeName: 'source.radlab-experiment',
    fileTypes: ['experiment.yaml', 'experiment.yml'],
    patterns: ['comment', 'fields-root-block', 'yaml-block'].map(include),
    repository,
  };
}

/** The exact text of the committed grammar file. */
export function renderGrammar(schema: ObjectNode = experimentSchema): string {
  return `${JSON.stringify(buildGrammar(schema), null, 2)}\n`;
}

if (require.main === module) {
  writeFileSync(GRAMMAR_PATH, renderGrammar());
  process.stdout.write(`wrote ${GRAMMAR_PATH}\n`);
}

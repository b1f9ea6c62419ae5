// Tokenizes the fixture experiments with the committed TextMate grammar through vscode-textmate and Oniguruma
// (the same engine VS Code runs), and checks the scopes two ways: against the `yaml` package's own parse of the
// fixtures (which text is a key, a number, a quoted string...) with the schema saying which keys and words are
// RadLab's, and against hand-chosen tokens for the cases the brief names.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import { INITIAL, parseRawGrammar, Registry, type IGrammar, type StateStack } from 'vscode-textmate';
import { isMap, isScalar, isSeq, parseAllDocuments, Scalar, type Node as YamlNode } from 'yaml';
import { experimentSchema } from '../../core/experiment/schema';
import type { SchemaNode } from '../../core/experiment/schemaNodes';

const repoRoot = join(__dirname, '..', '..');
const grammarPath = join(repoRoot, 'syntaxes', 'radlab-experiment.tmLanguage.json');
const fixtureDir = join(repoRoot, 'test', 'fixtures', 'grammar');
const fixtureNames = readdirSync(fixtureDir)
  .filter((name) => name.endsWith('.experiment.yaml'))
  .sort();

const SECTION = 'entity.name.section.radlab-experiment';
const FIELD = 'support.type.property-name.radlab-experiment';
const ENUM = 'constant.language.enum.radlab-experiment';
const PATH = 'string.unquoted.path.radlab-experiment';
const YAML_KEY = 'entity.name.tag.yaml';

interface Token {
  text: string;
  start: number;
  scopes: string[];
}

let grammar: IGrammar;

before(async () => {
  const wasm = readFileSync(join(repoRoot, 'node_modules', 'vscode-oniguruma', 'release', 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text: string) => new oniguruma.OnigString(text),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.radlab-experiment' ? parseRawGrammar(readFileSync(grammarPath, 'utf8'), grammarPath) : null,
  });
  const loaded = await registry.loadGrammar('source.radlab-experiment');
  assert.ok(loaded, 'the grammar did not load');
  grammar = loaded;
});

function tokenizeText(text: string): { lines: Token[][]; endState: StateStack } {
  let state = INITIAL;
  const lines = text.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens.map((token) => ({
      text: line.slice(token.startIndex, token.endIndex),
      start: token.startIndex,
      scopes: token.scopes,
    }));
  });
  return { lines, endState: state };
}

function tokenizeLines(text: string): Token[][] {
  return tokenizeText(text).lines;
}

function fixture(name: string): string {
  return readFileSync(join(fixtureDir, name), 'utf8');
}

function tokenCovering(line: Token[], column: number): Token {
  const token = line.find((t) => t.start <= column && column < t.start + Math.max(t.text.length, 1));
  assert.ok(token, `no token covers column ${column}`);
  return token;
}

function describeToken(token: Token): string {
  return `${JSON.stringify(token.text)} [${token.scopes.join(' ')}]`;
}

describe('grammar file', () => {
  const raw = JSON.parse(readFileSync(grammarPath, 'utf8')) as Record<string, unknown>;

  test('declares the scope name package.json contributes', () => {
    const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
    const contributed = manifest.contributes.grammars.find(
      (g: { language: string }) => g.language === 'radlab-experiment',
    );
    assert.equal(raw.scopeName, contributed.scopeName);
    assert.equal(join(repoRoot, contributed.path), grammarPath);
  });

  test('every regex compiles in Oniguruma and every include names a rule', () => {
    const repository = raw.repository as Record<string, unknown>;
    let regexCount = 0;
    const visit = (rule: Record<string, unknown>, where: string): void => {
      for (const field of ['match', 'begin', 'end'] as const) {
        const source = rule[field];
        if (typeof source !== 'string') continue;
        // `end` may back-reference `begin` groups; vscode-textmate substitutes the captured text before compiling.
        const compilable = field === 'end' ? source.replace(/(?<!\\)\\[1-9]/g, '') : source;
        assert.doesNotThrow(() => new oniguruma.OnigScanner([compilable]).dispose(), `${where}.${field}: ${source}`);
        regexCount++;
      }
      const include = rule.include;
      if (typeof include === 'string') {
        assert.ok(include.startsWith('#') && include.slice(1) in repository, `${where} includes unknown ${include}`);
      }
      (rule.patterns as Record<string, unknown>[] | undefined)?.forEach((child, index) =>
        visit(child, `${where}.patterns[${index}]`),
      );
    };
    (raw.patterns as Record<string, unknown>[]).forEach((rule, index) => visit(rule, `patterns[${index}]`));
    for (const [name, rule] of Object.entries(repository)) visit(rule as Record<string, unknown>, `repository.${name}`);
    assert.ok(regexCount > 50, `only ${regexCount} regexes found`);
  });

  test('a regex Oniguruma rejects does throw (the check above can fail)', () => {
    assert.throws(() => new oniguruma.OnigScanner(['[z-a]']));
  });
});

describe('every fixture line', () => {
  for (const name of fixtureNames) {
    test(name, () => {
      const text = fixture(name);
      const { lines, endState } = tokenizeText(text);
      text.split('\n').forEach((line, index) => {
        const tokens = lines[index];
        assert.ok(tokens.length > 0, `line ${index + 1} produced no tokens`);
        assert.equal(tokens.map((t) => t.text).join(''), line, `line ${index + 1}: tokens do not cover the line`);
      });
      // Nothing left open at the end (an unterminated string or flow collection would swallow this line).
      const probe = grammar.tokenizeLine('name: probe', endState);
      assert.ok(probe.tokens[0].scopes.includes(SECTION), `state after ${name} is not back at the top level`);
    });
  }
});

// ---- Oracle: the yaml package's parse plus the schema ----

/** The schema node under `key`, through objects, oneOf options and the enum keys of maps. */
function schemaChild(node: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (node === undefined) return undefined;
  switch (node.kind) {
    case 'object':
      return node.fields[key]?.node;
    case 'map':
      return node.keys.values.includes(key) ? node.values : undefined;
    case 'oneOf':
      return node.options.map((option) => schemaChild(option, key)).find((child) => child !== undefined);
    default:
      return undefined;
  }
}

function schemaEnumWords(node: SchemaNode | undefined): readonly string[] {
  if (node === undefined) return [];
  if (node.kind === 'enum') return node.values;
  if (node.kind === 'list') return schemaEnumWords(node.items);
  if (node.kind === 'oneOf') return node.options.flatMap(schemaEnumWords);
  return [];
}

function schemaIsPath(node: SchemaNode | undefined): boolean {
  if (node === undefined) return false;
  if (node.kind === 'path') return true;
  if (node.kind === 'list') return schemaIsPath(node.items);
  if (node.kind === 'oneOf') return node.options.some(schemaIsPath);
  return false;
}

/** The path rule as the brief words it, written independently of the grammar's regex. */
function looksLikePath(text: string): boolean {
  if (/\s/.test(text)) return false;
  return (
    ['/', './', '../', '~/'].some((prefix) => text.startsWith(prefix)) ||
    text.endsWith('/') ||
    /\.[A-Za-z][A-Za-z0-9]*$/.test(text)
  );
}

interface Expectation {
  offset: number;
  what: string;
  accepts: (scopes: string[]) => boolean;
  wanted: string;
}

function hasScope(scope: string): (scopes: string[]) => boolean {
  return (scopes) => scopes.includes(scope);
}

function expectationsFor(text: string): Expectation[] {
  const expectations: Expectation[] = [];
  const scalarValue = (node: Scalar, schema: SchemaNode | undefined): void => {
    const offset = node.range![0];
    const what = `value ${JSON.stringify(node.source ?? node.value)}`;
    const add = (wanted: string, accepts = hasScope(wanted)): void => {
      expectations.push({ offset, what, accepts, wanted });
    };
    switch (node.type) {
      case Scalar.QUOTE_DOUBLE:
        return add('string.quoted.double.yaml');
      case Scalar.QUOTE_SINGLE:
        return add('string.quoted.single.yaml');
      case Scalar.BLOCK_LITERAL:
      case Scalar.BLOCK_FOLDED:
        return add('keyword.control.flow.block-scalar.yaml');
    }
    const value = node.value;
    if (typeof value === 'string' && schemaEnumWords(schema).includes(value)) return add(ENUM);
    if (typeof value === 'number') {
      return add('constant.numeric', (scopes) => scopes.some((s) => s.startsWith('constant.numeric.')));
    }
    if (typeof value === 'boolean') return add('constant.language.boolean.yaml');
    if (value === null) return add('constant.language.null.yaml');
    if (schemaIsPath(schema) || looksLikePath(String(value))) return add(PATH);
    add('string.unquoted.plain.yaml');
  };
  const walk = (node: YamlNode | null, schema: SchemaNode | undefined, atRoot: boolean): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = pair.key as YamlNode;
        const keyText = isScalar(key) ? String(key.value) : '';
        const child = schemaChild(schema, keyText);
        const wanted = child === undefined ? YAML_KEY : atRoot ? SECTION : FIELD;
        expectations.push({ offset: key.range![0], what: `key ${keyText}`, accepts: hasScope(wanted), wanted });
        walk(pair.value as YamlNode | null, child, false);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) walk(item as YamlNode, schema, false);
    } else if (isScalar(node)) {
      scalarValue(node, schema);
    }
  };
  for (const document of parseAllDocuments(text)) {
    assert.deepEqual(document.errors, [], 'the fixture must be valid YAML');
    walk(document.contents, experimentSchema, true);
  }
  return expectations;
}

describe('scopes agree with the yaml package and the schema', () => {
  for (const name of fixtureNames) {
    test(name, () => {
      const text = fixture(name);
      const lines = tokenizeLines(text);
      const lineStarts = [0];
      for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
      const expectations = expectationsFor(text);
      assert.ok(expectations.length > 20, `only ${expectations.length} nodes checked in ${name}`);
      const failures: string[] = [];
      for (const { offset, what, accepts, wanted } of expectations) {
        const line = lineStarts.filter((start) => start <= offset).length - 1;
        const token = tokenCovering(lines[line], offset - lineStarts[line]);
        if (!accepts(token.scopes))
          failures.push(`line ${line + 1} ${what}: want ${wanted}, got ${describeToken(token)}`);
      }
      assert.deepEqual(failures, []);
    });
  }
});

// ---- Hand-chosen tokens ----

interface Case {
  fixture: string;
  /** Text that occurs on exactly one line of the fixture. */
  line: string;
  /** The token's exact text, searched from the start of that line. */
  token: string;
  scope: string;
  not?: string;
  /** The token may be longer than `token` (block scalar lines keep their indentation). */
  within?: boolean;
}

const FLOW = 'flow-style.experiment.yaml';
const BLOCK = 'block-style.experiment.yaml';
const EDGE = 'edge-cases.experiment.yaml';

const cases: Case[] = [
  { fixture: FLOW, line: 'name: canal-stenosis-sweep', token: 'name', scope: SECTION },
  { fixture: FLOW, line: 'data:', token: 'data', scope: SECTION },
  { fixture: FLOW, line: 'output: runs/', token: 'output', scope: SECTION },
  { fixture: FLOW, line: 'output: runs/', token: 'runs/', scope: PATH },
  { fixture: FLOW, line: '  root: ../data', token: 'root', scope: FIELD },
  { fixture: FLOW, line: '  root: ../data', token: '../data/rsna-2024-lsdc', scope: PATH },
  { fixture: FLOW, line: '  pretrained: weights/', token: 'weights/', scope: PATH },
  { fixture: FLOW, line: 'condition: spinal', token: 'spinal_canal_stenosis', scope: ENUM },
  { fixture: FLOW, line: 'levels: [L1/L2', token: 'L1/L2', scope: ENUM },
  { fixture: FLOW, line: 'levels: [L1/L2', token: 'L4/L5', scope: ENUM },
  { fixture: FLOW, line: 'levels: [L1/L2', token: '[', scope: 'punctuation.definition.sequence.begin.yaml' },
  { fixture: FLOW, line: 'levels: [L1/L2', token: ',', scope: 'punctuation.separator.sequence.yaml' },
  { fixture: FLOW, line: 'series: Sagittal', token: 'Sagittal T2/STIR', scope: ENUM },
  { fixture: FLOW, line: 'input: { mode', token: 'mode', scope: FIELD },
  { fixture: FLOW, line: 'input: { mode', token: 'crop', scope: ENUM },
  { fixture: FLOW, line: 'input: { mode', token: '60', scope: 'constant.numeric.integer.yaml' },
  {
    fixture: FLOW,
    line: 'input: { mode',
    token: 'mode: crop | slice',
    scope: 'comment.line.number-sign.yaml',
    within: true,
  },
  { fixture: FLOW, line: 'backbones: [convnext', token: 'efficientnet_v2_m', scope: ENUM },
  { fixture: FLOW, line: 'optimizer: { name', token: 'adamw', scope: ENUM },
  { fixture: FLOW, line: 'optimizer: { name', token: '1.0e-4', scope: 'constant.numeric.float.yaml' },
  { fixture: FLOW, line: 'optimizer: { name', token: 'lr', scope: FIELD },
  { fixture: FLOW, line: 'schedule: {name', token: 'cosine', scope: ENUM },
  { fixture: FLOW, line: 'class_weights: inverse', token: 'inverse_frequency', scope: ENUM },
  { fixture: FLOW, line: 'normalize: imagenet', token: 'imagenet', scope: ENUM },
  { fixture: FLOW, line: 'select_best: val', token: 'val_macro_f1', scope: ENUM },
  { fixture: FLOW, line: 'select_best: val', token: '#', scope: 'punctuation.definition.comment.yaml' },
  { fixture: FLOW, line: 'engine: auto', token: 'auto', scope: ENUM },
  { fixture: FLOW, line: 'freeze_backbone: true', token: 'true', scope: 'constant.language.boolean.yaml' },
  { fixture: FLOW, line: '# A backbone sweep', token: '#', scope: 'comment.line.number-sign.yaml' },
  // A `#` inside a quoted string is text, and escapes are marked.
  {
    fixture: FLOW,
    line: 'description: "Canal',
    token: 'Canal stenosis # three backbones',
    scope: 'string.quoted.double.yaml',
    not: 'comment.line.number-sign.yaml',
  },
  { fixture: FLOW, line: 'description: "Canal', token: '\\t', scope: 'constant.character.escape.yaml' },
  {
    fixture: BLOCK,
    line: "comment_style: 'it''s",
    token: 's # fine',
    scope: 'string.quoted.single.yaml',
    not: 'comment.line.number-sign.yaml',
  },
  { fixture: BLOCK, line: "comment_style: 'it''s", token: "''", scope: 'constant.character.escape.yaml' },
  { fixture: BLOCK, line: "comment_style: 'it''s", token: 'comment_style', scope: YAML_KEY, not: FIELD },
  // Keys RadLab does not know, and RadLab key names where RadLab does not expect them.
  { fixture: BLOCK, line: 'notes: >-', token: 'notes', scope: YAML_KEY, not: SECTION },
  { fixture: BLOCK, line: '  extra:', token: 'extra', scope: YAML_KEY, not: FIELD },
  { fixture: BLOCK, line: '    condition: spinal_canal_stenosis', token: 'condition', scope: YAML_KEY, not: FIELD },
  {
    fixture: BLOCK,
    line: '    condition: spinal_canal_stenosis',
    token: 'spinal_canal_stenosis',
    scope: 'string.unquoted.plain.yaml',
    not: ENUM,
  },
  { fixture: BLOCK, line: 'augmentations: { condition', token: 'condition', scope: YAML_KEY, not: FIELD },
  { fixture: BLOCK, line: '    scans: ./cache', token: './cache/scans.npz', scope: PATH },
  { fixture: BLOCK, line: '    - L6/L7', token: 'L6/L7', scope: 'string.unquoted.plain.yaml', not: ENUM },
  { fixture: BLOCK, line: '    by: patient', token: 'patient', scope: 'string.unquoted.plain.yaml', not: ENUM },
  // Block structure: sequences, nesting, a first-column comment inside a section.
  { fixture: BLOCK, line: '    - L3/L4', token: '-', scope: 'punctuation.definition.block.sequence.item.yaml' },
  { fixture: BLOCK, line: '    - L3/L4', token: 'L3/L4', scope: ENUM },
  { fixture: BLOCK, line: '    mode: slice', token: 'slice', scope: ENUM },
  { fixture: BLOCK, line: '    mode: slice', token: 'mode', scope: 'meta.section.data.radlab-experiment' },
  { fixture: BLOCK, line: '    studies: 40', token: 'studies', scope: FIELD },
  { fixture: BLOCK, line: '    vit_b_16: weights', token: 'vit_b_16', scope: FIELD },
  { fixture: BLOCK, line: '    vit_b_16: weights', token: 'weights/vit_b_16.safetensors', scope: PATH },
  { fixture: BLOCK, line: '    name: sgd', token: 'name', scope: FIELD, not: SECTION },
  { fixture: BLOCK, line: '    name: sgd', token: 'sgd', scope: ENUM },
  { fixture: BLOCK, line: 'output: /tmp', token: '/tmp/radlab-runs/', scope: PATH },
  // Numbers, null, quoted.
  { fixture: BLOCK, line: '    lr: 3.0E-3', token: '3.0E-3', scope: 'constant.numeric.float.yaml' },
  { fixture: BLOCK, line: '    train: .7', token: '.7', scope: 'constant.numeric.float.yaml' },
  { fixture: BLOCK, line: '    size: 0x100', token: '0x100', scope: 'constant.numeric.integer.yaml' },
  { fixture: BLOCK, line: '  grad_clip: ~', token: '~', scope: 'constant.language.null.yaml' },
  { fixture: BLOCK, line: '  threads: null', token: 'null', scope: 'constant.language.null.yaml' },
  { fixture: BLOCK, line: '  root: "/mnt', token: '/mnt/rsna lsdc/', scope: 'string.quoted.double.yaml' },
  // Block scalars: the text below the header is string content, even when it looks like a key or a comment.
  { fixture: BLOCK, line: 'description: |', token: '|', scope: 'keyword.control.flow.block-scalar.yaml' },
  { fixture: BLOCK, line: 'description: |', token: 'description', scope: SECTION },
  {
    fixture: BLOCK,
    line: '  data: this line is text',
    token: 'data: this line is text, not a key # nor a comment',
    scope: 'string.unquoted.block.yaml',
    not: SECTION,
    within: true,
  },
  { fixture: BLOCK, line: 'notes: >-', token: '-', scope: 'storage.modifier.block-scalar-indicator.yaml' },
  {
    fixture: BLOCK,
    line: '  on two lines.',
    token: 'on two lines.',
    scope: 'string.unquoted.block.yaml',
    within: true,
  },
  {
    fixture: EDGE,
    line: '      a literal item',
    token: 'a literal item',
    scope: 'string.unquoted.block.yaml',
    within: true,
  },
  // Anchors, aliases, tags, directives and document markers.
  { fixture: BLOCK, line: 'seed: &data_seed', token: 'data_seed', scope: 'entity.name.type.anchor.yaml' },
  { fixture: BLOCK, line: 'seed: *data_seed', token: 'data_seed', scope: 'variable.other.alias.yaml' },
  { fixture: BLOCK, line: 'dropout: !!float', token: '!!float', scope: 'storage.type.tag-handle.yaml' },
  { fixture: BLOCK, line: 'dropout: !!float', token: '0.25', scope: 'constant.numeric.float.yaml' },
  { fixture: BLOCK, line: '%YAML 1.2', token: 'YAML', scope: 'keyword.other.directive.yaml' },
  { fixture: BLOCK, line: '...', token: '...', scope: 'entity.other.document.end.yaml' },
  { fixture: BLOCK, line: 'name: second-document', token: 'name', scope: SECTION },
  { fixture: BLOCK, line: 'model: { backbones', token: 'beit_s_16', scope: ENUM },
  // Tricky YAML.
  {
    fixture: EDGE,
    line: '  threads: 4#not',
    token: '4#not-a-comment',
    scope: 'string.unquoted.plain.yaml',
    not: 'comment.line.number-sign.yaml',
  },
  { fixture: EDGE, line: 'name: constant # trailing', token: 'constant', scope: ENUM },
  {
    fixture: EDGE,
    line: 'name: constant # trailing',
    token: 'trailing comment',
    scope: 'comment.line.number-sign.yaml',
    within: true,
  },
  { fixture: EDGE, line: '    L1/L2,   # a comment', token: 'L1/L2', scope: ENUM },
  {
    fixture: EDGE,
    line: '    L1/L2,   # a comment',
    token: 'a comment inside a flow sequence',
    scope: 'comment.line.number-sign.yaml',
    within: true,
  },
  { fixture: EDGE, line: '    window: tags', token: 'tags', scope: ENUM },
  { fixture: EDGE, line: '  - resnet50', token: 'resnet50', scope: ENUM },
  { fixture: EDGE, line: '  pretrained: none', token: 'none', scope: ENUM, not: PATH },
  { fixture: EDGE, line: 'output: runs', token: 'runs', scope: PATH },
  { fixture: EDGE, line: 'optimizer: {name: adamw,lr', token: 'lr', scope: FIELD },
  { fixture: EDGE, line: 'optimizer: {name: adamw,lr', token: 'adamw', scope: ENUM },
  { fixture: EDGE, line: "'quoted key': 1", token: "'quoted key'", scope: YAML_KEY },
  { fixture: EDGE, line: '"double key": ratio', token: 'ratio 1:2', scope: 'string.unquoted.plain.yaml' },
  { fixture: EDGE, line: '    - name: study-1', token: 'name', scope: YAML_KEY, not: FIELD },
  {
    fixture: EDGE,
    line: '  that continues on',
    token: 'that continues on a second line',
    scope: 'string.unquoted.plain.yaml',
  },
  { fixture: EDGE, line: '  condition: "spinal', token: 'spinal_canal_stenosis', scope: 'string.quoted.double.yaml' },
];

describe('hand-chosen tokens', () => {
  const tokenized = new Map<string, { lines: string[]; tokens: Token[][] }>();
  const load = (name: string) => {
    let entry = tokenized.get(name);
    if (entry === undefined) {
      const text = fixture(name);
      entry = { lines: text.split('\n'), tokens: tokenizeLines(text) };
      tokenized.set(name, entry);
    }
    return entry;
  };
  for (const c of cases) {
    test(`${c.fixture}: ${JSON.stringify(c.token)} in ${JSON.stringify(c.line)} is ${c.scope}`, () => {
      const { lines, tokens } = load(c.fixture);
      const matching = lines.flatMap((line, index) => (line.includes(c.line) ? [index] : []));
      assert.equal(matching.length, 1, `${JSON.stringify(c.line)} must occur on exactly one line`);
      const lineIndex = matching[0];
      const column = lines[lineIndex].indexOf(c.token);
      assert.ok(column >= 0, `${JSON.stringify(c.token)} is not on that line`);
      const token = tokenCovering(tokens[lineIndex], column);
      if (c.within) assert.ok(token.text.includes(c.token), `token is ${describeToken(token)}`);
      else assert.equal(token.text, c.token, `token boundaries: ${describeToken(token)}`);
      assert.ok(token.scopes.includes(c.scope), `want ${c.scope}, got ${describeToken(token)}`);
      if (c.not) assert.ok(!token.scopes.includes(c.not), `must not be ${c.not}: ${describeToken(token)}`);
    });
  }
});

// The incremental parser must give exactly what a whole parse gives. Truth here is `yaml`'s own parse of the
// whole text (parseExperiment, the path every text took before): after each of a few hundred seeded random
// edits, the incremental parse's Document (every node, range, comment, warning, error), line starts, diagnostics,
// referenced paths, outline and hover must equal the whole parse's.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { IncrementalExperimentParser } from '../../core/experiment/incrementalParse';
import {
  analyzeExperiment,
  hoverExperiment,
  outlineExperiment,
  type Position,
} from '../../core/experiment/languageService';
import { parseExperiment, type ParsedExperiment } from '../../core/experiment/parse';
import { experimentTemplate } from '../../core/experiment/template';
import { twoThousandLines } from '../lsp/generatedExperiment';
import { SeededRandom } from '../robustness/seededRandom';

const fixtureFolders = [join(__dirname, '..', 'fixtures', 'experiment'), join(__dirname, '..', 'fixtures', 'lsp')];

/**
 * Everything a parse holds, as plain data: each object's class and own enumerable fields, recursively. Skipped:
 * the schema (a per-document table of tag resolvers, equal by construction) and the options' references to the
 * LineCounter and stream directives, whose contents are compared through `lines` and `directives`.
 */
function snapshot(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(snapshot);
  const out: Record<string, unknown> = { $class: value.constructor?.name };
  for (const key of Object.keys(value).sort()) {
    if (key === 'schema' || key === 'lineCounter' || key === '_directives') continue;
    out[key] = snapshot((value as Record<string, unknown>)[key]);
  }
  return out;
}

function parseSnapshot(parsed: ParsedExperiment): unknown {
  return snapshot({
    text: parsed.text,
    document: parsed.document,
    extraDocuments: parsed.extraDocuments,
    lineStarts: parsed.lines.lineStarts,
    unparsed: parsed.unparsed,
  });
}

interface Corpus {
  name: string;
  text: string;
  filePath: string;
  edits: number;
  /** Line count from which the parser works by sections; 0 makes even a short fixture take that path. */
  minLines?: number;
}

function corpora(): Corpus[] {
  const template = experimentTemplate({ name: 'equivalence', dataRoot: 'datasets/complete', synthetic: false });
  const list: Corpus[] = [
    { name: 'template', text: template, filePath: join(fixtureFolders[1]!, 'template.experiment.yaml'), edits: 250, minLines: 0 },
    {
      name: '2,000-line experiment',
      text: twoThousandLines(template),
      filePath: join(fixtureFolders[1]!, 'big.experiment.yaml'),
      edits: 100,
    },
  ];
  for (const folder of fixtureFolders) {
    for (const file of readdirSync(folder).filter((name) => name.endsWith('.yaml')).sort()) {
      const filePath = join(folder, file);
      list.push({ name: file, text: readFileSync(filePath, 'utf8'), filePath, edits: 60, minLines: 0 });
    }
  }
  return list;
}

/** Starts of lines with a top-level key: where sections meet, so where edits are most likely to break a split. */
function keyLineStarts(text: string): number[] {
  const starts: number[] = [];
  for (let i = 0; i < text.length; i = text.indexOf('\n', i) + 1 || text.length) {
    if (/[A-Za-z_]/.test(text[i] ?? '')) starts.push(i);
  }
  return starts;
}

const INSERTIONS = [
  '\n', '\n\n', ' ', '  ', '\t', ':', ': ', '"', "'", '#', '# note\n', '&a ', '*a', '---\n', '...\n', '%YAML 1.2\n',
  '[', ']', '{', '}', ',', '- ', '|\n', '>-\n', '? ', 'x', '7', 'extra: 1\n', '  nested: [1, 2]\n', 'key: "a\n',
  '\r\n', '\r', '\uFEFF', 'train: {}\n', '  # indented comment\n',
];

/** One random edit: an insertion, a deletion or a replaced line, at a random offset or at a section boundary. */
function edit(random: SeededRandom, text: string): string {
  const boundaries = keyLineStarts(text);
  const at = random.chance(0.4) && boundaries.length > 0
    ? Math.min(text.length, Math.max(0, random.pick(boundaries) + random.int(-2, 2)))
    : random.int(0, text.length);
  const choice = random.int(0, 11);
  if (choice < 5) return text.slice(0, at) + random.pick(INSERTIONS) + text.slice(at);
  if (choice < 8) return text.slice(0, at) + text.slice(Math.min(text.length, at + random.int(1, 12)));
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at);
  const content = text.slice(lineStart, lineEnd);
  // Replace the value digits on the line: the benign edit a user makes most, so many edits keep the text valid.
  if (choice < 10) return text.slice(0, lineStart) + content.replace(/\d+/, String(random.int(0, 500))) + text.slice(lineEnd);
  return typeInValue(random, text, lineStart, lineEnd);
}

/** Types or deletes one character inside the value on the line [lineStart, lineEnd), if it has one. */
function typeInValue(random: SeededRandom, text: string, lineStart: number, lineEnd: number): string {
  const value = /^(\s*(?:- |[\w]+: ))(\S+)(.*)$/.exec(text.slice(lineStart, lineEnd));
  if (value === null) return text;
  const [, head, word, tail] = value as unknown as [string, string, string, string];
  const cut = random.int(0, word.length);
  const typed = random.chance(0.6) ? word.slice(0, cut) + random.pick([...'0123456789abxyz_./-']) + word.slice(cut) : word.slice(0, cut) + word.slice(cut + 1);
  return text.slice(0, lineStart) + head + typed + tail + text.slice(lineEnd);
}

/** An edit typed inside a value on a random line (most keystrokes in an experiment file are these). */
function valueEdit(random: SeededRandom, text: string): string {
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((match) => match.index! + 1)].filter((start) => start < text.length);
  const lineStart = random.pick(lineStarts);
  const lineEnd = text.indexOf('\n', lineStart) === -1 ? text.length : text.indexOf('\n', lineStart);
  return typeInValue(random, text, lineStart, lineEnd);
}

function positionOf(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

describe('incremental parse equals the whole parse', () => {
  for (const corpus of corpora()) {
    it(`${corpus.name}: ${corpus.edits} seeded random edits`, () => {
      const random = new SeededRandom(0x5ec7 + corpus.text.length);
      const parser = new IncrementalExperimentParser({ minLines: corpus.minLines });
      const options = { filePath: corpus.filePath, checkDataset: true };
      let text = corpus.text;
      let assembled = 0;
      for (let step = 0; step < corpus.edits; step++) {
        // Mostly edits on edits, as typing is; now and then back to the original, so broken texts do not pile up.
        text = random.chance(0.25) ? corpus.text : edit(random, text);
        const context = `${corpus.name}, edit ${step}`;
        const incremental = parser.parse(text);
        if (parser.lastFallback === undefined) assembled++;
        assert.deepEqual(parseSnapshot(incremental), parseSnapshot(parseExperiment(text)), `${context}: parse`);
        assert.deepEqual(analyzeExperiment(text, { ...options, parser }), analyzeExperiment(text, options), `${context}: diagnostics and paths`);
        assert.deepEqual(outlineExperiment(text, parser), outlineExperiment(text), `${context}: outline`);
        const position = positionOf(text, random.int(0, text.length));
        assert.deepEqual(
          hoverExperiment(text, position, corpus.filePath, parser),
          hoverExperiment(text, position, corpus.filePath),
          `${context}: hover at ${JSON.stringify(position)}`,
        );
      }
      // The property must be exercised on the assembled path, not only on fall-backs to a whole parse.
      assert.ok(assembled >= corpus.edits / 10, `only ${assembled} of ${corpus.edits} parses were assembled from sections`);
    });
  }
});

describe('typing inside values updates the parsed values in place, as a whole parse reads them', () => {
  for (const corpus of corpora().slice(0, 2)) {
    it(`${corpus.name}: 150 tries at a value edit`, () => {
      const random = new SeededRandom(0x7e57 + corpus.text.length);
      const parser = new IncrementalExperimentParser({ minLines: corpus.minLines });
      let text = corpus.text;
      parser.parse(text);
      let patched = 0;
      let edits = 0;
      for (let step = 0; step < 150; step++) {
        const before = text;
        text = valueEdit(random, text);
        if (text === before) continue;
        edits++;
        const incremental = parser.parse(text);
        if (parser.lastPatched > 0) patched++;
        assert.deepEqual(parseSnapshot(incremental), parseSnapshot(parseExperiment(text)), `${corpus.name}, value edit ${step}: parse`);
      }
      // Values that stay plain and safe are most of these edits; the rest (a value turned into `-x`, `.`, ...) re-parse.
      assert.ok(patched >= edits / 2, `only ${patched} of ${edits} value edits were applied in place`);
    });
  }
});

describe('the incremental parser, on hand-written texts', () => {
  const sections = ['name: t\n', 'data:\n  root: x\n', 'train:\n  epochs: 3\n', 'output: runs/\n'];
  const text = sections.join('');

  it('re-parses only the changed section and moves the others to their new offsets', () => {
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    const before = parser.parse(text).document!.contents as { items: { key: { range: number[] } }[] };
    // A quoted value is not a plain one, so the section is parsed again (same length as the edit below).
    const edited = text.replace('root: x', "root: 'nger/path'");
    const after = parser.parse(edited).document!.contents as { items: { key: { range: number[] } }[] };
    assert.equal(parser.lastFallback, undefined);
    assert.equal(parser.lastPatched, 0);
    assert.equal(after.items[0], before.items[0], 'the section before the edit is reused');
    assert.notEqual(after.items[1], before.items[1], 'the edited section is parsed again');
    assert.equal(after.items[2], before.items[2], 'the section after the edit is reused');
    // "name: t\n" 8 + "data:\n" 6 + "  root: longer/path\n" 20: train starts at 34, output 19 further.
    assert.deepEqual([after.items[2]!.key.range[0], after.items[3]!.key.range[0]], [34, 53]);
  });

  it('applies an edit inside one plain value to the parsed section and moves everything after it', () => {
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    type Items = { items: { key: { range: number[] }; value: { items: { value: { value: unknown; range: number[] } }[] } }[] };
    const before = parser.parse(text).document!.contents as unknown as Items;
    const after = parser.parse(text.replace('root: x', 'root: longer/path')).document!.contents as unknown as Items;
    assert.equal(parser.lastPatched, 1);
    assert.equal(after.items[1], before.items[1], 'the edited section keeps its nodes');
    const root = after.items[1]!.value.items[0]!.value;
    // "name: t\n" 8 + "data:\n" 6 + "  root: " 8: the value spans 22..33, the node its line break too; train
    // starts at 34, output 19 further.
    assert.deepEqual([root.value, root.range], ['longer/path', [22, 33, 34]]);
    assert.deepEqual([after.items[2]!.key.range[0], after.items[3]!.key.range[0]], [34, 53]);
    // A number stays a number, as `yaml` reads it.
    const epochs = parser.parse(text.replace('root: x', 'root: longer/path').replace('epochs: 3', 'epochs: 12'));
    assert.equal(parser.lastPatched, 1);
    assert.deepEqual(snapshot(epochs.document), snapshot(parseExperiment(epochs.text).document));
  });

  it('parses a quote left open across a section boundary whole, as the whole parse reads it', () => {
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    const open = 'name: "t\ndata:\n  root: x"\ntrain: {}\n';
    const parsed = parser.parse(open);
    assert.equal(parser.lastFallback, 'a section that does not parse on its own');
    assert.deepEqual(parsed.document!.errors.map((e) => e.pos), parseExperiment(open).document!.errors.map((e) => e.pos));
  });

  it('parses a top-level key written twice whole, so the duplicate is reported', () => {
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    const parsed = parser.parse(`${text}name: u\n`);
    assert.equal(parser.lastFallback, 'a top-level key written twice');
    assert.deepEqual(parsed.document!.errors.map((e) => e.code), ['DUPLICATE_KEY']);
  });

  it('keeps a nested duplicate key on the section path, with the error at its whole-text offset', () => {
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    const parsed = parser.parse(text.replace('epochs: 3\n', 'epochs: 3\n  epochs: 4\n'));
    assert.equal(parser.lastFallback, undefined);
    // "name: t\n" 8 + "data:\n  root: x\n" 16 + "train:\n  epochs: 3\n" 19 + two spaces: the second "epochs" at 45.
    assert.deepEqual(parsed.document!.errors.map((e) => [e.code, e.pos[0]]), [['DUPLICATE_KEY', 45]]);
  });

  it('goes straight to the whole parse while most of a text with a YAML error keeps changing', () => {
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    const long = `  root: x\n${'  # a long section\n'.repeat(20)}`;
    const broken = (value: string) => text.replace('  root: x\n', long.replace('root: x', `root: ${value}: y`));
    parser.parse(broken('a'));
    assert.equal(parser.lastFallback, 'a section that does not parse on its own');
    // An edit inside the long broken section: parsing it alone first would be wasted.
    parser.parse(broken('b'));
    assert.equal(parser.lastFallback, 'most of a text with a YAML error changed');
    // Fixed: parsed whole once more (most of it changed), then by sections again.
    const fixed = text.replace('  root: x\n', long);
    parser.parse(fixed);
    assert.equal(parser.lastFallback, 'most of a text with a YAML error changed');
    parser.parse(fixed.replace('epochs: 3', 'epochs: 4'));
    assert.equal(parser.lastFallback, undefined);
  });

  it('parses short texts whole unless told otherwise', () => {
    const parser = new IncrementalExperimentParser();
    parser.parse(text);
    assert.equal(parser.lastFallback, 'a short text');
  });
});

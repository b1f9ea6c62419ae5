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
    {
      name: 'template',
      text: template,
      filePath: join(fixtureFolders[1]!, 'template.experiment.yaml'),
      edits: 250,
      minLines: 0,
    },
    {
      name: '2,000-line experiment',
      text: twoThousandLines(template),
      filePath: join(fixtureFolders[1]!, 'big.experiment.yaml'),
      edits: 100,
    },
  ];
  for (const folder of fixtureFolders) {
    for (const file of readdirSync(folder)
      .filter((name) => name.endsWith('.yaml'))
      .sort()) {
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
  '\n',
  '\n\n',
  ' ',
  '  ',
  '\t',
  ':',
  ': ',
  '"',
  "'",
  '#',
  '# note\n',
  '&a ',
  '*a',
  '---\n',
  '...\n',
  '%YAML 1.2\n',
  '[',
  ']',
  '{',
  '}',
  ',',
  '- ',
  '|\n',
  '>-\n',
  '? ',
  'x',
  '7',
  'extra: 1\n',
  '  nested: [1, 2]\n',
  'key: "a\n',
  '\r\n',
  '\r',
  '\uFEFF',
  'train: {}\n',
  '  # indented comment\n',
];

/** One random edit: an insertion, a deletion or a replaced line, at a random offset or at a section boundary. */
function edit(random: SeededRandom, text: string): string {
  const boundaries = keyLineStarts(text);
  const at =
    random.chance(0.4) && boundaries.length > 0
      ? Math.min(text.length, Math.max(0, random.pick(boundaries) + random.int(-2, 2)))
      : random.int(0, text.length);
  const choice = random.int(0, 11);
  if (choice < 5) return text.slice(0, at) + random.pick(INSERTIONS) + text.slice(at);
  if (choice < 8) return text.slice(0, at) + text.slice(Math.min(text.length, at + random.int(1, 12)));
  const lineStart = text.lastIndexOf('\n', at - 1) + 1;
  const lineEnd = text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at);
  const content = text.slice(lineStart, lineEnd);
  // Replace the value digits on the line: the benign edit a user makes most, so many edits keep the text valid.
  if (choice < 10)
    return text.slice(0, lineStart) + content.replace(/\d+/, String(random.int(0, 500))) + text.slice(lineEnd);
  return typeInValue(random, text, lineStart, lineEnd);
}

/** Types or deletes one character inside the value on the line [lineStart, lineEnd), if it has one. */
function typeInValue(random: SeededRandom, text: string, lineStart: number, lineEnd: number): string {
  const value = /^(\s*(?:- |[\w]+: ))(\S+)(.*)$/.exec(text.slice(lineStart, lineEnd));
  if (value === null) return text;
  const [, head, word, tail] = value as unknown as [string, string, string, string];
  const cut = random.int(0, word.length);
  const typed = random.chance(0.6)
    ? word.slice(0, cut) + random.pick([...'0123456789abxyz_./-']) + word.slice(cut)
    : word.slice(0, cut) + word.slice(cut + 1);
  return text.slice(0, lineStart) + head + typed + tail + text.slice(lineEnd);
}

/** An edit typed inside a value on a random line (most keystrokes in an experiment file are these). */
function valueEdit(random: SeededRandom, text: string): string {
  const lineStarts = [0, ...[...text.matchAll(/\n/g)].map((match) => match.index! + 1)].filter(
    (start) => start < text.length,
  );
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
        assert.deepEqual(
          analyzeExperiment(text, { ...options, parser }),
          analyzeExperiment(text, options),
          `${context}: diagnostics and paths`,
        );
        assert.deepEqual(outlineExperiment(text, parser), outlineExperiment(text), `${context}: outline`);
        const position = positionOf(text, random.int(0, text.length));
        assert.deepEqual(
          hoverExperiment(text, position, corpus.filePath, parser),
          hoverExperiment(text, position, corpus.filePath),
          `${context}: hover at ${JSON.stringify(position)}`,
        );
      }
      // The property must be exercised on the assembled path, not only on fall-backs to a whole parse.
      assert.ok(
        assembled >= corpus.edits / 10,
        `only ${assembled} of ${corpus.edits} parses were assembled from sections`,
      );
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
        assert.deepEqual(
          parseSnapshot(incremental),
          parseSnapshot(parseExperiment(text)),
          `${corpus.name}, value edit ${step}: parse`,
        );
      }
      // Values that stay plain and safe are most of these edits; the rest (a value turned into `-x`, `.`, ...) re-parse.
      assert.ok(patched >= edits / 2, `only ${patched} of ${edits} value edits were applied in place`);
    });
  }
});

/**
 * The 2,000-line experiment's long list as a quarter as many two-line mappings (`- width: 64` / `  act: relu`), with a
 * comment line and a blank line before every 40th: entries of more than one line, and comments between them.
 */
function longListOfMappings(text: string): string {
  let item = 0;
  return text.replace(/^( *)- (\d+)\n/gm, (_line, indent: string, value: string) => {
    item++;
    if (item % 4 !== 0) return '';
    const separator = item % 160 === 0 ? `\n${indent}# layers from ${item}\n` : '';
    return `${separator}${indent}- width: ${value}\n${indent}  act: relu\n`;
  });
}

const STRUCTURAL_EDITS = [
  'item',
  'nested list',
  'delete',
  'clear',
  'blank',
  'spaces',
  'dash',
  'dash and space',
  'duplicate',
  'indent',
  'outdent',
  'comment',
  'comment out',
  'trailing comment',
  'quote',
] as const;

/** The line index to edit: mostly one inside a long block list (indented 6 or more), now and then any line. */
function lineToEdit(random: SeededRandom, lines: string[]): number {
  const listLines = lines.flatMap((line, index) => (/^ {6,}\S/.test(line) ? [index] : []));
  return random.chance(0.9) && listLines.length > 0 ? random.pick(listLines) : random.int(0, lines.length - 1);
}

/** One edit to the structure around a line, as the editor's line operations or a first keystroke on a new line make it. */
function structuralEdit(random: SeededRandom, text: string): string {
  const lines = text.split('\n');
  const at = lineToEdit(random, lines);
  const line = lines[at]!;
  const indent = /^ */.exec(line)![0];
  const insert = (inserted: string) => [...lines.slice(0, at), inserted, ...lines.slice(at)];
  const replace = (replaced: string) => [...lines.slice(0, at), replaced, ...lines.slice(at + 1)];
  const kind = random.pick(STRUCTURAL_EDITS);
  const edited = {
    item: () => insert(`${indent}- ${random.int(1, 999)}`),
    'nested list': () => insert(`${indent}-\n${indent}  - ${random.int(1, 999)}`),
    delete: () => [...lines.slice(0, at), ...lines.slice(at + 1)],
    clear: () => replace(random.chance(0.5) ? '' : indent),
    blank: () => insert(''),
    spaces: () => insert(' '.repeat(random.int(1, 10))),
    dash: () => insert(`${indent}-`),
    'dash and space': () => insert(`${indent}- `),
    duplicate: () => insert(line),
    indent: () => replace(`  ${line}`),
    outdent: () => replace(line.replace(/^ {1,2}/, '')),
    comment: () => insert(`${' '.repeat(random.int(0, 8))}# note`),
    'comment out': () => replace(`${indent}# ${line.trimStart()}`),
    'trailing comment': () => replace(`${line} # note`),
    // Not safe to read in a run: must be parsed with its section.
    quote: () => insert(`${indent}- "a`),
  }[kind]();
  return edited.join('\n');
}

/** The texts typing a new item after a line goes through: Enter (auto-indented or not), `-`, a space, digits. */
function typingNewItem(random: SeededRandom, text: string): string[] {
  const lines = text.split('\n');
  const at = lineToEdit(random, lines) + 1;
  const indent = /^ */.exec(lines[at - 1]!)![0];
  const typed = [random.chance(0.5) ? '' : indent, `${indent}-`, `${indent}- `];
  for (const digit of String(random.int(1, 999))) typed.push(typed[typed.length - 1] + digit);
  return typed.map((line) => [...lines.slice(0, at), line, ...lines.slice(at)].join('\n'));
}

describe('structural edits inside a long block list give what a whole parse gives', () => {
  const template = experimentTemplate({ name: 'structure', dataRoot: 'datasets/complete', synthetic: false });
  const long = twoThousandLines(template);
  const cases = [
    { name: '2,000-line experiment', text: long, edits: 100 },
    { name: 'long list of two-line mappings', text: longListOfMappings(long), edits: 50 },
  ];
  for (const corpus of cases) {
    it(`${corpus.name}: ${corpus.edits} seeded structural edits and typed items`, () => {
      const random = new SeededRandom(0x11e5 + corpus.text.length);
      const parser = new IncrementalExperimentParser();
      let text = corpus.text;
      parser.parse(text);
      let spliced = 0;
      let structural = 0;
      /** Parses `next` both ways and compares; returns whether it has no YAML errors. */
      const parseBoth = (next: string, context: string): boolean => {
        text = next;
        const incremental = parser.parse(text);
        const whole = parseExperiment(text);
        assert.deepEqual(parseSnapshot(incremental), parseSnapshot(whole), `${corpus.name}, ${context}: parse`);
        return whole.document!.errors.length === 0;
      };
      let lastClean = text;
      for (let step = 0; step < corpus.edits; step++) {
        // An edit that broke the text is undone, as a user would, so broken texts do not pile up.
        if (text !== lastClean) parseBoth(lastClean, `undo before edit ${step}`);
        const texts = random.chance(0.2) ? typingNewItem(random, text) : [structuralEdit(random, text)];
        for (const [keystroke, typed] of texts.entries()) {
          const fromCleanSections = parser.lastFallback === undefined && text === lastClean;
          const clean = parseBoth(typed, `edit ${step}.${keystroke}`);
          if (clean) lastClean = text;
          // Counted: edits from and to texts without errors (an error always makes the section or the whole text
          // parsed), digits typed after `- ` left out (one value changed: scalarEdit.ts's path).
          if (!fromCleanSections || !clean || parser.lastPatched > 0) continue;
          structural++;
          if (parser.lastSpliced > 0) spliced++;
        }
      }
      // Those not taken (a line outdented out of the list, an edit at its first item or next to a comment or blank
      // line) are parsed with their section.
      assert.ok(
        spliced >= structural * 0.8,
        `only ${spliced} of ${structural} structural edits re-parsed a run of the list`,
      );
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
    type Items = {
      items: { key: { range: number[] }; value: { items: { value: { value: unknown; range: number[] } }[] } }[];
    };
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

  it('re-parses only the run of list entries around a new item line and moves the items after it', () => {
    const list = 'name: t\nlayers:\n  - 1\n  - 2\n  - 3\n  - 4\nout: x\n';
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    type Items = { items: { value: { items: { value: unknown; range: number[] }[] } }[] };
    const before = (parser.parse(list).document!.contents as unknown as Items).items[1]!.value.items;
    const [one, four] = [before[0], before[3]];
    const parsed = parser.parse(list.replace('  - 3\n', '  - 9\n  - 3\n'));
    assert.equal(parser.lastSpliced, 1);
    const after = (parsed.document!.contents as unknown as Items).items[1]!.value.items;
    assert.deepEqual(
      after.map((item) => item.value),
      [1, 2, 9, 3, 4],
    );
    assert.equal(after[0], one, 'the item before the run is kept');
    assert.equal(after[4], four, 'the item after the run is kept');
    // "name: t\n" 8 + "layers:\n" 8 + four item lines of 6: the last item's value at 16 + 24 + 4 = 44, its line
    // break at 45; `out` starts at 46.
    assert.deepEqual(after[4]!.range, [44, 45, 46]);
    assert.deepEqual(
      (parsed.document!.contents as unknown as { items: { key: { range: number[] } }[] }).items[2]!.key.range[0],
      46,
    );
  });

  it('keeps blank lines, comments and empty items next to an edited list run as the whole parse reads them', () => {
    const list = (items: string) => `name: t\nlayers:\n  - 1\n  - 2\n${items}  - 7\n  - 8\nout: x\n`;
    const cases = [
      // A blank line or a comment just above an item belongs to it: the run must start above them, not below.
      [list('\n  - 3\n  - 4\n'), list('\n  - 3\n  - 9\n  - 4\n')],
      [list('  # about 3\n  - 3\n  - 4\n'), list('  # about 3\n  - 3\n  - 9\n  - 4\n')],
      // An empty item after a comment: its node lies past its own line, so that line is no proven item start.
      [list('  # note\n  -\n  - 3\n  - 4\n'), list('  # note\n  - \n  - 3\n  - 4\n')],
    ];
    for (const [before, after] of cases as [string, string][]) {
      const parser = new IncrementalExperimentParser({ minLines: 0 });
      parser.parse(before);
      const parsed = parser.parse(after);
      assert.equal(parser.lastSpliced, 1, JSON.stringify(after));
      assert.deepEqual(snapshot(parsed.document), snapshot(parseExperiment(after).document), JSON.stringify(after));
    }
  });

  it('parses the section again where a run of the list could read differently from the whole parse', () => {
    const list = `name: t\nlayers:\n${'  - 1\n'.repeat(6)}out: x\n`;
    // Before the fourth item line.
    const middle = list.indexOf('  - 1\n') + 3 * 6;
    const inserted = (line: string) => list.slice(0, middle) + line + list.slice(middle);
    // A comment less indented than the list, a quote (which could run on past the run), an item at the list's
    // first line (no item before it proves where the run starts).
    for (const text of [
      inserted('# a note\n'),
      inserted('  - "a b"\n'),
      list.replace('layers:\n', 'layers:\n  - 0\n'),
    ]) {
      const parser = new IncrementalExperimentParser({ minLines: 0 });
      parser.parse(list);
      const parsed = parser.parse(text);
      assert.equal(parser.lastSpliced, 0, JSON.stringify(text));
      assert.equal(parser.lastFallback, undefined, JSON.stringify(text));
      assert.deepEqual(snapshot(parsed.document), snapshot(parseExperiment(text).document));
    }
  });

  it('parses a quote left open across a section boundary whole, as the whole parse reads it', () => {
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    const open = 'name: "t\ndata:\n  root: x"\ntrain: {}\n';
    const parsed = parser.parse(open);
    assert.equal(parser.lastFallback, 'a section that does not parse on its own');
    assert.deepEqual(
      parsed.document!.errors.map((e) => e.pos),
      parseExperiment(open).document!.errors.map((e) => e.pos),
    );
  });

  it('parses a top-level key written twice whole, so the duplicate is reported', () => {
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    const parsed = parser.parse(`${text}name: u\n`);
    assert.equal(parser.lastFallback, 'a top-level key written twice');
    assert.deepEqual(
      parsed.document!.errors.map((e) => e.code),
      ['DUPLICATE_KEY'],
    );
  });

  it('keeps a nested duplicate key on the section path, with the error at its whole-text offset', () => {
    const parser = new IncrementalExperimentParser({ minLines: 0 });
    const parsed = parser.parse(text.replace('epochs: 3\n', 'epochs: 3\n  epochs: 4\n'));
    assert.equal(parser.lastFallback, undefined);
    // "name: t\n" 8 + "data:\n  root: x\n" 16 + "train:\n  epochs: 3\n" 19 + two spaces: the second "epochs" at 45.
    assert.deepEqual(
      parsed.document!.errors.map((e) => [e.code, e.pos[0]]),
      [['DUPLICATE_KEY', 45]],
    );
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

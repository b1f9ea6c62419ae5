// Where the splitter cuts an experiment into top-level sections, and the texts on which it refuses to (so the
// incremental parser parses them whole). Expected offsets are counted by hand from the texts below.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitTopLevelSections, type SectionSplit } from '../../core/experiment/topLevelSections';

function starts(split: SectionSplit): number[] {
  assert.ok('sections' in split, `expected sections, got a fall-back: ${'fallback' in split ? split.fallback : ''}`);
  return split.sections.map((section) => section.start);
}

function fallback(text: string): string {
  const split = splitTopLevelSections(text);
  assert.ok('fallback' in split, `expected a fall-back for ${JSON.stringify(text)}`);
  return split.fallback;
}

describe('splitting at top-level keys', () => {
  it('cuts before each top-level key, the first section keeping the leading comments', () => {
    // "# head\n" 0-6, "name: a\n" 7-14, "data:\n" 15-20, "  root: x\n" 21-30, "train: {}\n" 31-40
    const split = splitTopLevelSections('# head\nname: a\ndata:\n  root: x\ntrain: {}\n');
    assert.deepEqual(starts(split), [0, 15, 31]);
    assert.ok('sections' in split && split.sections.at(-1)!.end === 41);
  });

  it('gives column-0 comments above a key to its section and leaves blank lines above them behind', () => {
    // "a: 1\n" 0-4, "\n" 5, "# about b\n" 6-15, "# more\n" 16-22, "b: 2\n" 23-27
    const split = splitTopLevelSections('a: 1\n\n# about b\n# more\nb: 2\n');
    assert.deepEqual(starts(split), [0, 6]);
    assert.ok('sections' in split && split.sections[1]!.afterBlankLine && !split.sections[0]!.afterBlankLine);
  });

  it('does not cut below an indented comment, whose text may take the blank lines after it', () => {
    // "a:\n" 0-2, "  x: 1\n" 3-9, "  # last of a\n" 10-23, "\n" 24, "b: 2\n" 25-29, "c: 3\n" 30-34
    assert.deepEqual(starts(splitTopLevelSections('a:\n  x: 1\n  # last of a\n\nb: 2\nc: 3\n')), [0, 30]);
  });

  it('does not cut after a value left empty, which takes the column-0 comments below it', () => {
    // "a:\n" 0-2, "# about b\n" 3-12, "b: 1\n" 13-17, "c:\n" 18-20, "  x:\n" 21-25, "# about d\n" 26-35,
    // "d: 2\n" 36-40, "e: 3\n" 41-45
    const text = 'a:\n# about b\nb: 1\nc:\n  x:\n# about d\nd: 2\ne: 3\n';
    assert.deepEqual(starts(splitTopLevelSections(text)), [0, 18, 41]);
  });

  it('cuts only at plain keys at column 0 followed by ": " or the line end', () => {
    // "a:1" is a scalar, "  b: 2" is nested, "- c: 3" is a list item, "my key: 4" is not a plain name
    assert.deepEqual(starts(splitTopLevelSections('a: 0\na:1\n  b: 2\n- c: 3\nmy key: 4\nd:\n')), [0, 33]);
  });

  it('accepts & and * inside whole-line comments, and CRLF line ends', () => {
    assert.deepEqual(starts(splitTopLevelSections('a: 1\r\n# lr * 2 & more\r\nb: 2\r\n')), [0, 6]);
  });
});

describe('falling back to a whole parse', () => {
  const cases: [string, string, RegExp][] = [
    ['an anchor', 'a: &x 1\nb: 2\n', /anchor or alias/],
    ['an alias', 'a: 1\nb: *x\n', /anchor or alias/],
    ['an & in a trailing comment', 'a: 1 # this & that\nb: 2\n', /anchor or alias/],
    ['a document start marker', 'a: 1\n---\nb: 2\n', /document marker/],
    ['a document end marker', 'a: 1\n...\n', /document marker/],
    ['a directive', '%YAML 1.2\na: 1\n', /directive/],
    ['a tab in the indentation', 'a:\n\tx: 1\nb: 2\n', /tab/],
    ['content before the first key', '- item\na: 1\n', /line 1 is content before the first top-level key/],
    ['a byte order mark', '\uFEFFa: 1\nb: 2\n', /content before the first top-level key/],
    ['no top-level key', '- a\n- b\n', /no top-level key/],
    ['a lone carriage return', 'a: 1\rb: 2\n', /lone carriage return/],
  ];
  for (const [what, text, reason] of cases) {
    it(`on ${what}`, () => assert.match(fallback(text), reason));
  }
});

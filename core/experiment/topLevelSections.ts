// Splits an experiment text into top-level sections (`data:`, `model:`, `train:` ...) that the `yaml` package can
// parse one at a time with the same result as parsing the whole text, or says why that is not certain. The
// incremental parser (incrementalParse.ts) uses it so an edit re-parses only the section it touched.
//
// Hand-written because no YAML library offers it: the split must be decided from the raw text, before parsing,
// and it only needs the line-level facts below. It is deliberately conservative: whatever it is unsure about
// becomes a reason to parse the whole text, which is always correct. What it cannot see from single lines (a
// quoted scalar or a flow collection left open at the end of a section) makes that section's own parse report an
// error, and the incremental parser then falls back to a whole parse too.

export interface TopLevelSection {
  /** Offset of the section's first character; the first section starts at 0 and holds any leading comments. */
  start: number;
  /** Offset just past the section (the next section's start, or the text's length). */
  end: number;
  /** Whether the line just before the section is blank: the parser marks the key after it with `spaceBefore`. */
  afterBlankLine: boolean;
}

export type SectionSplit = { sections: TopLevelSection[] } | { fallback: string };

/** A plain top-level key at column 0 followed by `:` and a space or the line end: where a new section can start. */
const TOP_LEVEL_KEY = /^[A-Za-z_][\w.-]*:(?:[ \r]|$)/;

/**
 * A line that leaves a value empty (a key or a list dash with nothing, or only a comment, after it), at any
 * indentation. Over-matching only costs a larger section.
 */
const EMPTY_VALUE_LINE = /[:-][ \r]*(?:#.*)?$/;

type LineKind = 'blank' | 'comment' | 'indented-comment' | 'key' | 'content';

function kindOf(line: string): LineKind {
  if (TOP_LEVEL_KEY.test(line)) return 'key';
  const body = line.trimStart();
  if (body === '' || body === '\r') return 'blank';
  if (body.startsWith('#')) return body.length === line.length ? 'comment' : 'indented-comment';
  return 'content';
}

/** Why a single line makes any split unsafe, or undefined when it does not. */
function unsafeLine(line: string, kind: LineKind): string | undefined {
  if (/^ *\t/.test(line)) return 'a tab in the indentation';
  if (line.startsWith('---') || line.startsWith('...')) return 'a document marker (--- or ...)';
  if (line.startsWith('%')) return 'a directive (%)';
  // Anchors and aliases link nodes across sections. Any & or * outside a whole-line comment counts, even in a
  // quoted string or a trailing comment, because telling those apart would take a YAML lexer.
  if (kind !== 'comment' && kind !== 'indented-comment' && (line.includes('&') || line.includes('*'))) {
    return 'an anchor or alias (& or *)';
  }
  return undefined;
}

export function splitTopLevelSections(text: string): SectionSplit {
  // The parser counts a lone carriage return as a line break where this splitter, reading lines at "\n", does not.
  if (/\r(?!\n)/.test(text)) return { fallback: 'a line break that is a lone carriage return' };
  const lineStarts: number[] = [];
  const kinds: LineKind[] = [];
  for (let start = 0; start <= text.length;) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(start, end);
    const kind = kindOf(line);
    const unsafe = unsafeLine(line, kind);
    if (unsafe !== undefined) return { fallback: `line ${lineStarts.length + 1} has ${unsafe}` };
    lineStarts.push(start);
    kinds.push(kind);
    if (newline === -1) break;
    start = newline + 1;
  }

  const firstKey = kinds.indexOf('key');
  if (firstKey === -1) return { fallback: 'no top-level key at column 0' };
  const stray = kinds.slice(0, firstKey).findIndex((kind) => kind === 'content');
  if (stray !== -1) return { fallback: `line ${stray + 1} is content before the first top-level key` };

  const lineAt = (index: number) => text.slice(lineStarts[index]!, (lineStarts[index + 1] ?? text.length + 1) - 1);
  const sections: TopLevelSection[] = [];
  let sectionStart = 0;
  let afterBlankLine = false;
  for (let line = firstKey + 1; line < kinds.length; line++) {
    if (kinds[line] !== 'key') continue;
    // Comment lines at column 0 just above a key belong to that key (the parser makes them its commentBefore),
    // so the section starts at the first of them; blank lines above those stay with the previous section.
    let runStart = line;
    while (runStart > 0 && (kinds[runStart - 1] === 'comment' || kinds[runStart - 1] === 'blank')) runStart--;
    let before = runStart - 1;
    // An indented comment just before the run may take the blank lines after it into its own text: keep the two
    // keys in one section rather than predict that.
    if (kinds[before] === 'indented-comment') continue;
    // After a key or dash with no value (`description:`, `  threads:`), the parser gives the comments below it to
    // that empty value rather than to the next key: keep the two keys in one section too.
    const runHasComment = kinds.slice(runStart, line).includes('comment');
    if (runHasComment && before >= 0 && EMPTY_VALUE_LINE.test(lineAt(before))) continue;
    let first = runStart;
    while (kinds[first] === 'blank') first++;
    before = first - 1;
    sections.push({ start: sectionStart, end: lineStarts[first]!, afterBlankLine });
    sectionStart = lineStarts[first]!;
    afterBlankLine = kinds[before] === 'blank';
  }
  sections.push({ start: sectionStart, end: text.length, afterBlankLine });
  return { sections };
}

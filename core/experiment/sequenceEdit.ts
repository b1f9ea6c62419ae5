// An edit that changes the structure inside a long block list (Enter typed between items, `-` or `- ` alone, an
// item line deleted, pasted or duplicated, a line indented or outdented) would otherwise parse its whole section
// again: on the 2,000-line file, about a whole parse. Instead the run of list entries around the edit is parsed on
// its own, as a root block list at the same column, and its items replace the old ones in the cached section;
// everything after the run moves by the change in length. The result must equal a fresh parse (test/experiment/
// incrementalParse.test.ts compares them field by field), so the run is taken only where that is certain:
//
// - The run starts and ends at entry lines (`<indent>-`) of the list, each just after a content line (not blank,
//   not a comment: those attach to the next item, which a run cut there would not see). The start line lies
//   wholly before the edit and the text before it is unchanged, so the parser reaches it as before: at a new item
//   of this list. The old parse proves that by having no errors and an item ending before that line and the next
//   starting on it.
// - The run's new text stays inside the list (no line less indented) and holds nothing whose reading could reach
//   past its end: no quotes, flow collections, block scalars, tags, anchors, aliases, tabs or carriage returns.
//   Its own parse must have no errors or warnings (at the root, anything but an entry at the list's column after
//   the list is an error), so the line after it, an entry line of the list, is read as the next item, as before.
//
// Hand-written because `yaml` re-parses only whole documents.
import { isSeq, parseAllDocuments, type Document, type Node, type YAMLSeq } from 'yaml';
import { nodesAround } from './nodesAround';
import { shiftOffsets } from './shiftOffsets';
import type { TextEdit } from './textEdit';

/** How many lines the run may reach beyond the edited ones to find entry lines to start and end at. */
const MAX_LINES_AROUND_EDIT = 40;

/** Characters that can open something read across lines or give a node a name or type; comment lines may hold any. */
const RISKY_CHARACTER = /["'`[\]{}|>!&*%@\t\r]/;

function lineStartAt(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

/** The start of the line before the one starting at `lineStart` (which must not be the first). */
function previousLineStart(text: string, lineStart: number): number {
  return lineStartAt(text, lineStart - 1);
}

/** Whether the line starting at `lineStart` opens an item at column `indent`: `indent` spaces, `-`, then a space or the line end. */
function isEntryLine(text: string, lineStart: number, indent: number): boolean {
  for (let i = lineStart; i < lineStart + indent; i++) if (text[i] !== ' ') return false;
  const after = text[lineStart + indent + 1];
  return text[lineStart + indent] === '-' && (after === ' ' || after === '\n' || after === undefined);
}

/** Whether the line before the one starting at `lineStart` has content: not blank, not only a comment. */
function followsContentLine(text: string, lineStart: number): boolean {
  if (lineStart === 0) return false;
  const body = text.slice(previousLineStart(text, lineStart), lineStart - 1).trimStart();
  return body !== '' && !body.startsWith('#');
}

/**
 * The index of the item of `list` whose `-` opens the line starting at `lineStart` (an offset in the source, which
 * starts at `origin` in the document), or -1 when that is not certain: the line must be an entry line at the list's
 * column and the item before must end before it. The first item has no such proof and is never returned.
 */
function itemOpenedAt(list: YAMLSeq, origin: number, text: string, lineStart: number, indent: number): number {
  if (!isEntryLine(text, lineStart, indent)) return -1;
  const items = list.items as (Node | null)[];
  // Item values start after their `-`: the first item starting past this line's `-` is the candidate.
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((items[middle]?.range?.[0] ?? -Infinity) - origin < lineStart + indent + 1) low = middle + 1;
    else high = middle;
  }
  const previousEnd = items[low - 1]?.range?.[2];
  if (low === 0 || low === items.length || previousEnd === undefined || !items[low]?.range) return -1;
  return previousEnd - origin <= lineStart ? low : -1;
}

/** Whether the run's new text reads the same at the root as inside the list at column `indent` (see the top of the file). */
function runStaysInList(run: string, indent: number): boolean {
  const lines = run.slice(0, -1).split('\n');
  for (const line of lines) {
    const body = line.trimStart();
    if (body === '') continue;
    const column = line.length - body.length;
    if (column < indent || line.includes('\t') || line.includes('\r')) return false;
    if (body.startsWith('#')) continue;
    if (RISKY_CHARACTER.test(line)) return false;
  }
  const last = lines[lines.length - 1]!.trimStart();
  return last !== '' && !last.startsWith('#');
}

/** The block lists whose text holds [from, to] (document offsets), innermost first. */
function blockListsAround(document: Document.Parsed, from: number, to: number): YAMLSeq[] {
  return nodesAround(document, from, to)
    .flatMap(({ node }) => (isSeq(node) && !node.flow ? [node] : []))
    .reverse();
}

/**
 * Applies `edit`, which turns `before` into `after` (the texts `document` was parsed from, offset by `origin` in
 * the document's offsets), by re-parsing the run of one block list's entries around it, when that is certain to give
 * what a fresh parse gives. Returns whether it did; the document is left untouched when it did not.
 */
export function applySequenceEdit(
  document: Document.Parsed,
  origin: number,
  before: string,
  after: string,
  edit: TextEdit,
  options: object,
): boolean {
  if (document.errors.length > 0 || document.warnings.length > 0) return false;
  const editEnd = edit.start + edit.removed;
  const delta = edit.inserted - edit.removed;
  for (const list of blockListsAround(document, origin + edit.start, origin + editEnd)) {
    const listStart = list.range![0] - origin;
    const indent = listStart - lineStartAt(before, listStart);
    if (before.slice(listStart - indent, listStart).trim() !== '') continue;

    // The run's first line: the nearest entry line ending before the edit whose item is proven to start there.
    let runStart = lineStartAt(before, edit.start);
    let first = -1;
    for (let tries = 0; first === -1 && runStart > listStart && tries < MAX_LINES_AROUND_EDIT; tries++) {
      runStart = previousLineStart(before, runStart);
      if (followsContentLine(before, runStart)) first = itemOpenedAt(list, origin, before, runStart, indent);
    }
    // Its end: the nearest entry line starting after the edit (so the line break before it is unchanged too).
    let runEnd = before.indexOf('\n', editEnd) + 1;
    let next = -1;
    for (let tries = 0; next === -1 && runEnd > 0 && tries < MAX_LINES_AROUND_EDIT; tries++) {
      if (followsContentLine(before, runEnd)) next = itemOpenedAt(list, origin, before, runEnd, indent);
      if (next === -1) runEnd = before.indexOf('\n', runEnd) + 1;
    }
    if (first === -1 || next === -1 || next <= first) continue;

    const run = after.slice(runStart, runEnd + delta);
    if (!runStaysInList(run, indent)) continue;
    const documents = parseAllDocuments(run, options);
    if (!Array.isArray(documents) || documents.length !== 1) continue;
    const parsed = documents[0]!;
    const runList = parsed.contents;
    if (parsed.errors.length > 0 || parsed.warnings.length > 0 || !isSeq(runList) || runList.flow) continue;
    // At the root, comments and blank lines around the list would belong to the document: the run has none.
    if (
      runList.range[0] !== indent ||
      parsed.commentBefore ||
      parsed.comment ||
      runList.commentBefore ||
      runList.comment
    )
      continue;

    shiftOffsets(parsed, -Infinity, origin + runStart);
    shiftOffsets(document, origin + runEnd, delta);
    list.items.splice(first, next - first, ...runList.items);
    return true;
  }
  return false;
}

// The edit typed most in an experiment file changes one plain value: a number, a name, a path (`epochs: 30` ->
// `epochs: 40`, a list item `- 512` -> `- 256`). Within a long section (a 1,960-item list, say) re-parsing the
// section costs as much as parsing the whole file, so such an edit is applied to the section's parsed Document
// instead: the scalar takes the value `yaml` gives its new text, and every offset after it moves by the change in
// length. The result must equal a fresh parse (test/experiment/incrementalParse.test.ts compares them field by
// field), so the edit is taken only where that is certain; otherwise the caller parses the section again.
import { isScalar, parseDocument, type Document, type Scalar } from 'yaml';
import { nodesAround } from './nodesAround';
import { shiftOffsets } from './shiftOffsets';
import type { TextEdit } from './textEdit';

/**
 * Characters of a value whose meaning cannot depend on its surroundings: no spaces, quotes, comment or flow
 * indicators, colons, anchors or tags. The first must not be an indicator either (a lone `-` or `.` is excluded
 * by requiring a letter, digit, `_` or `/` somewhere).
 */
const SAFE_VALUE = /^[A-Za-z0-9_./+-]*[A-Za-z0-9_/][A-Za-z0-9_./+-]*$/;

/** The value scalar (not a mapping key) whose text holds [from, to] (offsets as in the document), if any. */
function valueScalarAround(document: Document.Parsed, from: number, to: number): Scalar | undefined {
  const innermost = nodesAround(document, from, to).at(-1);
  return innermost !== undefined && !innermost.isKey && isScalar(innermost.node) ? innermost.node : undefined;
}

// Fields a parsed scalar takes from its own text; the rest (range, comments, spacing) from where it stands.
const PLACE_FIELDS = new Set(['range', 'comment', 'commentBefore', 'spaceBefore']);

/**
 * Applies `edit`, which turns `before` into `after` (the texts `document` was parsed from, offset by `origin` in
 * the document's offsets), when it changes only the text of one plain, untagged scalar into another safe value.
 * Returns whether it did; the document is left untouched when it did not.
 */
export function applyScalarEdit(
  document: Document.Parsed,
  origin: number,
  before: string,
  after: string,
  edit: TextEdit,
  options: object,
): boolean {
  if (document.errors.length > 0) return false;
  const scalar = valueScalarAround(document, origin + edit.start, origin + edit.start + edit.removed);
  if (scalar === undefined || scalar.type !== 'PLAIN' || scalar.tag !== undefined) return false;
  const [valueStart, valueEnd] = [scalar.range![0] - origin, scalar.range![1] - origin];
  const oldText = before.slice(valueStart, valueEnd);
  const newText = after.slice(valueStart, valueEnd + edit.inserted - edit.removed);
  if (!SAFE_VALUE.test(oldText) || !SAFE_VALUE.test(newText)) return false;
  const fresh = parseDocument(newText, options);
  if (
    fresh.errors.length > 0 ||
    fresh.warnings.length > 0 ||
    !isScalar(fresh.contents) ||
    fresh.contents.type !== 'PLAIN'
  )
    return false;

  const patched = scalar as unknown as Record<string, unknown>;
  for (const field of Object.keys(patched)) if (!PLACE_FIELDS.has(field)) delete patched[field];
  for (const [field, value] of Object.entries(fresh.contents)) if (!PLACE_FIELDS.has(field)) patched[field] = value;
  shiftOffsets(document, origin + valueEnd, edit.inserted - edit.removed);
  return true;
}

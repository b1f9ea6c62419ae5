// The one edit between two versions of a text, as the in-place updates of a parsed section need it
// (scalarEdit.ts, sequenceEdit.ts): the language server sees whole texts, not the editor's change events.

/** A single edit turning `before` into `after`: both differ only in [start, start + removed) -> [start, start + inserted). */
export interface TextEdit {
  start: number;
  removed: number;
  inserted: number;
}

/** The edit with the longest common prefix, then the longest common suffix of what is left. */
export function singleEdit(before: string, after: string): TextEdit {
  let start = 0;
  const shortest = Math.min(before.length, after.length);
  while (start < shortest && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < shortest - start &&
    before.charCodeAt(before.length - 1 - end) === after.charCodeAt(after.length - 1 - end)
  )
    end++;
  return { start, removed: before.length - start - end, inserted: after.length - start - end };
}

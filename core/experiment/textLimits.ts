// Texts no experiment can be, refused before the YAML parser sees them: an experiment is a few hundred short lines,
// but an editor hands the server whatever is in the buffer. Deep bracket nesting and megabyte-long lines (both
// found by the fuzzer, test/robustness) cost the parser seconds per keystroke; refusing them keeps every answer fast.
import { flowNestingOverflow, MAX_FLOW_DEPTH } from './nestingDepth';

/** Longest line accepted: far above any real experiment line (a long path or a list of levels). */
export const MAX_LINE_LENGTH = 4096;

/** Where and why a text is refused, or undefined when it is parsed as usual. */
export function textBeyondLimits(text: string): { offset: number; length: number; reason: string } | undefined {
  let lineStart = 0;
  let lineNumber = 1;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline;
    if (lineEnd - lineStart > MAX_LINE_LENGTH) {
      return {
        offset: lineStart,
        length: MAX_LINE_LENGTH,
        reason: `Line ${lineNumber} is ${lineEnd - lineStart} characters long; an experiment's lines are at most ${MAX_LINE_LENGTH}. Was generated or binary content pasted here?`,
      };
    }
    if (newline === -1) break;
    lineStart = newline + 1;
    lineNumber += 1;
  }
  const overflow = flowNestingOverflow(text);
  if (overflow === undefined) return undefined;
  return {
    offset: overflow,
    length: 1,
    reason: `YAML: lists or maps ([ or {) nest more than ${MAX_FLOW_DEPTH} levels deep here; an experiment needs at most 4.`,
  };
}

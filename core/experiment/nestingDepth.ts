// How deeply a YAML text nests flow collections ([...] and {...}), found without parsing it. The `yaml` package
// parses flow collections recursively: a line of 100,000 unclosed "[" (a fuzzer found this, see
// test/robustness/lspFuzz.test.ts) makes it overflow the stack and recover, which took 2-4 s per keystroke in the
// language server. An experiment nests at most four levels, so a text deeper than MAX_FLOW_DEPTH is reported at
// the first bracket past the limit instead of being parsed.

export const MAX_FLOW_DEPTH = 64;

/** The offset of the first "[" or "{" nested deeper than `limit`, or undefined when the text stays within it. */
export function flowNestingOverflow(text: string, limit = MAX_FLOW_DEPTH): number | undefined {
  let depth = 0;
  // A bracket or quote opens a collection or a quoted scalar only where a value can start: at a line start, after
  // an indicator ("key: ", "- ", "? ", and in flow context "," or a bracket). Elsewhere it is text of a plain
  // scalar, as in `name: a[1`.
  let valueCanStart = true;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\n') {
      valueCanStart = true;
      continue;
    }
    if (char === ' ' || char === '\t' || char === '\r') continue;
    const previous = text[i - 1];
    if (char === '#' && (i === 0 || previous === ' ' || previous === '\t' || previous === '\n')) {
      const end = text.indexOf('\n', i);
      if (end < 0) return undefined;
      i = end - 1;
      continue;
    }
    const next = text[i + 1];
    const spaceFollows = next === undefined || next === ' ' || next === '\t' || next === '\n' || next === '\r';
    if ((char === '"' || char === "'") && valueCanStart) {
      i = quotedScalarEnd(text, i);
      valueCanStart = false;
    } else if ((char === '[' || char === '{') && valueCanStart) {
      depth++;
      if (depth > limit) return i;
    } else if ((char === ']' || char === '}') && depth > 0) {
      depth--;
      valueCanStart = false;
    } else if (char === ',' && depth > 0) {
      valueCanStart = true;
    } else {
      valueCanStart = (char === ':' && (spaceFollows || depth > 0)) || ((char === '-' || char === '?') && spaceFollows);
    }
  }
  return undefined;
}

/** The offset of the closing quote of the scalar opened at `start` (or the text's end when it is never closed). */
function quotedScalarEnd(text: string, start: number): number {
  const quote = text[start]!;
  for (let i = start + 1; i < text.length; i++) {
    const char = text[i]!;
    if (quote === '"' && char === '\\') i++;
    else if (char === quote) {
      // '' inside a single-quoted scalar is an escaped quote.
      if (quote === "'" && text[i + 1] === "'") i++;
      else return i;
    }
  }
  return text.length;
}

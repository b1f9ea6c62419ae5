// Parses an experiment file with the `yaml` package, keeping every node's source range so diagnostics, hover
// and the outline can point at exact characters.
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type Node,
  type Pair,
  type Scalar,
} from 'yaml';
import { textBeyondLimits } from './textLimits';
import type { Position, Range } from './positions';

export interface ParsedExperiment {
  text: string;
  /** The first YAML document; an experiment file holds exactly one. */
  document: Document.Parsed | undefined;
  /** Documents after the first, reported as an error. */
  extraDocuments: Document.Parsed[];
  lines: LineCounter;
  /** Set when the text is refused before parsing (see textLimits): where, and why. `document` is then undefined. */
  unparsed?: { offset: number; length: number; reason: string };
}

/**
 * Turns a text into a ParsedExperiment. Validation, hover and the outline take one: the language server passes
 * each open document's incremental parser (incrementalParse.ts); everything else parses the whole text.
 */
export interface ExperimentParser {
  parse(text: string): ParsedExperiment;
}

export const wholeTextParser: ExperimentParser = { parse: (text) => parseExperiment(text) };

/** Line starts at every "\n", as the parser records them, for texts it does not see whole. */
export function lineCounterOf(text: string): LineCounter {
  const lines = new LineCounter();
  lines.addNewLine(0);
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines.addNewLine(i + 1);
  return lines;
}

/**
 * Runs a `yaml` parse without capturing stack traces for its errors. The parser makes one YAMLError per problem,
 * and a fuzzed line of 300,000 quotes has 150,000 of them; nothing reads their stack traces, whose capture was
 * 60% of that parse (3 s -> 1.2 s without it).
 */
export function withoutStackTraces<T>(parse: () => T): T {
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return parse();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
}

/** The options every experiment parse uses, whole or by section, so both give the same nodes and errors. */
export const YAML_PARSE_OPTIONS = { uniqueKeys: true, prettyErrors: false } as const;

/** One parse of the whole text: the reference the incremental parser must match exactly. */
export function parseExperiment(text: string): ParsedExperiment {
  const unparsed = textBeyondLimits(text);
  if (unparsed !== undefined) {
    // The parser is what records line starts; without it they are found here, so positions still map.
    return { text, document: undefined, extraDocuments: [], lines: lineCounterOf(text), unparsed };
  }
  const lines = new LineCounter();
  const documents = withoutStackTraces(() => parseAllDocuments(text, { lineCounter: lines, ...YAML_PARSE_OPTIONS }));
  // parseAllDocuments returns an EmptyStream (an array-like with no documents) for blank input.
  const list = Array.isArray(documents) ? documents : [];
  return { text, document: list[0], extraDocuments: list.slice(1), lines };
}

export function positionAt(parsed: ParsedExperiment, offset: number): Position {
  const { line, col } = parsed.lines.linePos(Math.max(0, Math.min(offset, parsed.text.length)));
  return { line: line - 1, character: col - 1 };
}

export function offsetAt(parsed: ParsedExperiment, position: Position): number {
  const starts = parsed.lines.lineStarts;
  if (position.line >= starts.length) return parsed.text.length;
  const lineStart = starts[Math.max(0, position.line)] ?? 0;
  const nextStart = starts[position.line + 1] ?? parsed.text.length + 1;
  return Math.min(lineStart + position.character, nextStart - 1, parsed.text.length);
}

export function rangeOf(parsed: ParsedExperiment, start: number, end: number): Range {
  return { start: positionAt(parsed, start), end: positionAt(parsed, end) };
}

/** The source range of a node's value, or of the key when the node is a pair. */
export function nodeRange(parsed: ParsedExperiment, node: Node | Pair | null | undefined): Range | undefined {
  if (!node) return undefined;
  if (isPair(node)) return nodeRange(parsed, node.key as Node);
  const range = (node as Node).range;
  if (!range) return undefined;
  return rangeOf(parsed, range[0], range[1]);
}

/** The text of a scalar key, or undefined for complex keys, which experiments never use. */
export function keyName(pair: Pair): string | undefined {
  return isScalar(pair.key) && pair.key.value !== null && pair.key.value !== undefined
    ? String(pair.key.value)
    : undefined;
}

/** A range covering the key and its value, for outlines. */
export function pairRange(parsed: ParsedExperiment, pair: Pair): Range | undefined {
  const key = pair.key as Node | null;
  if (!key?.range) return undefined;
  const value = pair.value as Node | null;
  let end = Math.max(value?.range ? value.range[1] : key.range[1], key.range[1]);
  // A block value's range runs on to the start of the next key; the pair ends at its last visible character.
  while (end > key.range[1] && /\s/.test(parsed.text[end - 1] ?? '')) end--;
  return rangeOf(parsed, key.range[0], end);
}

export interface PathStep {
  pair: Pair;
  key: string;
}

/**
 * The chain of mapping pairs containing `offset`, outermost first, and whether the offset sits on the
 * last pair's key. Used by hover to know which field and which value the cursor is on.
 */
export function pairsAt(
  parsed: ParsedExperiment,
  offset: number,
): { steps: PathStep[]; onKey: boolean; leaf?: Scalar } {
  const steps: PathStep[] = [];
  let node: unknown = parsed.document?.contents;
  let onKey = false;
  let leaf: Scalar | undefined;
  for (;;) {
    if (isMap(node)) {
      const pair = node.items.find((item) => containsOffset(item, offset));
      const key = pair ? keyName(pair) : undefined;
      if (!pair || key === undefined) break;
      steps.push({ pair, key });
      const keyRange = (pair.key as Node).range;
      if (keyRange && offset >= keyRange[0] && offset <= keyRange[1]) {
        onKey = true;
        break;
      }
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items.find((entry) => containsOffset(entry, offset));
      if (!item) break;
      node = item;
    } else {
      if (isScalar(node)) leaf = node;
      break;
    }
  }
  return { steps, onKey, leaf };
}

function containsOffset(item: unknown, offset: number): boolean {
  if (isPair(item)) {
    const start = (item.key as Node | null)?.range?.[0];
    const value = item.value as Node | null;
    const end = value?.range?.[1] ?? (item.key as Node | null)?.range?.[1];
    return start !== undefined && end !== undefined && offset >= start && offset <= end;
  }
  const range = (item as Node | null)?.range;
  return range !== undefined && range !== null && offset >= range[0] && offset <= range[1];
}

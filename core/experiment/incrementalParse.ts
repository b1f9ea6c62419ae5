// An experiment parser for one open document that re-parses only the top-level sections an edit changed. On a
// 2,000-line file the `yaml` parse of the whole text is most of the time per keystroke (~15 ms of ~16 ms); an edit
// in one section costs a parse of that section plus stitching the cached others back into one Document, whose
// nodes, ranges, comments, errors and warnings are identical to what a whole parse gives (test/experiment/
// incrementalParse.test.ts checks this on random edits). Whenever that identity is not certain the whole text is
// parsed instead, so the result is always the whole parse's.
import {
  Document,
  isMap,
  isScalar,
  parseAllDocuments,
  YAMLMap,
  type Pair,
  type YAMLError,
  type YAMLWarning,
} from 'yaml';
import {
  lineCounterOf,
  parseExperiment,
  withoutStackTraces,
  YAML_PARSE_OPTIONS,
  type ExperimentParser,
  type ParsedExperiment,
} from './parse';
import { textBeyondLimits } from './textLimits';
import { applyScalarEdit } from './scalarEdit';
import { applySequenceEdit } from './sequenceEdit';
import { shiftOffsets } from './shiftOffsets';
import { singleEdit } from './textEdit';
import { splitTopLevelSections, type TopLevelSection } from './topLevelSections';

/** Below this many lines a whole parse takes about a millisecond; sections would only add bookkeeping. */
export const DEFAULT_MIN_LINES = 200;

/**
 * Parsed before every section but the first, so the section is read as the parser reads it in the middle of the
 * document: after a complete top-level pair (for a whole parse, comments and blank lines at a document's start
 * belong to the document, in its middle to the next key). Its pair is dropped from the result.
 */
const PRECEDING_KEY = 'radlab-preceding-section';
const PRECEDING_PAIR = `${PRECEDING_KEY}: 0\n`;

interface ParsedSection {
  document: Document.Parsed;
  /** The section's own top-level pairs. */
  pairs: Pair[];
  /** The whole-text offset that offset 0 of the parsed string currently maps to; nodes are shifted when it moves. */
  origin: number;
}

export interface IncrementalParserOptions {
  /** Texts with fewer lines are parsed whole. */
  minLines?: number;
}

/**
 * The parser for one document. A parse it returns shares its nodes with the cache, which the next parse shifts
 * to that text's offsets: read a result before parsing again (the language server handles one request at a time).
 */
export class IncrementalExperimentParser implements ExperimentParser {
  private readonly minLines: number;
  /** The sections of the last text split successfully, by the exact string parsed for them. */
  private sections = new Map<string, ParsedSection | null>();
  /** The parsed strings of the last text's sections, in order: where an edit in one section came from. */
  private lastSources: string[] = [];
  /** Why the last parse was done whole, or undefined when it was assembled from sections (for tests). */
  lastFallback: string | undefined;
  /** How many sections the last parse updated for an edit inside one value instead of parsing them (for tests). */
  lastPatched = 0;
  /** How many sections the last parse updated by re-parsing a run of one list's entries instead of them (for tests). */
  lastSpliced = 0;

  constructor(options: IncrementalParserOptions = {}) {
    this.minLines = options.minLines ?? DEFAULT_MIN_LINES;
  }

  /**
   * Whether the last text had a YAML error (beyond duplicate keys). While it has, an edit in the section holding
   * the error would pay twice (that section's parse, found unusable, then the whole parse), so an edit that
   * changes most of the text goes straight to the whole parse.
   */
  private broken = false;

  parse(text: string): ParsedExperiment {
    const assembled = withoutStackTraces(() => this.assemble(text));
    if (typeof assembled !== 'string') {
      this.lastFallback = undefined;
      this.broken = false;
      return assembled;
    }
    this.lastFallback = assembled;
    const whole = parseExperiment(text);
    this.broken = whole.document?.errors.some((error) => error.code !== 'DUPLICATE_KEY') ?? false;
    return whole;
  }

  /** The parse of `text` from its sections, or why it must be parsed whole. */
  private assemble(text: string): ParsedExperiment | string {
    if (lineCount(text) < this.minLines) return 'a short text';
    if (textBeyondLimits(text) !== undefined) return 'a text beyond the limits';
    const split = splitTopLevelSections(text);
    if ('fallback' in split) return split.fallback;
    if (split.sections.length < 2) return 'a single top-level section';

    const sources = split.sections.map((section, index) => {
      const prefix = index === 0 ? '' : PRECEDING_PAIR + (section.afterBlankLine ? '\n' : '');
      return { section, prefixLength: prefix.length, source: prefix + text.slice(section.start, section.end) };
    });
    const unknownLength = sources.reduce((sum, { source }) => sum + (this.sections.has(source) ? 0 : source.length), 0);
    if (this.broken && unknownLength > text.length / 2) return 'most of a text with a YAML error changed';

    const parsed = new Map<string, ParsedSection | null>();
    const ordered: ParsedSection[] = [];
    const newSources = new Set(sources.map(({ source }) => source));
    this.lastPatched = 0;
    this.lastSpliced = 0;
    for (const [index, { section, prefixLength, source }] of sources.entries()) {
      const known = parsed.has(source)
        ? parsed.get(source)
        : (this.sections.get(source) ?? this.patchedSection(index, source, newSources));
      const entry = known !== undefined ? known : parseSection(source, prefixLength);
      // Unusable sections are remembered too: while one stays broken, edits elsewhere need not parse it again.
      parsed.set(source, entry);
      if (entry === null) continue;
      moveTo(entry, section, prefixLength);
      ordered.push(entry);
    }
    this.sections = parsed;
    this.lastSources = sources.map(({ source }) => source);
    if (ordered.length < split.sections.length) return 'a section that does not parse on its own';
    if (hasDuplicateKeys(ordered)) return 'a top-level key written twice';
    return joinSections(text, ordered);
  }

  /**
   * The last text's section at the same place, updated in place to `source` when the edit between the two stays
   * inside one plain value (scalarEdit.ts) or inside a run of one block list's entries (sequenceEdit.ts);
   * undefined when it does not, or the old text is still in use by another section.
   */
  private patchedSection(index: number, source: string, newSources: Set<string>): ParsedSection | undefined {
    const previous = this.lastSources[index];
    if (previous === undefined || newSources.has(previous)) return undefined;
    const entry = this.sections.get(previous);
    if (!entry) return undefined;
    const edit = singleEdit(previous, source);
    if (applyScalarEdit(entry.document, entry.origin, previous, source, edit, YAML_PARSE_OPTIONS)) this.lastPatched++;
    else if (applySequenceEdit(entry.document, entry.origin, previous, source, edit, YAML_PARSE_OPTIONS))
      this.lastSpliced++;
    else return undefined;
    return entry;
  }
}

function lineCount(text: string): number {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  return count;
}

/**
 * One section's parse, or null when it cannot stand for its part of the whole parse. A syntax error may come from
 * the split itself (a quote or bracket left open at the section's end reads differently without what follows),
 * so any error but a duplicate key makes the whole text parsed instead. Duplicate keys are found after the text
 * is read, within one mapping, and a section holds its mappings whole.
 */
function parseSection(source: string, prefixLength: number): ParsedSection | null {
  const documents = parseAllDocuments(source, YAML_PARSE_OPTIONS);
  if (!Array.isArray(documents) || documents.length !== 1) return null;
  const document = documents[0]!;
  const contents = document.contents;
  if (document.errors.some((error) => error.code !== 'DUPLICATE_KEY' || error.pos[0] < prefixLength)) return null;
  if (!isMap(contents) || contents.flow) return null;
  const pairs = contents.items as Pair[];
  const own = prefixLength > 0 ? pairs.slice(1) : pairs;
  if (own.length === 0) return null;
  if (prefixLength > 0 && !(isScalar(pairs[0]!.key) && pairs[0]!.key.value === PRECEDING_KEY)) return null;
  // The section's own key with the preceding pair's name would be a duplicate only here.
  if (own.some((pair) => isScalar(pair.key) && pair.key.value === PRECEDING_KEY)) return null;
  return { document, pairs: own, origin: 0 };
}

/** Shifts a section's nodes, errors and warnings so their offsets are those of the whole text, where it now starts. */
function moveTo(entry: ParsedSection, section: TopLevelSection, prefixLength: number): void {
  const origin = section.start - prefixLength;
  const delta = origin - entry.origin;
  if (delta === 0) return;
  entry.origin = origin;
  shiftOffsets(entry.document, -Infinity, delta);
}

/** A whole parse reports the same top-level key twice; sections parsed apart cannot see each other's keys. */
function hasDuplicateKeys(sections: ParsedSection[]): boolean {
  const seen = new Set<unknown>();
  for (const section of sections) {
    for (const pair of section.pairs) {
      // Complex keys (a map or list as key) are compared by the parser in ways not worth predicting.
      if (!isScalar(pair.key)) return true;
      if (seen.has(pair.key.value)) return true;
      seen.add(pair.key.value);
    }
  }
  return false;
}

/** The Document a whole parse gives, built from the sections' nodes (already at their whole-text offsets). */
function joinSections(text: string, sections: ParsedSection[]): ParsedExperiment {
  const lines = lineCounterOf(text);
  const first = sections[0]!.document;
  const last = sections[sections.length - 1]!.document;
  const document = new Document(undefined, { ...first.options, lineCounter: lines }) as Document.Parsed;
  const firstMap = first.contents as YAMLMap;
  const lastMap = last.contents as YAMLMap;
  const map = new YAMLMap(document.schema);
  map.items = sections.flatMap((section) => section.pairs);
  map.range = [firstMap.range![0], lastMap.range![1], lastMap.range![2]];
  if (firstMap.commentBefore !== undefined) map.commentBefore = firstMap.commentBefore;
  if (firstMap.spaceBefore !== undefined) map.spaceBefore = firstMap.spaceBefore;
  if (lastMap.comment !== undefined) map.comment = lastMap.comment;
  document.contents = map as YAMLMap.Parsed;
  document.range = [first.range[0], last.range[1], last.range[2]];
  document.commentBefore = first.commentBefore;
  document.comment = last.comment;
  document.errors = sections.flatMap((section): YAMLError[] => section.document.errors);
  document.warnings = sections.flatMap((section): YAMLWarning[] => section.document.warnings);
  return { text, document, extraDocuments: [], lines };
}

// Validation of an experiment file: YAML syntax, the schema, the cross-field rules and the files it names.
// One pure function from text to diagnostics, shared by the language server and `radlab validate`.
import { checkDataset, checkPaths, checkWeightsFolder, type DatasetFolders } from './checkFiles';
import {
  backbonesOf,
  checkFixedInputSize,
  checkFolds,
  checkRefine,
  checkSlices,
  checkSplitSum,
  checkUnfreeze,
} from './checkRules';
import { checkStepMemory } from './checkMemory';
import { checkStructure } from './checkStructure';
import { checkFrozenRandom, checkImagenetWeights, checkSidedFlip } from './checkTraining';
import { rangeOf, wholeTextParser, type ExperimentParser, type ParsedExperiment } from './parse';
import type { DiagnosticCode, ExperimentDiagnostic } from './positions';
import { referencedPathsOf } from './referencedPaths';
import { experimentSchema } from './schema';

export interface ValidationOptions {
  /** Absolute path of the experiment file; relative paths inside it are resolved from its folder. */
  filePath: string;
  /** Look inside the dataset folder (CSV headers); off when the editor's setting says so. */
  checkDataset: boolean;
  /** How to parse the text: the language server's incremental parser for an open document; a whole parse if unset. */
  parser?: ExperimentParser;
  /** Dataset folders to offer as data.root when it is missing or not a dataset; asked only then. */
  datasetFolders?: DatasetFolders;
}

// A fuzzed line of 300,000 quotes is 150,000 YAML errors: listing them all made a 30 MB diagnostics message that
// stalled the editor, while nobody reads past the first screenful.
const MAX_YAML_PROBLEMS = 100;

function yamlProblems(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const documents = [parsed.document, ...parsed.extraDocuments].filter((d) => d !== undefined);
  const problems = documents.flatMap((document) => [
    ...document.errors.map((error) => ({ error, severity: 'error' as const })),
    ...document.warnings.map((error) => ({ error, severity: 'warning' as const })),
  ]);
  const diagnostics = problems.slice(0, MAX_YAML_PROBLEMS).map(({ error, severity }): ExperimentDiagnostic => {
    const code: DiagnosticCode = error.code === 'DUPLICATE_KEY' ? 'duplicate-key' : 'yaml-syntax';
    // The yaml package appends a source excerpt to its messages; the editor already shows the source.
    const message = error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    const tabs = error.code === 'TAB_AS_INDENT' ? ' Indent with spaces: YAML does not allow tabs.' : '';
    // The parser marks only a duplicate key's first character; underline the whole key.
    const keyLength =
      code === 'duplicate-key' ? (/^[^:\n]*/.exec(parsed.text.slice(error.pos[0]))?.[0].trimEnd().length ?? 1) : 1;
    return {
      range: rangeOf(parsed, error.pos[0], Math.max(error.pos[1], error.pos[0] + keyLength)),
      severity,
      code,
      message: `${code === 'duplicate-key' ? 'Duplicate key: this key is already set above in the same mapping.' : `YAML: ${message}.`}${tabs}`,
      fixes: [],
    };
  });
  if (problems.length > MAX_YAML_PROBLEMS) {
    const last = problems[MAX_YAML_PROBLEMS]!.error.pos[0];
    diagnostics.push({
      range: rangeOf(parsed, last, last + 1),
      severity: 'error',
      code: 'yaml-syntax',
      message: `YAML: ${problems.length - MAX_YAML_PROBLEMS} more problems from here on are not listed; fix the ones above first.`,
      fixes: [],
    });
  }
  for (const extra of parsed.extraDocuments) {
    const start = extra.range[0];
    diagnostics.push({
      range: rangeOf(parsed, start, start + 3),
      severity: 'error',
      code: 'yaml-syntax',
      message:
        'An experiment file holds one YAML document; remove this "---" and what follows, or move it to its own file.',
      fixes: [],
    });
  }
  return diagnostics;
}

export function validateParsed(parsed: ParsedExperiment, options: ValidationOptions): ExperimentDiagnostic[] {
  if (parsed.unparsed !== undefined) {
    const { offset, length, reason } = parsed.unparsed;
    return [
      {
        range: rangeOf(parsed, offset, offset + length),
        severity: 'error',
        code: 'yaml-syntax',
        message: `${reason} The file is not checked further until this is fixed.`,
        fixes: [],
      },
    ];
  }
  if (parsed.text.trim() === '' || parsed.document?.contents === null || parsed.document === undefined) {
    return [
      {
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        severity: 'error',
        code: 'empty-document',
        message:
          'The experiment file is empty. Run "RadLab: New Experiment" for a commented template, or add name, data and model.',
        fixes: [],
      },
    ];
  }
  const syntax = yamlProblems(parsed);
  // A document the YAML parser could not read has no trustworthy structure: report only the syntax errors,
  // except duplicate keys, which leave the rest readable.
  if (syntax.some((d) => d.severity === 'error' && d.code === 'yaml-syntax')) return syntax;
  const structure = checkStructure(parsed, experimentSchema);
  const rules = [
    ...checkSplitSum(parsed),
    ...checkFolds(parsed),
    ...checkUnfreeze(parsed),
    ...checkSlices(parsed),
    ...checkFixedInputSize(parsed),
    ...checkRefine(parsed),
    ...checkFrozenRandom(parsed),
    ...checkImagenetWeights(parsed),
    ...checkSidedFlip(parsed),
    ...checkStepMemory(parsed),
  ];
  const files = [
    ...checkPaths(parsed, structure.paths, options.filePath, options.datasetFolders),
    ...checkWeightsFolder(parsed, options.filePath, backbonesOf(parsed)),
    ...(options.checkDataset ? checkDataset(parsed, options.filePath, options.datasetFolders) : []),
  ];
  return [...syntax, ...structure.diagnostics, ...rules, ...files];
}

export function validateExperiment(text: string, options: ValidationOptions): ExperimentDiagnostic[] {
  return analyzeExperiment(text, options).diagnostics;
}

/**
 * validateExperiment and referencedPaths from one parse, for a caller (the language server) that wants both
 * for the same text: each alone parses it, which on a long file costs as much as the checks themselves.
 * `faults` are the internal errors behind any "could not check" diagnostic, with their stacks, for the log.
 */
export function analyzeExperiment(
  text: string,
  options: ValidationOptions,
): { diagnostics: ExperimentDiagnostic[]; referencedPaths: string[]; faults: unknown[] } {
  const faults: unknown[] = [];
  let parsed: ParsedExperiment;
  try {
    parsed = (options.parser ?? wholeTextParser).parse(text);
  } catch (error) {
    return { diagnostics: [internalError(error)], referencedPaths: [], faults: [error] };
  }
  let diagnostics: ExperimentDiagnostic[];
  try {
    diagnostics = validateParsed(parsed, options);
  } catch (error) {
    faults.push(error);
    diagnostics = [internalError(error)];
  }
  let paths: string[];
  try {
    paths = referencedPathsOf(parsed, options.filePath);
  } catch (error) {
    faults.push(error);
    paths = [];
  }
  return { diagnostics, referencedPaths: paths, faults };
}

// Validation must answer on any input; an internal fault becomes a visible diagnostic, not a crash.
function internalError(error: unknown): ExperimentDiagnostic {
  return {
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    severity: 'error',
    code: 'yaml-syntax',
    message: `RadLab could not check this file (internal error: ${error instanceof Error ? error.message : String(error)}). Please report it.`,
    fixes: [],
  };
}

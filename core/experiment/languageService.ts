// What an editor needs to know about experiment files, as pure functions of the text. The language server
// only wires these to LSP; `radlab validate` uses the same validation.
export type {
  CompletionEntry,
  DiagnosticCode,
  ExperimentDiagnostic,
  HoverInfo,
  OutlineSymbol,
  Position,
  QuickFix,
  Range,
  Severity,
  TextEdit,
} from './positions';
export { analyzeExperiment, validateExperiment, type ValidationOptions } from './validate';
export { completeExperiment } from './complete';
export { hoverExperiment } from './hover';
export { outlineExperiment } from './outline';
export { referencedPaths } from './referencedPaths';

// Source positions and the results the experiment language service returns. Positions are 0-based lines and
// UTF-16 characters, the convention of LSP and of JavaScript strings, so the server passes them through.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  edit: TextEdit;
}

export type DiagnosticCode =
  | 'yaml-syntax'
  | 'unknown-key'
  | 'wrong-type'
  | 'out-of-range'
  | 'bad-enum'
  | 'missing-required'
  | 'duplicate-key'
  | 'duplicate-item'
  | 'split-sum'
  | 'path-missing'
  | 'dataset-incomplete'
  | 'condition-missing'
  | 'unfreeze-too-many'
  | 'frozen-random'
  | 'no-imagenet-weights'
  | 'flip-swaps-side'
  | 'step-memory'
  | 'refine-without-localizer'
  | 'empty-document';

export interface ExperimentDiagnostic {
  range: Range;
  severity: Severity;
  message: string;
  code: DiagnosticCode;
  fixes: QuickFix[];
}

export interface CompletionEntry {
  label: string;
  kind: 'key' | 'value' | 'file' | 'folder';
  detail?: string;
  documentation?: string;
  insertText: string;
  range?: Range;
}

export interface HoverInfo {
  markdown: string;
  range: Range;
}

export interface OutlineSymbol {
  name: string;
  detail: string;
  kind: 'section' | 'field' | 'list';
  range: Range;
  selectionRange: Range;
  children: OutlineSymbol[];
}

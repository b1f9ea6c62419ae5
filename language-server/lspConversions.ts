// Turns the editor-neutral results of core/experiment/languageService into LSP types. Kept apart from the
// server so the mapping (and the quick-fix payload carried through Diagnostic.data) is in one place.
import {
  CodeAction,
  CodeActionKind,
  CompletionItem,
  CompletionItemKind,
  Diagnostic,
  DiagnosticSeverity,
  DocumentSymbol,
  Hover,
  InsertTextFormat,
  MarkupKind,
  SymbolInformation,
  SymbolKind,
} from 'vscode-languageserver/node';
import type {
  CompletionEntry,
  ExperimentDiagnostic,
  HoverInfo,
  OutlineSymbol,
  QuickFix,
  Severity,
} from '../core/experiment/languageService';

export const diagnosticSource = 'radlab';

/** What a published diagnostic carries in `data`, so a later codeAction request can rebuild its fixes. */
export interface DiagnosticFixData {
  /** Document version the fixes were computed for; fixes of an older version would edit the wrong text. */
  version: number;
  fixes: QuickFix[];
}

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toLspDiagnostic(diagnostic: ExperimentDiagnostic, version: number): Diagnostic {
  const data: DiagnosticFixData = { version, fixes: diagnostic.fixes };
  return {
    range: diagnostic.range,
    severity: severities[diagnostic.severity] ?? DiagnosticSeverity.Error,
    code: diagnostic.code,
    source: diagnosticSource,
    message: diagnostic.message,
    data,
  };
}

/** Reads back the fixes a diagnostic was published with, when they still apply to `currentVersion`. */
export function fixesFromDiagnosticData(data: unknown, currentVersion: number): QuickFix[] {
  if (typeof data !== 'object' || data === null) return [];
  const { version, fixes } = data as Partial<DiagnosticFixData>;
  if (version !== currentVersion || !Array.isArray(fixes)) return [];
  return fixes.filter(
    (fix): fix is QuickFix =>
      typeof fix === 'object' && fix !== null && typeof fix.title === 'string' && typeof fix.edit === 'object',
  );
}

export function toQuickFixAction(fix: QuickFix, diagnostic: Diagnostic, uri: string, preferred: boolean): CodeAction {
  return {
    title: fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: preferred,
    edit: { changes: { [uri]: [{ range: fix.edit.range, newText: fix.edit.newText }] } },
  };
}

const completionKinds: Record<CompletionEntry['kind'], CompletionItemKind> = {
  key: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
  file: CompletionItemKind.File,
  folder: CompletionItemKind.Folder,
};

export function toCompletionItem(entry: CompletionEntry, index: number): CompletionItem {
  const item: CompletionItem = {
    label: entry.label,
    kind: completionKinds[entry.kind] ?? CompletionItemKind.Text,
    // The core returns entries in a meaningful order (schema order for keys, registry order for backbones);
    // without sortText the client would re-sort them alphabetically.
    sortText: String(index).padStart(5, '0'),
    insertTextFormat: InsertTextFormat.PlainText,
  };
  if (entry.detail !== undefined) item.detail = entry.detail;
  if (entry.documentation !== undefined) {
    item.documentation = { kind: MarkupKind.Markdown, value: entry.documentation };
  }
  if (entry.range !== undefined) {
    item.textEdit = { range: entry.range, newText: entry.insertText };
  } else {
    item.insertText = entry.insertText;
  }
  return item;
}

export function toHover(info: HoverInfo): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: info.markdown }, range: info.range };
}

const symbolKinds: Record<OutlineSymbol['kind'], SymbolKind> = {
  section: SymbolKind.Module,
  field: SymbolKind.Field,
  list: SymbolKind.Array,
};

export function toDocumentSymbol(symbol: OutlineSymbol): DocumentSymbol {
  return {
    // LSP clients reject a symbol with an empty name (VS Code throws), so an empty key gets a visible one.
    name: symbol.name === '' ? '""' : symbol.name,
    detail: symbol.detail,
    kind: symbolKinds[symbol.kind] ?? SymbolKind.Field,
    range: symbol.range,
    selectionRange: symbol.selectionRange,
    children: symbol.children.map(toDocumentSymbol),
  };
}

/** For clients without hierarchical symbol support: the same tree, flattened, each naming its parent. */
export function toSymbolInformation(
  symbols: OutlineSymbol[],
  uri: string,
  containerName?: string,
): SymbolInformation[] {
  return symbols.flatMap((symbol) => {
    const converted = toDocumentSymbol(symbol);
    const own: SymbolInformation = {
      name: converted.name,
      kind: converted.kind,
      location: { uri, range: symbol.range },
    };
    if (containerName !== undefined) own.containerName = containerName;
    return [own, ...toSymbolInformation(symbol.children, uri, converted.name)];
  });
}

// The RadLab language server: LSP over stdio for `*.experiment.yaml` files. All language knowledge lives in
// core/experiment/languageService (pure functions shared with `radlab validate`); this file only keeps documents,
// schedules validation, watches the files an experiment refers to and translates to and from LSP.
import {
  CodeAction,
  CodeActionKind,
  CodeActionParams,
  CompletionItem,
  createConnection,
  Diagnostic,
  DidChangeConfigurationNotification,
  DocumentSymbol,
  Hover,
  InitializeParams,
  InitializeResult,
  ProposedFeatures,
  SymbolInformation,
  TextDocuments,
  TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  completeExperiment,
  type ExperimentDiagnostic,
  hoverExperiment,
  outlineExperiment,
  analyzeExperiment,
} from '../core/experiment/languageService';
import { IncrementalExperimentParser } from '../core/experiment/incrementalParse';
import { findDatasetFolders } from '../core/data/datasetFolders';
import { experimentPathForDocument, filePathOfUri } from './documentPaths';
import { describeError, guarded } from './guardedHandler';
import {
  fixesFromDiagnosticData,
  toCompletionItem,
  toDocumentSymbol,
  toHover,
  toLspDiagnostic,
  toQuickFixAction,
  toSymbolInformation,
} from './lspConversions';
import { ReferencedPathWatcher } from './referencedPathWatcher';
import { ValidationSettingsStore } from './validationSettings';

/** How often referenced files are stat-polled: a dataset appearing shows up in the editor within this time.
 * `--reference-poll-ms=N` changes it (tests lengthen it to prove that didChangeWatchedFiles alone works). */
function referencePollIntervalMs(): number {
  const option = process.argv.find((arg) => arg.startsWith('--reference-poll-ms='));
  const value = Number(option?.slice('--reference-poll-ms='.length));
  return Number.isInteger(value) && value > 0 ? value : 1000;
}

const connection = createConnection(ProposedFeatures.all);
const documents = new TextDocuments(TextDocument);
const logError = (message: string): void => connection.console.error(message);

// A bug anywhere must not end the process: the editor would lose diagnostics until a manual restart.
process.on('uncaughtException', (error) => logError(`RadLab language server: uncaught ${error.stack ?? error}`));
process.on('unhandledRejection', (reason) => logError(`RadLab language server: unhandled rejection ${String(reason)}`));

let settings: ValidationSettingsStore | undefined;
let workspaceRoot: string | undefined;
let hierarchicalSymbols = false;
let registerConfigurationChanges = false;

/** The document version whose referenced paths are being watched. */
const watchedVersions = new Map<string, number>();

/** What was last sent per document, to leave out re-sending identical diagnostics. */
const lastPublished = new Map<string, { version: number; json: string }>();

/** The last diagnostics computed per document, for matching codeAction requests to their fixes. */
const latestDiagnostics = new Map<string, { version: number; diagnostics: ExperimentDiagnostic[] }>();

/** One incremental parser per open document: an edit re-parses only the top-level sections it changed. */
const parsers = new Map<string, IncrementalExperimentParser>();

function documentParser(uri: string): IncrementalExperimentParser {
  let parser = parsers.get(uri);
  if (parser === undefined) {
    parser = new IncrementalExperimentParser();
    parsers.set(uri, parser);
  }
  return parser;
}

const watcher = new ReferencedPathWatcher((uris) => uris.forEach(requestValidation), referencePollIntervalMs());

connection.onInitialize(
  guarded(logError, 'initialize', { capabilities: {} }, (params: InitializeParams): InitializeResult => {
    const capabilities = params.capabilities;
    const answersConfiguration = capabilities.workspace?.configuration === true;
    settings = new ValidationSettingsStore(connection, answersConfiguration);
    registerConfigurationChanges =
      answersConfiguration && capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    hierarchicalSymbols = capabilities.textDocument?.documentSymbol?.hierarchicalDocumentSymbolSupport === true;
    const firstFolder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    workspaceRoot = firstFolder === undefined ? undefined : filePathOfUri(firstFolder);
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        completionProvider: { triggerCharacters: [':', ' ', '/', '-'], resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: { label: 'RadLab experiment' },
      },
      serverInfo: { name: 'radlab-language-server' },
    };
  }),
);

connection.onInitialized(
  guarded(logError, 'initialized', undefined, async () => {
    if (registerConfigurationChanges) {
      await connection.client.register(DidChangeConfigurationNotification.type, { section: 'radlab' });
    }
  }),
);

connection.onDidChangeConfiguration(
  guarded(logError, 'didChangeConfiguration', undefined, (change) => {
    settings?.configurationChanged(change.settings);
    documents.all().forEach((document) => requestValidation(document.uri));
  }),
);

// Validation is coalesced to one run per document per turn of the event loop: a burst of didChange messages
// read in one chunk is validated once, and a single edit pays no timer delay.
const pendingValidation = new Set<string>();
let validationScheduled = false;

function requestValidation(uri: string): void {
  pendingValidation.add(uri);
  if (validationScheduled) return;
  validationScheduled = true;
  setImmediate(() => {
    validationScheduled = false;
    const uris = [...pendingValidation];
    pendingValidation.clear();
    for (const pending of uris) void validateAndPublish(pending);
  });
}

/** How long a search of the workspace for dataset folders is reused: typing in a broken data.root asks on each edit. */
const DATASET_SEARCH_REUSE_MS = 5000;
let datasetSearch: { at: number; folders: string[] } | undefined;

/** The workspace's dataset folders, offered as data.root quick fixes (searched only when a file needs them). */
function workspaceDatasetFolders(): string[] {
  if (workspaceRoot === undefined) return [];
  if (datasetSearch === undefined || Date.now() - datasetSearch.at > DATASET_SEARCH_REUSE_MS) {
    datasetSearch = { at: Date.now(), folders: findDatasetFolders(workspaceRoot) };
  }
  return datasetSearch.folders;
}

const validateAndPublish = guarded(logError, 'validation', undefined, async (uri: string): Promise<void> => {
  if (documents.get(uri) === undefined) return;
  const { checkDataset } = settings === undefined ? { checkDataset: true } : await settings.forDocument(uri);
  // Read the document after the settings arrive: an edit made meanwhile must not be published as stale.
  const document = documents.get(uri);
  if (document === undefined) return;
  const filePath = experimentPathForDocument(uri, workspaceRoot);
  const text = document.getText();
  const { diagnostics, referencedPaths, faults } = analyzeExperiment(text, {
    filePath,
    checkDataset,
    parser: documentParser(uri),
    datasetFolders: workspaceDatasetFolders,
  });
  // The user sees a "could not check" diagnostic; the log gets what a fix needs.
  for (const fault of faults) logError(`RadLab language server: validation of ${uri} failed.\n${describeError(fault)}`);
  latestDiagnostics.set(uri, { version: document.version, diagnostics });
  latestPaths.set(uri, { version: document.version, paths: referencedPaths });
  if (watchedVersions.get(uri) !== document.version) scheduleWatchRefresh(uri);
  const converted = diagnostics.map((diagnostic) => toLspDiagnostic(diagnostic, document.version));
  const published = JSON.stringify(converted);
  const previous = lastPublished.get(uri);
  // A re-validation that changes nothing (a setting or an unrelated file changed) is not sent again.
  if (previous !== undefined && previous.version === document.version && previous.json === published) return;
  lastPublished.set(uri, { version: document.version, json: published });
  await connection.sendDiagnostics({ uri, version: document.version, diagnostics: converted });
});

// Validation also finds the paths a document refers to (from the same parse); the watcher is updated with them
// once the document has been quiet for a moment, since taking a watch baseline stats every path. Until then the
// document counts as affected by any watched-file event, and a newly watched path (whose baseline is taken
// after the validation that looked at it) triggers one more validation, so no change in between is lost.
const latestPaths = new Map<string, { version: number; paths: string[] }>();
const watchRefreshDelayMs = 200;
const watchRefreshTimers = new Map<string, NodeJS.Timeout>();

function scheduleWatchRefresh(uri: string): void {
  clearTimeout(watchRefreshTimers.get(uri));
  const timer = setTimeout(() => refreshWatchedPaths(uri), watchRefreshDelayMs);
  timer.unref();
  watchRefreshTimers.set(uri, timer);
}

function watchedPathsStale(uri: string): boolean {
  const document = documents.get(uri);
  return document !== undefined && watchedVersions.get(uri) !== document.version;
}

const refreshWatchedPaths = guarded(logError, 'watched paths refresh', undefined, (uri: string): void => {
  watchRefreshTimers.delete(uri);
  const document = documents.get(uri);
  if (document === undefined || !watchedPathsStale(uri)) return;
  const found = latestPaths.get(uri);
  // A newer edit is still being validated; its validation schedules the next refresh.
  if (found === undefined || found.version !== document.version) return;
  const added = watcher.setPaths(uri, found.paths);
  watchedVersions.set(uri, document.version);
  if (added) requestValidation(uri);
});

documents.onDidOpen(guarded(logError, 'didOpen', undefined, (event) => requestValidation(event.document.uri)));
documents.onDidChangeContent(
  guarded(logError, 'didChange', undefined, (event) => requestValidation(event.document.uri)),
);
documents.onDidClose(
  guarded(logError, 'didClose', undefined, (event) => {
    const uri = event.document.uri;
    pendingValidation.delete(uri);
    latestDiagnostics.delete(uri);
    latestPaths.delete(uri);
    parsers.delete(uri);
    watchedVersions.delete(uri);
    lastPublished.delete(uri);
    clearTimeout(watchRefreshTimers.get(uri));
    watchRefreshTimers.delete(uri);
    watcher.forget(uri);
    settings?.forget(uri);
    void connection.sendDiagnostics({ uri, diagnostics: [] });
  }),
);

connection.onDidChangeWatchedFiles(
  guarded(logError, 'didChangeWatchedFiles', undefined, (params) => {
    const affected = new Set(documents.keys().filter(watchedPathsStale));
    for (const change of params.changes) {
      const changedPath = filePathOfUri(change.uri);
      if (changedPath === undefined) continue;
      for (const uri of watcher.documentsAffectedBy(changedPath)) affected.add(uri);
    }
    affected.forEach(requestValidation);
  }),
);

connection.onCompletion(
  guarded(logError, 'completion', [] as CompletionItem[], (params): CompletionItem[] => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined) return [];
    const filePath = experimentPathForDocument(document.uri, workspaceRoot);
    return completeExperiment(document.getText(), params.position, filePath).map(toCompletionItem);
  }),
);

connection.onHover(
  guarded(logError, 'hover', null, (params): Hover | null => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined) return null;
    const filePath = experimentPathForDocument(document.uri, workspaceRoot);
    const text = document.getText();
    const info = hoverExperiment(text, params.position, filePath, documentParser(document.uri));
    return info === null ? null : toHover(info);
  }),
);

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** The fixes for a diagnostic the client sends back: matched by range and code against the latest validation of
 * the current text, falling back to the fixes it was published with when they are for the current version. */
function fixesFor(diagnostic: Diagnostic, uri: string, currentVersion: number) {
  const latest = latestDiagnostics.get(uri);
  if (latest !== undefined && latest.version === currentVersion) {
    const match = latest.diagnostics.find(
      (candidate) => candidate.code === diagnostic.code && sameRange(candidate.range, diagnostic.range),
    );
    if (match !== undefined) return match.fixes;
  }
  return fixesFromDiagnosticData(diagnostic.data, currentVersion);
}

connection.onCodeAction(
  guarded(logError, 'codeAction', [] as CodeAction[], (params: CodeActionParams): CodeAction[] => {
    const uri = params.textDocument.uri;
    const document = documents.get(uri);
    if (document === undefined) return [];
    const only = params.context.only;
    if (only !== undefined && !only.some((kind) => kind === CodeActionKind.Empty || kind === CodeActionKind.QuickFix)) {
      return [];
    }
    return params.context.diagnostics.flatMap((diagnostic) => {
      const fixes = fixesFor(diagnostic, uri, document.version);
      return fixes.map((fix) => toQuickFixAction(fix, diagnostic, uri, fixes.length === 1));
    });
  }),
);

connection.onDocumentSymbol(
  guarded(logError, 'documentSymbol', [] as DocumentSymbol[] | SymbolInformation[], (params) => {
    const document = documents.get(params.textDocument.uri);
    if (document === undefined) return [];
    const text = document.getText();
    const outline = outlineExperiment(text, documentParser(document.uri));
    return hierarchicalSymbols ? outline.map(toDocumentSymbol) : toSymbolInformation(outline, document.uri);
  }),
);

connection.onShutdown(() => watcher.dispose());

documents.listen(connection);
connection.listen();

// A minimal LSP client for tests and benchmarks: starts the real bundled server (dist/server.js) as a child
// process and speaks JSON-RPC to it over stdio, the way an editor does. It answers the requests the server sends
// to the client (configuration, capability registration) and records notifications for the tests to wait on.
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  type MessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  InitializeResult,
  LogMessageParams,
  PublishDiagnosticsParams,
  TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol';

export const serverBundle = resolve(__dirname, '../../dist/server.js');

export interface LspClientOptions {
  /** Value returned for `radlab.validation.checkDataset` through workspace/configuration. */
  checkDataset?: boolean;
  /** Advertise workspace/configuration support (otherwise the server relies on pushed settings). */
  answerConfiguration?: boolean;
  /** Extra command-line arguments for the server, e.g. `--reference-poll-ms=60000`. */
  serverArgs?: string[];
}

export const fullClientCapabilities: ClientCapabilities = {
  workspace: {
    configuration: true,
    didChangeConfiguration: { dynamicRegistration: true },
    didChangeWatchedFiles: { dynamicRegistration: false },
  },
  textDocument: {
    synchronization: { didSave: false, dynamicRegistration: false },
    publishDiagnostics: { relatedInformation: false, versionSupport: true },
    completion: { completionItem: { snippetSupport: false, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
  },
};

interface DiagnosticsWaiter {
  uri: string;
  accept: (params: PublishDiagnosticsParams) => boolean;
  resolve: (params: PublishDiagnosticsParams) => void;
}

export function fileUri(path: string): string {
  return pathToFileURL(path).href;
}

export class LspTestClient {
  readonly logs: LogMessageParams[] = [];
  readonly published: PublishDiagnosticsParams[] = [];
  private readonly waiters = new Set<DiagnosticsWaiter>();
  private readonly versions = new Map<string, number>();
  private exited: Promise<number | null>;
  private exitCode: number | null | undefined;
  checkDataset: boolean;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
    options: LspClientOptions,
  ) {
    this.checkDataset = options.checkDataset ?? true;
    this.exited = new Promise((resolveExit) =>
      child.once('exit', (code) => {
        this.exitCode = code;
        resolveExit(code);
      }),
    );
  }

  static start(options: LspClientOptions = {}): LspTestClient {
    if (!existsSync(serverBundle)) {
      throw new Error(`${serverBundle} is missing: run \`npm run build\` before the LSP tests.`);
    }
    const child = spawn(process.execPath, [serverBundle, '--stdio', ...(options.serverArgs ?? [])], {
      stdio: 'pipe',
    });
    // Server stderr is kept visible: anything there is a crash report worth seeing in the test output.
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(`[server stderr] ${chunk.toString()}`));
    const connection = createMessageConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    );
    const client = new LspTestClient(child, connection, options);
    client.wire(options.answerConfiguration ?? true);
    connection.listen();
    return client;
  }

  private wire(answerConfiguration: boolean): void {
    this.connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.published.push(params);
      for (const waiter of this.waiters) {
        if (waiter.uri === params.uri && waiter.accept(params)) {
          this.waiters.delete(waiter);
          waiter.resolve(params);
        }
      }
    });
    this.connection.onNotification('window/logMessage', (params: LogMessageParams) => this.logs.push(params));
    this.connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => {
      if (!answerConfiguration) throw new Error('this client does not answer workspace/configuration');
      return params.items.map((item) =>
        item.section === 'radlab.validation' ? { checkDataset: this.checkDataset } : null,
      );
    });
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
  }

  async initialize(workspaceFolder?: string, capabilities = fullClientCapabilities): Promise<InitializeResult> {
    const folderUri = workspaceFolder === undefined ? null : fileUri(workspaceFolder);
    const result = await this.connection.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: folderUri,
      capabilities,
      workspaceFolders: folderUri === null ? null : [{ uri: folderUri, name: 'workspace' }],
    });
    await this.connection.sendNotification('initialized', {});
    return result;
  }

  /** Resolves with the first diagnostics published for `uri` (from now on) that `accept` takes. */
  waitForDiagnostics(
    uri: string,
    accept: (params: PublishDiagnosticsParams) => boolean = () => true,
    timeoutMs = 5000,
  ): Promise<PublishDiagnosticsParams> {
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const last = this.published.filter((p) => p.uri === uri).at(-1);
        reject(new Error(`no matching diagnostics for ${uri} within ${timeoutMs} ms; last: ${JSON.stringify(last)}`));
      }, timeoutMs);
      const waiter: DiagnosticsWaiter = {
        uri,
        accept,
        resolve: (params) => {
          clearTimeout(timer);
          resolvePromise(params);
        },
      };
      this.waiters.add(waiter);
    });
  }

  /** Opens a document and resolves with the diagnostics published for that version. */
  async open(uri: string, text: string): Promise<PublishDiagnosticsParams> {
    this.versions.set(uri, 1);
    const published = this.waitForDiagnostics(uri, (p) => p.version === 1);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'radlab-experiment', version: 1, text },
    });
    return published;
  }

  /** Sends a didChange and resolves with the diagnostics published for the new version. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    const published = this.waitForDiagnostics(uri, (p) => p.version === version);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: changes,
    });
    return published;
  }

  async close(uri: string): Promise<void> {
    this.versions.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest<R>(method, params);
  }

  get alive(): boolean {
    return this.exitCode === undefined && this.child.exitCode === null;
  }

  /** Errors the server logged (the guarded handlers log every exception they swallow). */
  errorLogs(): string[] {
    return this.logs.filter((log) => log.type === 1).map((log) => log.message);
  }

  /** The LSP shutdown/exit handshake; resolves with the server's exit code. */
  async shutdown(): Promise<number | null> {
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await Promise.race([
      this.exited,
      new Promise<'timeout'>((resolveTimeout) => setTimeout(() => resolveTimeout('timeout'), 5000)),
    ]);
    this.connection.dispose();
    if (code === 'timeout') {
      this.child.kill();
      throw new Error('the server did not exit within 5 s after shutdown/exit');
    }
    return code;
  }

  /** Ends the server without the handshake (cleanup after a failed test). */
  kill(): void {
    this.connection.dispose();
    if (this.alive) this.child.kill();
  }
}

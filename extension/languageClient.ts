// Starts the RadLab language server (dist/server.js, bundled beside this file) over stdio. The client stays thin:
// every piece of experiment knowledge lives in the server and core/experiment.
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';

export const EXPERIMENT_LANGUAGE_ID = 'radlab-experiment';

// The id prefixes the `radlab.trace.server` setting that the client reads to trace its traffic.
const CLIENT_ID = 'radlab';

// Files a workspace can gain, lose or change that alter an experiment's diagnostics: the experiments themselves,
// the three RSNA CSVs, the image folder and pretrained weights. Run folders (events, checkpoints) are left out on
// purpose: they change constantly during training and never affect validation. Paths outside the workspace are
// polled by the server itself.
const WATCHED_GLOB =
  '**/{*.experiment.yaml,*.experiment.yml,train.csv,train_label_coordinates.csv,train_series_descriptions.csv,train_images,*.pth,*.safetensors}';

export function createLanguageClient(context: vscode.ExtensionContext): LanguageClient {
  const serverModule = context.asAbsolutePath('dist/server.js');
  const server = { module: serverModule, transport: TransportKind.stdio };
  const serverOptions: ServerOptions = { run: server, debug: server };
  const watcher = vscode.workspace.createFileSystemWatcher(WATCHED_GLOB);
  const outputChannel = vscode.window.createOutputChannel('RadLab Language Server');
  context.subscriptions.push(watcher, outputChannel);
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: EXPERIMENT_LANGUAGE_ID }],
    synchronize: { configurationSection: 'radlab', fileEvents: watcher },
    outputChannel,
  };
  return new LanguageClient(CLIENT_ID, 'RadLab Language Server', serverOptions, clientOptions);
}

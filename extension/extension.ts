// Extension host entry point: starts the language server and registers the commands this build implements.
// Command ids are written as literals in registerCommand calls so test/extension can compare them with the
// manifest.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createLanguageClient } from './languageClient';
import { newExperiment } from './newExperiment/newExperimentCommand';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(vscode.commands.registerCommand('radlab.newExperiment', newExperiment));
  client = createLanguageClient(context);
  try {
    await client.start();
  } catch (error) {
    // The commands stay usable without the server; its own output channel holds the details.
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(`RadLab: the language server did not start (${message}). See the "RadLab Language Server" output.`);
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

// Extension host entry point: registers the commands, the Runs view and the DICOM editor, then starts the
// language server. The runs come first so the view and commands work even if the server fails to start. Every
// contributed command activates the extension (VS Code adds an onCommand event for each), so the palette offers
// them all from the start.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { registerCommands } from './commands';
import { createLanguageClient } from './languageClient';
import { registerDicomEditor } from './panels';
import { registerRuns } from './runs/runsFeature';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const runs = registerRuns(context);
  registerCommands(context, runs);
  context.subscriptions.push(registerDicomEditor(context));

  client = createLanguageClient(context);
  try {
    await client.start();
  } catch (error) {
    // The commands stay usable without the server; its own output channel holds the details.
    const message = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `RadLab: the language server did not start (${message}). See the "RadLab Language Server" output.`,
    );
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

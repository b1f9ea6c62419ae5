// "Generate Synthetic Dataset": asks for a folder and a number of studies, then runs `radlab synth` through the
// process runner with a cancellable progress notification and its output in the "RadLab Runs" channel.
import * as vscode from 'vscode';
import { startProcess } from '../runs/processRunner';
import { currentCli, type RunsFeature } from '../runs/runsFeature';
import { studiesProblem, synthArguments } from './synthArguments';
import { requireTrust } from './workspaceTrust';

async function generateSyntheticDataset(context: vscode.ExtensionContext, feature: RunsFeature): Promise<void> {
  if (!(await requireTrust('Generating a synthetic dataset'))) return;
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri;
  const folder = await vscode.window.showOpenDialog({
    title: 'RadLab: Generate Synthetic Dataset (1/2): folder to write it to (an empty or new folder)',
    openLabel: 'Write the dataset here',
    canSelectFiles: false,
    canSelectFolders: true,
    defaultUri: workspace,
  });
  const out = folder?.[0]?.fsPath;
  if (out === undefined) return;
  const studies = await vscode.window.showInputBox({
    title: 'RadLab: Generate Synthetic Dataset (2/2)',
    prompt: 'Number of studies (each has the three RSNA series with five labelled levels)',
    value: '40',
    ignoreFocusOut: true,
    validateInput: studiesProblem,
  });
  if (studies === undefined) return;

  const cli = currentCli(context);
  const args = [...cli.baseArgs, ...synthArguments(out, studies)];
  feature.output.appendLine(`$ ${[cli.command, ...args].join(' ')}`);
  const stderr: string[] = [];
  let cancelled = false;
  const exit = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `RadLab: writing ${studies.trim()} synthetic studies`,
      cancellable: true,
    },
    (_progress, token) => {
      const child = startProcess(
        { command: cli.command, args, env: cli.env },
        {
          onStdoutLine: (line) => feature.output.appendLine(line),
          onStderrLine: (line) => {
            feature.output.appendLine(line);
            stderr.push(line);
          },
        },
      );
      token.onCancellationRequested(() => {
        cancelled = true;
        void child.stop();
      });
      return child.exited;
    },
  );
  if (exit.code === 0) {
    const preview = 'Preview Dataset';
    const choice = await vscode.window.showInformationMessage(`RadLab: synthetic dataset written to ${out}.`, preview);
    if (choice === preview) await vscode.commands.executeCommand('radlab.previewDataset', vscode.Uri.file(out));
    return;
  }
  if (cancelled) {
    void vscode.window.showInformationMessage(
      `RadLab: writing the synthetic dataset was cancelled; ${out} may hold part of it.`,
    );
    return;
  }
  const reason =
    exit.startError !== undefined
      ? `the CLI could not start: ${exit.startError.message}; check the radlab.nodePath setting`
      : stderr.length > 0
        ? stderr.slice(-3).join(' ')
        : `exit code ${exit.code}`;
  const showLog = 'Show Log';
  const choice = await vscode.window.showErrorMessage(
    `RadLab: the synthetic dataset was not written (${reason}).`,
    showLog,
  );
  if (choice === showLog) feature.output.show();
}

export function registerSynthCommand(context: vscode.ExtensionContext, feature: RunsFeature): vscode.Disposable {
  return vscode.commands.registerCommand('radlab.generateSyntheticDataset', () =>
    generateSyntheticDataset(context, feature),
  );
}

// "Generate Synthetic Dataset": asks for a folder (new or empty, typed so it need not exist yet) and a number of
// studies, then runs `radlab synth` through the process runner with a cancellable progress notification and its
// output in the "RadLab Runs" channel.
import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SYNTHETIC_DATA_ROOT } from '../newExperiment/experimentLocation';
import { startProcess } from '../runs/processRunner';
import { currentCli, type RunsFeature } from '../runs/runsFeature';
import { studiesProblem, synthArguments, synthFolderOf, synthFolderProblem } from './synthArguments';
import { requireTrust } from './workspaceTrust';

/** A path that exists as a file cannot receive a dataset; a missing path or a folder can. */
async function notAFolderProblem(text: string, workspace: string | undefined): Promise<string | undefined> {
  const folder = synthFolderOf(text, workspace);
  if (folder === undefined) return undefined;
  try {
    const stat = await vscode.workspace.fs.stat(vscode.Uri.file(folder));
    return stat.type & vscode.FileType.Directory ? undefined : `${text.trim()} is a file: enter a folder.`;
  } catch {
    return undefined;
  }
}

async function generateSyntheticDataset(context: vscode.ExtensionContext, feature: RunsFeature): Promise<void> {
  if (!(await requireTrust('Generating a synthetic dataset'))) return;
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  // An input box rather than a folder dialog: the dialog only accepts folders that exist, and a new folder is what
  // a dataset usually wants.
  const typed = await vscode.window.showInputBox({
    title: 'RadLab: Generate Synthetic Dataset (1/2): folder to write it to',
    prompt:
      workspace === undefined
        ? 'Absolute path of an empty or new folder (created when it does not exist)'
        : 'Folder relative to the workspace, or an absolute path: an empty or new folder (created when it does not exist)',
    value: workspace === undefined ? path.join(homedir(), 'synthetic-lsdc') : SYNTHETIC_DATA_ROOT,
    ignoreFocusOut: true,
    validateInput: async (text) => synthFolderProblem(text, workspace) ?? (await notAFolderProblem(text, workspace)),
  });
  const out = typed === undefined ? undefined : synthFolderOf(typed, workspace);
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

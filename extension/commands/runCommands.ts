// Run Experiment, Stop Run, Resume Run, Reveal Run Folder and Refresh Runs.
import * as vscode from 'vscode';
import { validateExperiment } from '../../core/experiment/languageService';
import { experimentRunsFolder } from '../runs/runFolders';
import type { RunsFeature } from '../runs/runsFeature';
import { experimentFileArgument, runDirsArgument } from './commandArguments';
import { refusalMessage } from './experimentGate';
import { pickExperimentFile, pickRun } from './runPickers';
import { requireTrust } from './workspaceTrust';

async function runExperiment(feature: RunsFeature, argument: unknown): Promise<void> {
  if (!(await requireTrust('Running an experiment'))) return;
  const file = experimentFileArgument(argument) ?? (await pickExperimentFile('RadLab: Run Experiment'));
  if (file === undefined) return;
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  // The trainer reads the file from disk: what it runs must be what the editor shows.
  if (document.isDirty && !(await document.save())) {
    void vscode.window.showErrorMessage(`RadLab: ${vscode.workspace.asRelativePath(document.uri)} has unsaved changes that could not be saved; save it, then run it again.`);
    return;
  }
  const text = document.getText();
  const checkDataset = vscode.workspace.getConfiguration('radlab').get<boolean>('validation.checkDataset', true);
  const refusal = refusalMessage(vscode.workspace.asRelativePath(document.uri), validateExperiment(text, { filePath: file, checkDataset }));
  if (refusal !== undefined) {
    const showProblems = 'Show Problems';
    if ((await vscode.window.showErrorMessage(refusal, showProblems)) === showProblems) {
      await vscode.window.showTextDocument(document);
      await vscode.commands.executeCommand('workbench.actions.view.problems');
    }
    return;
  }
  feature.submit({ kind: 'run', experimentFile: file }, experimentRunsFolder(file, text));
}

async function stopRun(feature: RunsFeature, argument: unknown): Promise<void> {
  const [clickedDir] = runDirsArgument(argument, undefined);
  if (clickedDir !== undefined && !feature.runs.isFollowing(clickedDir) && feature.runs.activeRequest?.kind !== 'run') {
    void vscode.window.showInformationMessage('RadLab: that run is not going any more.');
    return;
  }
  if (!(await feature.runs.stop())) {
    void vscode.window.showInformationMessage('RadLab: no run is going.');
  }
}

async function resumeRun(feature: RunsFeature, argument: unknown): Promise<void> {
  if (!(await requireTrust('Resuming a run'))) return;
  const runDir =
    runDirsArgument(argument, undefined)[0] ??
    (await pickRun(feature, 'RadLab: Resume Run', (run) => run.state === 'cancelled' || run.state === 'interrupted'));
  if (runDir === undefined) return;
  feature.submit({ kind: 'resume', runDir });
}

async function revealRunFolder(argument: unknown): Promise<void> {
  const [runDir] = runDirsArgument(argument, undefined);
  if (runDir === undefined) return;
  const uri = vscode.Uri.file(runDir);
  // Inside the workspace the Explorer shows it beside the experiment; elsewhere only the OS file manager can.
  const command = vscode.workspace.getWorkspaceFolder(uri) !== undefined ? 'revealInExplorer' : 'revealFileInOS';
  await vscode.commands.executeCommand(command, uri);
}

export function registerRunCommands(feature: RunsFeature): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('radlab.runExperiment', (argument: unknown) => runExperiment(feature, argument)),
    vscode.commands.registerCommand('radlab.stopRun', (argument: unknown) => stopRun(feature, argument)),
    vscode.commands.registerCommand('radlab.resumeRun', (argument: unknown) => resumeRun(feature, argument)),
    vscode.commands.registerCommand('radlab.revealRunFolder', (argument: unknown) => revealRunFolder(argument)),
    vscode.commands.registerCommand('radlab.refreshRuns', () => feature.refresh()),
  ];
}

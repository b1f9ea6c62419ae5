// Run Experiment (on this machine or submitted to Slurm), Stop Run, Resume Run, Reveal Run Folder and Refresh Runs.
import * as vscode from 'vscode';
import { validateExperiment } from '../../core/experiment/languageService';
import { readRunJson } from '../runs/runFiles';
import type { RunsFeature } from '../runs/runsFeature';
import { executorFor, needsStatusPolling, stopPlan } from '../runs/slurmWiring';
import { asksBeforeStopping, experimentFileArgument, runDirsArgument } from './commandArguments';
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
    void vscode.window.showErrorMessage(
      `RadLab: ${vscode.workspace.asRelativePath(document.uri)} has unsaved changes that could not be saved; save it, then run it again.`,
    );
    return;
  }
  const text = document.getText();
  const checkDataset = vscode.workspace.getConfiguration('radlab').get<boolean>('validation.checkDataset', true);
  const refusal = refusalMessage(
    vscode.workspace.asRelativePath(document.uri),
    validateExperiment(text, { filePath: file, checkDataset }),
  );
  if (refusal !== undefined) {
    // The Problems view lists every error at its line; the message names the first one.
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    void vscode.window.showErrorMessage(refusal);
    return;
  }
  if (executorFor(vscode.workspace.getConfiguration('radlab').get<string>('executor'), text) === 'slurm') {
    await feature.slurm.submit(file);
    return;
  }
  feature.submit({ kind: 'run', experimentFile: file });
}

/** Asks whether to stop the run in progress; true when the user chose to stop it. */
async function confirmStop(feature: RunsFeature): Promise<boolean> {
  const live = feature.runs.live;
  const what =
    live === undefined ? 'the run' : `${live.experiment}${live.backbone !== undefined ? ` (${live.backbone})` : ''}`;
  const stop = 'Stop Run';
  const answer = await vscode.window.showWarningMessage(
    `Stop ${what}?`,
    { modal: true, detail: 'It saves a checkpoint and ends as cancelled; Resume Run continues it later.' },
    stop,
  );
  return answer === stop;
}

async function stopRun(feature: RunsFeature, argument: unknown): Promise<void> {
  if (asksBeforeStopping(argument)) {
    if (!(await confirmStop(feature))) return;
    argument = undefined;
  }
  const [clickedDir] = runDirsArgument(argument, undefined);
  const read = clickedDir !== undefined ? readRunJson(clickedDir) : undefined;
  const plan = stopPlan({
    clickedDir,
    clickedRecord: read !== undefined && 'value' in read ? read.value : undefined,
    followsClicked: clickedDir !== undefined && feature.runs.isFollowing(clickedDir),
    localActive: feature.runs.activeRequest?.kind,
    slurmRunsGoing: feature.tree.allRuns().filter(needsStatusPolling).length,
  });
  switch (plan.kind) {
    case 'cancel-slurm':
      await feature.slurm.cancel(plan.runDir, plan.args);
      return;
    case 'pick-slurm': {
      const runDir = await pickRun(feature, 'RadLab: Stop Run (cancel on Slurm)', needsStatusPolling);
      if (runDir !== undefined) await stopRun(feature, runDir);
      return;
    }
    case 'stop-local':
      if (!(await feature.runs.stop())) void vscode.window.showInformationMessage('RadLab: no run is going.');
      return;
    case 'nothing':
      void vscode.window.showInformationMessage(plan.message);
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

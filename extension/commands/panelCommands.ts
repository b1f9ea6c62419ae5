// Open Run Results, Compare Runs (the Experiments table with the chosen runs selected), Preview Dataset and Open
// DICOM: they pick what to show and hand it to the panels (extension/panels). Viewing runs nothing, so these work in untrusted workspaces too.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { DICOM_VIEW_TYPE, openDatasetPreview, openExperimentsTable, openRunPanel } from '../panels';
import type { RunsFeature } from '../runs/runsFeature';
import { experimentFileArgument, pathArgument, runDirsArgument } from './commandArguments';
import { datasetRootOf } from './experimentDataset';
import { pickRun, pickRuns } from './runPickers';
import { isExperimentFileName } from '../newExperiment/experimentLocation';

async function openRunResults(
  context: vscode.ExtensionContext,
  feature: RunsFeature,
  argument: unknown,
): Promise<void> {
  const runDir =
    runDirsArgument(argument, undefined)[0] ?? (await pickRun(feature, 'RadLab: Open Run Results', () => true));
  if (runDir !== undefined) await openRunPanel(context, runDir);
}

async function compareRuns(
  context: vscode.ExtensionContext,
  feature: RunsFeature,
  clicked: unknown,
  selection: unknown,
): Promise<void> {
  let runDirs = runDirsArgument(clicked, selection);
  if (runDirs.length < 2) runDirs = await pickRuns(feature, 'RadLab: Compare Runs (choose two or more)');
  if (runDirs.length < 2) {
    if (runDirs.length === 1) void vscode.window.showInformationMessage('RadLab: choose at least two runs to compare.');
    return;
  }
  await openExperimentsTable(context, feature, runDirs);
}

/**
 * A dataset folder from a folder argument, an experiment file (its data.root), the active experiment or a dialog,
 * with the experiment it came from.
 */
async function datasetFolder(argument: unknown): Promise<{ root: string; experiment?: string } | undefined> {
  const given = experimentFileArgument(argument) ?? pathArgument(argument);
  const active = vscode.window.activeTextEditor?.document;
  const experiment =
    given !== undefined && isExperimentFileName(given)
      ? given
      : given === undefined && active?.languageId === 'radlab-experiment'
        ? active.uri.fsPath
        : undefined;
  if (experiment !== undefined) {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === experiment);
    const root = datasetRootOf(experiment, open?.getText() ?? (await readFile(experiment, 'utf8')));
    if (root === undefined)
      void vscode.window.showErrorMessage(
        `RadLab: ${vscode.workspace.asRelativePath(experiment)} has no data.root to preview.`,
      );
    return root === undefined ? undefined : { root, experiment };
  }
  if (given !== undefined) return { root: given };
  const chosen = await vscode.window.showOpenDialog({
    title: 'RSNA LSDC dataset folder to preview',
    openLabel: 'Preview',
    canSelectFiles: false,
    canSelectFolders: true,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return chosen?.[0] === undefined ? undefined : { root: chosen[0].fsPath };
}

async function previewDataset(context: vscode.ExtensionContext, argument: unknown): Promise<void> {
  const chosen = await datasetFolder(argument);
  if (chosen === undefined) return;
  const { root, experiment } = chosen;
  if (!existsSync(root)) {
    void vscode.window.showErrorMessage(
      `RadLab: the dataset folder ${root} does not exist yet. A synthetic dataset is written when its experiment first runs, or with "RadLab: Generate Synthetic Dataset".`,
    );
    return;
  }
  await openDatasetPreview(context, root, experiment);
}

async function openDicom(argument: unknown): Promise<void> {
  let file = pathArgument(argument);
  if (file === undefined) {
    const chosen = await vscode.window.showOpenDialog({
      title: 'DICOM file to open',
      openLabel: 'Open',
      canSelectMany: false,
      filters: { DICOM: ['dcm', 'dicom'], 'All files': ['*'] },
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
    });
    file = chosen?.[0]?.fsPath;
  }
  if (file !== undefined)
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), DICOM_VIEW_TYPE);
}

export function registerPanelCommands(context: vscode.ExtensionContext, feature: RunsFeature): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('radlab.openRunResults', (argument: unknown) =>
      openRunResults(context, feature, argument),
    ),
    vscode.commands.registerCommand('radlab.compareRuns', (clicked: unknown, selection: unknown) =>
      compareRuns(context, feature, clicked, selection),
    ),
    vscode.commands.registerCommand('radlab.openExperimentsTable', () => openExperimentsTable(context, feature)),
    vscode.commands.registerCommand('radlab.previewDataset', (argument: unknown) => previewDataset(context, argument)),
    vscode.commands.registerCommand('radlab.openDicom', (argument: unknown) => openDicom(argument)),
  ];
}

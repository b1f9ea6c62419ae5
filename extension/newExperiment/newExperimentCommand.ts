// `RadLab: New Experiment`: asks for a name, a template (quick start or full) and a dataset (one found in the
// workspace, the synthetic demo or a folder), writes a commented `<name>.experiment.yaml` from the
// shared template and opens it. It only writes one text file, so it is available in untrusted workspaces too.
import { homedir } from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { experimentTemplate, type TemplateKind } from '../../core/experiment/template';
import {
  dataRootReference,
  experimentFileName,
  experimentNameProblem,
  isExperimentFileName,
  SYNTHETIC_DATA_ROOT,
} from './experimentLocation';

type DatasetChoice = { kind: 'synthetic' } | { kind: 'folder'; folder: vscode.Uri };

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch (error) {
    if (error instanceof vscode.FileSystemError && error.code === 'FileNotFound') return false;
    throw error;
  }
}

async function askName(targetFolder: vscode.Uri | undefined): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: 'RadLab: New Experiment (1/3)',
    prompt: 'Experiment name: it names the file and the run folder',
    placeHolder: 'canal-stenosis-baseline',
    ignoreFocusOut: true,
    validateInput: async (value) => {
      const problem = experimentNameProblem(value);
      if (problem !== undefined || targetFolder === undefined) return problem;
      const target = vscode.Uri.joinPath(targetFolder, experimentFileName(value));
      return (await exists(target))
        ? `${experimentFileName(value)} already exists in this folder: pick another name.`
        : undefined;
    },
  });
}

async function askTemplate(): Promise<TemplateKind | undefined> {
  const picks: Array<vscode.QuickPickItem & { template: TemplateKind }> = [
    {
      template: 'quick-start',
      label: 'Quick start',
      description: 'short file, a run of a minute or two on a CPU',
      detail: 'ResNet-18 trained from scratch on 64-pixel crops for 8 epochs; every other field at its default.',
    },
    {
      template: 'full',
      label: 'Full',
      description: 'every field, the published configuration',
      detail: 'Every field with its default and meaning: 224-pixel inputs, 30 epochs, the Slurm settings.',
    },
  ];
  const picked = await vscode.window.showQuickPick(picks, {
    title: 'RadLab: New Experiment (2/3): template',
    placeHolder: 'How much should the new file say?',
    ignoreFocusOut: true,
  });
  return picked?.template;
}

/** The folders in the workspace that hold an RSNA LSDC dataset (its series descriptions file marks one). */
async function workspaceDatasets(): Promise<vscode.Uri[]> {
  const found = await vscode.workspace.findFiles('**/train_series_descriptions.csv', '**/node_modules/**', 50);
  return found.map((file) => vscode.Uri.joinPath(file, '..')).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
}

async function askDataset(): Promise<DatasetChoice | undefined> {
  type DatasetPick = vscode.QuickPickItem & { choice?: DatasetChoice };
  const found: DatasetPick[] = (await workspaceDatasets()).map((folder) => ({
    label: vscode.workspace.asRelativePath(folder),
    description: 'in the workspace',
    detail: 'RSNA LSDC layout: train.csv, train_label_coordinates.csv, train_series_descriptions.csv, train_images/.',
    choice: { kind: 'folder', folder },
  }));
  const synthetic: DatasetPick = {
    label: 'Synthetic demo dataset (generated on first run)',
    detail: `Small RSNA-layout dataset created at ${SYNTHETIC_DATA_ROOT}/ beside the experiment when it first runs.`,
    choice: { kind: 'synthetic' },
  };
  const browse: DatasetPick = {
    label: 'Choose an RSNA LSDC folder…',
    detail: 'A folder holding train.csv, train_label_coordinates.csv, train_series_descriptions.csv and train_images/.',
  };
  const picked = await vscode.window.showQuickPick([...found, synthetic, browse], {
    title: 'RadLab: New Experiment (3/3): dataset',
    placeHolder: 'Which data should the experiment train on?',
    ignoreFocusOut: true,
  });
  if (picked === undefined) return undefined;
  if (picked.choice !== undefined) return picked.choice;
  const chosen = await vscode.window.showOpenDialog({
    title: 'RSNA LSDC dataset folder',
    openLabel: 'Use this dataset',
    canSelectFiles: false,
    canSelectFolders: true,
    canSelectMany: false,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return chosen?.[0] === undefined ? undefined : { kind: 'folder', folder: chosen[0] };
}

/** Asks where to save when no folder is open; the save dialog itself confirms replacing an existing file. */
async function askTargetFile(name: string): Promise<vscode.Uri | undefined> {
  const target = await vscode.window.showSaveDialog({
    title: 'Save the new experiment',
    saveLabel: 'Create experiment',
    defaultUri: vscode.Uri.file(path.join(homedir(), experimentFileName(name))),
    filters: { 'RadLab experiment': ['yaml', 'yml'] },
  });
  if (target === undefined) return undefined;
  const fileName = target.path.slice(target.path.lastIndexOf('/') + 1);
  if (!isExperimentFileName(fileName)) {
    void vscode.window.showErrorMessage(
      `RadLab: '${fileName}' does not end with .experiment.yaml, so RadLab would not recognise it. Run New Experiment again and keep that ending.`,
    );
    return undefined;
  }
  return target;
}

/** The workspace check happens while typing the name; this covers a file that appeared since. */
async function confirmReplace(target: vscode.Uri): Promise<boolean> {
  if (!(await exists(target))) return true;
  const replace = 'Replace';
  const answer = await vscode.window.showWarningMessage(
    `${vscode.workspace.asRelativePath(target)} already exists. Replace it with a new experiment?`,
    { modal: true },
    replace,
  );
  return answer === replace;
}

function dataRootFor(dataset: DatasetChoice, target: vscode.Uri): string {
  if (dataset.kind === 'synthetic') return SYNTHETIC_DATA_ROOT;
  const workspaceFolder = vscode.workspace.getWorkspaceFolder(target);
  return dataRootReference(target.fsPath, dataset.folder.fsPath, workspaceFolder?.uri.fsPath);
}

export async function newExperiment(): Promise<void> {
  const workspaceFolder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const name = await askName(workspaceFolder);
  if (name === undefined) return;
  const kind = await askTemplate();
  if (kind === undefined) return;
  const dataset = await askDataset();
  if (dataset === undefined) return;
  const target =
    workspaceFolder === undefined
      ? await askTargetFile(name)
      : vscode.Uri.joinPath(workspaceFolder, experimentFileName(name));
  if (target === undefined) return;
  if (workspaceFolder !== undefined && !(await confirmReplace(target))) return;

  const text = experimentTemplate({
    name,
    dataRoot: dataRootFor(dataset, target),
    synthetic: dataset.kind === 'synthetic',
    kind,
  });
  try {
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    void vscode.window.showErrorMessage(
      `RadLab: could not write ${target.fsPath} (${reason}). Choose a folder you can write to.`,
    );
    return;
  }
  await vscode.window.showTextDocument(target);
}

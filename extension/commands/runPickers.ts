// Quick picks for commands started from the palette, where no run or experiment was clicked.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { RunRecord } from '../runs/runFolders';
import { runDescription } from '../runs/runsTreeView';
import type { RunsFeature } from '../runs/runsFeature';

type RunItem = vscode.QuickPickItem & { run: RunRecord };

function runItems(feature: RunsFeature, include: (run: RunRecord) => boolean): RunItem[] {
  return feature.tree
    .allRuns()
    .filter((run) => run.problem === undefined && include(run))
    .map((run) => ({
      label: `${run.experiment} / ${run.member}`,
      description: `${run.runId} · ${runDescription(run)}`,
      detail: run.dir,
      run,
    }));
}

export async function pickRun(
  feature: RunsFeature,
  title: string,
  include: (run: RunRecord) => boolean,
): Promise<string | undefined> {
  await feature.refresh();
  const items = runItems(feature, include);
  if (items.length === 0) {
    void vscode.window.showInformationMessage(
      `RadLab: no run to choose for "${title}". Runs appear in the RadLab view once an experiment has run.`,
    );
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { title, matchOnDescription: true }))?.run.dir;
}

export async function pickRuns(feature: RunsFeature, title: string): Promise<string[]> {
  await feature.refresh();
  const items = runItems(feature, (run) => run.state === 'completed');
  if (items.length < 2) {
    void vscode.window.showInformationMessage('RadLab: comparing needs at least two completed runs.');
    return [];
  }
  const picked = await vscode.window.showQuickPick(items, { title, canPickMany: true, matchOnDescription: true });
  return (picked ?? []).map((item) => item.run.dir);
}

/**
 * Several runs among those `include` accepts, each described by `describe` (e.g. its task), with `picked` ones
 * ticked; undefined when there is none to choose or the pick was dismissed.
 */
export async function pickManyRuns(
  feature: RunsFeature,
  options: {
    title: string;
    include: (run: RunRecord) => boolean;
    describe: (run: RunRecord) => string;
    picked: (runs: RunRecord[]) => Set<string>;
    noneText: string;
  },
): Promise<string[] | undefined> {
  await feature.refresh();
  const items = runItems(feature, options.include);
  if (items.length === 0) {
    void vscode.window.showInformationMessage(`RadLab: ${options.noneText}`);
    return undefined;
  }
  const picked = options.picked(items.map((item) => item.run));
  const chosen = await vscode.window.showQuickPick(
    items.map((item) => ({
      ...item,
      description: `${options.describe(item.run)} · ${item.description}`,
      picked: picked.has(item.run.dir),
    })),
    { title: options.title, canPickMany: true, matchOnDescription: true, ignoreFocusOut: true },
  );
  return chosen?.map((item) => item.run.dir);
}

/** The experiment in the active editor, else one picked from the workspace. */
export async function pickExperimentFile(title: string): Promise<string | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'radlab-experiment' && active.uri.scheme === 'file') return active.uri.fsPath;
  const files = await vscode.workspace.findFiles('**/*.{experiment.yaml,experiment.yml}', '**/{node_modules,.git}/**');
  if (files.length === 0) {
    void vscode.window.showInformationMessage(
      'RadLab: no *.experiment.yaml in this workspace. Run "RadLab: New Experiment" to write one.',
    );
    return undefined;
  }
  if (files.length === 1) return files[0]!.fsPath;
  const items = files.map((uri) => ({
    label: path.basename(uri.fsPath),
    description: vscode.workspace.asRelativePath(uri),
    uri,
  }));
  return (await vscode.window.showQuickPick(items, { title }))?.uri.fsPath;
}

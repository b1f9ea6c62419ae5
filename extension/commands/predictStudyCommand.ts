// "RadLab: Predict Study": on a study folder (the Explorer's context menu, or the DICOM viewer's button), asks
// which trained runs to use (a localizer and grading runs), runs `radlab predict` on that one study through the
// process runner with a progress notification and its output in the "RadLab Runs" channel, then shows the
// located levels and their grade probabilities in the DICOM viewer on the series they were found on.
import { mkdirSync, rmSync } from 'node:fs';
import * as vscode from 'vscode';
import { readPositions } from '../../core/predict/positionsFile';
import { predictionFilesFor, showPredictedSlice } from '../panels/dicomEditor';
import { runCliCommand } from '../runs/cliCommand';
import { currentCli, type RunsFeature } from '../runs/runsFeature';
import { pathArgument } from './commandArguments';
import {
  newestPerTask,
  predictArguments,
  predictNotes,
  runTaskOf,
  studyLayout,
  type RunTask,
} from './predictStudyArguments';
import { pickManyRuns } from './runPickers';
import { requireTrust } from './workspaceTrust';

async function studyFolderOf(argument: unknown): Promise<string | undefined> {
  const given = pathArgument(argument);
  if (given !== undefined) return given;
  const chosen = await vscode.window.showOpenDialog({
    title: 'RadLab: Predict Study: a study folder (under test_images/ or train_images/)',
    openLabel: 'Predict',
    canSelectFiles: false,
    canSelectFolders: true,
    defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
  });
  return chosen?.[0]?.fsPath;
}

function describeTask(task: RunTask | undefined): string {
  if (task === undefined) return '';
  return task.task === 'localizer' ? `localizer · ${task.condition}` : `grades ${task.condition}`;
}

/** Completed runs that can predict, the newest localizer and grader of each condition ticked. */
async function pickPredictionRuns(feature: RunsFeature): Promise<string[] | undefined> {
  const tasks = new Map<string, RunTask | undefined>();
  const taskOf = (dir: string) => {
    if (!tasks.has(dir)) tasks.set(dir, runTaskOf(dir));
    return tasks.get(dir);
  };
  return pickManyRuns(feature, {
    title: 'RadLab: Predict Study: a localizer run and the grading runs to use',
    include: (run) => run.state === 'completed' && taskOf(run.dir) !== undefined,
    describe: (run) => describeTask(taskOf(run.dir)),
    picked: (runs) =>
      newestPerTask(
        [...runs]
          .sort((a, b) => b.runId.localeCompare(a.runId))
          .map((run) => ({ dir: run.dir, task: taskOf(run.dir)! })),
      ),
    noneText:
      'Predict Study needs completed runs: a localizer (model.task: localizer) and a grading run. Run them first.',
  }).then((dirs) => {
    if (dirs === undefined || dirs.length === 0) return undefined;
    const chosen = dirs.map((dir) => taskOf(dir)!);
    if (!chosen.some((task) => task.task === 'localizer') || !chosen.some((task) => task.task === 'classifier')) {
      void vscode.window.showErrorMessage(
        'RadLab: Predict Study needs a localizer run (to find the levels) and at least one grading run: choose both.',
      );
      return undefined;
    }
    return dirs;
  });
}

async function predictStudy(context: vscode.ExtensionContext, feature: RunsFeature, argument: unknown): Promise<void> {
  if (!(await requireTrust('Predicting a study'))) return;
  const folder = await studyFolderOf(argument);
  if (folder === undefined) return;
  const layout = studyLayout(folder);
  if ('problem' in layout) {
    void vscode.window.showErrorMessage(`RadLab: Predict Study: ${layout.problem}.`);
    return;
  }
  const runDirs = await pickPredictionRuns(feature);
  if (runDirs === undefined) return;

  const files = predictionFilesFor(context, layout.studyFolder);
  // A failed prediction must not leave the previous one looking like its result.
  rmSync(files.folder, { recursive: true, force: true });
  mkdirSync(files.folder, { recursive: true });
  const cli = currentCli(context);
  const args = predictArguments(runDirs, layout, files);
  feature.output.appendLine(`$ ${[cli.command, ...cli.baseArgs, ...args].join(' ')}`);
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `RadLab: predicting study ${layout.studyId}` },
    () => runCliCommand(cli, args, { onLine: (line) => feature.output.appendLine(line) }),
  );
  const showLog = 'Show Log';
  if (result.exit.code !== 0) {
    const reason =
      result.exit.startError !== undefined
        ? `the CLI could not start: ${result.exit.startError.message}; check the radlab.nodePath setting`
        : result.stderr.slice(-3).join(' ') || `exit code ${result.exit.code}`;
    const choice = await vscode.window.showErrorMessage(
      `RadLab: study ${layout.studyId} was not predicted (${reason}).`,
      showLog,
    );
    if (choice === showLog) feature.output.show();
    return;
  }

  const located = readPositions(files.positions).filter((position) => position.studyId === layout.studyId);
  const { warnings, skipped } = predictNotes(result.stderr);
  const notes = [
    ...warnings,
    ...(skipped.length > 0 ? [`${skipped.length} unreadable file(s) skipped (listed in the log)`] : []),
  ];
  // One viewer per series the levels were found on, at the slice most of its levels lie on.
  const bySeries = new Map<string, string[]>();
  for (const position of located)
    bySeries.set(position.seriesId, [...(bySeries.get(position.seriesId) ?? []), position.file]);
  for (const slices of bySeries.values()) {
    const counts = new Map<string, number>();
    for (const file of slices) counts.set(file, (counts.get(file) ?? 0) + 1);
    const [mostLevels] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]!;
    await showPredictedSlice(mostLevels);
  }
  const summary =
    located.length === 0
      ? `RadLab: study ${layout.studyId}: no level could be located, so every row has the training prior`
      : `RadLab: study ${layout.studyId} predicted: ${located.length} levels located on ${bySeries.size} series`;
  const message = `${summary}${notes.length > 0 ? `; ${notes.join('; ')}` : ''}. Results in ${vscode.workspace.asRelativePath(files.folder)}.`;
  const choice =
    located.length === 0 || notes.length > 0
      ? await vscode.window.showWarningMessage(message, showLog)
      : await vscode.window.showInformationMessage(message);
  if (choice === showLog) feature.output.show();
}

export function registerPredictStudyCommand(context: vscode.ExtensionContext, feature: RunsFeature): vscode.Disposable {
  return vscode.commands.registerCommand('radlab.predictStudy', (argument: unknown) =>
    predictStudy(context, feature, argument),
  );
}

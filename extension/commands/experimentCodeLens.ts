// "Run Experiment" and "Preview Dataset" above the first line of every experiment file.
import * as vscode from 'vscode';
import { EXPERIMENT_LANGUAGE_ID } from '../languageClient';

class ExperimentCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, {
        title: '$(play) Run Experiment',
        command: 'radlab.runExperiment',
        arguments: [document.uri],
        tooltip: 'Validate this experiment and start training',
      }),
      new vscode.CodeLens(top, {
        title: '$(eye) Preview Dataset',
        command: 'radlab.previewDataset',
        arguments: [document.uri],
        tooltip: 'Browse the dataset this experiment trains on',
      }),
    ];
  }
}

export function registerExperimentCodeLens(): vscode.Disposable {
  return vscode.languages.registerCodeLensProvider(
    { language: EXPERIMENT_LANGUAGE_ID },
    new ExperimentCodeLensProvider(),
  );
}

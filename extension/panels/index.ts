// The panels the extension opens: run results, the experiments table (which also compares runs), dataset preview,
// and the DICOM custom editor.
// Each panel's module is loaded when it is first opened: they bring image decoding (sharp, DICOM codecs), about
// 40 ms to load, which activation should not pay in a workspace that never opens a panel.
import type * as vscode from 'vscode';
import type { RunsFeature } from '../runs/runsFeature';

export { registerDicomEditor, DICOM_VIEW_TYPE } from './dicomEditor';

export async function openRunPanel(context: vscode.ExtensionContext, runDir: string): Promise<void> {
  (await import('./runPanel')).openRunPanel(context, runDir);
}

export async function openExperimentsTable(
  context: vscode.ExtensionContext,
  feature: RunsFeature,
  selected?: readonly string[],
): Promise<void> {
  (await import('./experimentsTablePanel')).openExperimentsTable(context, feature, selected);
}

export async function openDatasetPreview(
  context: vscode.ExtensionContext,
  datasetRoot: string,
  experimentFile?: string,
): Promise<void> {
  (await import('./datasetPreviewPanel')).openDatasetPreview(context, datasetRoot, experimentFile);
}

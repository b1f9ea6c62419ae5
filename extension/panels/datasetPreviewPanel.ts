// The Preview Dataset panel: browse an RSNA-layout dataset's studies, series and slices with the labels drawn on.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { readDatasetTables, type DatasetTables } from '../../core/data';
import {
  FromWebview,
  ToWebview,
  isDatasetPageMessage,
  type DatasetHostMessage,
  type DatasetPageMessage,
} from '../../webview/contract';
import { datasetSlice, datasetTree, seriesSlices } from './datasetPreviewModel';
import { datasetSummary } from './datasetSummary';
import { WebviewPanelHost, webviewOptions } from './webviewPanelHost';

export class DatasetPreviewPanel extends WebviewPanelHost<DatasetHostMessage, DatasetPageMessage> {
  static readonly viewType = 'radlab.datasetPreview';
  private tables: Promise<DatasetTables> | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly root: string,
    /** The experiment the preview was opened from: its data.split gives the split counts. */
    private readonly experimentFile: string | undefined,
  ) {
    super(panel, {
      extensionUri,
      bundle: 'dataset',
      title: panel.title,
      resourceRoots: [vscode.Uri.file(root)],
      isPageMessage: isDatasetPageMessage,
    });
  }

  private readTables(): Promise<DatasetTables> {
    this.tables ??= readDatasetTables(this.root);
    // A failed read (a CSV being fixed) is retried on the next request instead of being remembered.
    this.tables.catch(() => (this.tables = undefined));
    return this.tables;
  }

  protected async onReady(): Promise<void> {
    this.tables = undefined;
    const tables = await this.readTables();
    this.post({ type: ToWebview.DatasetTree, tree: datasetTree(tables) });
    // The summary scans every condition (a file check per labelled point), so it follows the tree, which the page
    // can show at once.
    this.post({ type: ToWebview.DatasetSummary, summary: datasetSummary(tables, await this.experiment()) });
  }

  /** The experiment's text as the editor has it (unsaved edits included), else as saved. */
  private async experiment(): Promise<{ file: string; text: string } | undefined> {
    const file = this.experimentFile;
    if (file === undefined) return undefined;
    const open = vscode.workspace.textDocuments.find((document) => document.uri.fsPath === file);
    return { file: vscode.workspace.asRelativePath(file), text: open?.getText() ?? (await readFile(file, 'utf8')) };
  }

  protected async onMessage(message: DatasetPageMessage): Promise<void> {
    const tables = await this.readTables();
    switch (message.type) {
      case FromWebview.OpenSeries:
        this.post({
          type: ToWebview.SeriesSlices,
          slices: await seriesSlices(tables, message.studyId, message.seriesId),
        });
        break;
      case FromWebview.OpenDatasetSlice:
        this.post({
          type: ToWebview.DatasetSlice,
          slice: await datasetSlice(tables, message.studyId, message.seriesId, message.instanceNumber),
        });
        break;
    }
  }
}

export function openDatasetPreview(
  context: vscode.ExtensionContext,
  datasetRoot: string,
  experimentFile?: string,
): void {
  const panel = vscode.window.createWebviewPanel(
    DatasetPreviewPanel.viewType,
    `Dataset ${basename(datasetRoot)}`,
    vscode.ViewColumn.Active,
    webviewOptions(context.extensionUri, [vscode.Uri.file(datasetRoot)]),
  );
  // The host lives as long as its panel: it disposes itself (and its listeners) when the panel closes.
  new DatasetPreviewPanel(panel, context.extensionUri, datasetRoot, experimentFile);
}

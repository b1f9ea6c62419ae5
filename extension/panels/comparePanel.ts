// The compare panel: several runs side by side, with CSV export of the table through a save dialog. The export
// has the sweep summary's columns (model_performance_summary.csv), so a comparison and a summary read alike.
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { sweepSummaryCsv } from '../../core/run/sweepSummary';
import { sortCompareRows } from '../../webview/contract';
import {
  FromWebview,
  ToWebview,
  isComparePageMessage,
  type CompareHostMessage,
  type ComparePageMessage,
} from '../../webview/contract';
import { readCompareModel } from './compareModel';
import { WebviewPanelHost, webviewOptions } from './webviewPanelHost';

export class ComparePanel extends WebviewPanelHost<CompareHostMessage, ComparePageMessage> {
  static readonly viewType = 'radlab.comparePanel';

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly runDirs: readonly string[],
  ) {
    super(panel, { extensionUri, bundle: 'compare', title: panel.title, isPageMessage: isComparePageMessage });
  }

  protected onReady(): void {
    this.post({ type: ToWebview.CompareModel, model: readCompareModel(this.runDirs) });
  }

  protected async onMessage(message: ComparePageMessage): Promise<void> {
    if (message.type !== FromWebview.ExportCsv) return;
    const { rows } = readCompareModel(this.runDirs);
    const ordered = message.sort === null ? rows : sortCompareRows(rows, message.sort);
    const target = await vscode.window.showSaveDialog({
      title: 'Export run comparison',
      defaultUri: vscode.Uri.file(join(dirname(this.runDirs[0] ?? '.'), 'run_comparison.csv')),
      filters: { CSV: ['csv'] },
    });
    if (target === undefined) return;
    await writeFile(target.fsPath, sweepSummaryCsv(ordered));
    void vscode.window.showInformationMessage(`RadLab: wrote ${rows.length} runs to ${target.fsPath}`);
  }
}

export function openComparePanel(context: vscode.ExtensionContext, runDirs: string[]): void {
  if (runDirs.length === 0) {
    void vscode.window.showWarningMessage('RadLab: choose at least one run folder to compare.');
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    ComparePanel.viewType,
    `Compare ${runDirs.length} runs`,
    vscode.ViewColumn.Active,
    webviewOptions(context.extensionUri),
  );
  // The host lives as long as its panel: it disposes itself (and its listeners) when the panel closes.
  new ComparePanel(panel, context.extensionUri, runDirs);
}

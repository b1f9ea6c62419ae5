// The read-only DICOM viewer, a custom editor for *.dcm: opening a file shows it, and the page steps through the
// other instances of its series in the same folder.
import * as vscode from 'vscode';
import {
  FromWebview,
  ToWebview,
  isDicomPageMessage,
  type DicomHostMessage,
  type DicomPageMessage,
} from '../../webview/contract';
import type { SeriesFiles } from './dicomViewerModel';

// Loaded when a .dcm file is first opened (see index.ts).
const viewerModel = () => import('./dicomViewerModel');
import { WebviewPanelHost } from './webviewPanelHost';

export const DICOM_VIEW_TYPE = 'radlab.dicomViewer';

class DicomViewer extends WebviewPanelHost<DicomHostMessage, DicomPageMessage> {
  private series: Promise<SeriesFiles> | undefined;
  private current: number | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly file: string,
  ) {
    super(panel, {
      extensionUri,
      bundle: 'dicom',
      title: panel.title,
      resourceRoots: [],
      isPageMessage: isDicomPageMessage,
    });
  }

  protected async onReady(): Promise<void> {
    const { dicomInstance, seriesFiles } = await viewerModel();
    this.series ??= seriesFiles(this.file);
    const series = await this.series;
    this.current ??= series.index;
    this.post({ type: ToWebview.DicomInstance, instance: await dicomInstance(series, this.current) });
  }

  protected async onMessage(message: DicomPageMessage): Promise<void> {
    if (message.type !== FromWebview.StepInstance) return;
    const { dicomInstance, seriesFiles } = await viewerModel();
    const series = await (this.series ??= seriesFiles(this.file));
    this.current = Math.min(message.index, series.files.length - 1);
    this.post({ type: ToWebview.DicomInstance, instance: await dicomInstance(series, this.current) });
  }
}

class DicomEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    // The host lives as long as its panel: it disposes itself (and its listeners) when the panel closes.
    new DicomViewer(panel, this.context.extensionUri, document.uri.fsPath);
  }
}

export function registerDicomEditor(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.window.registerCustomEditorProvider(DICOM_VIEW_TYPE, new DicomEditorProvider(context), {
    supportsMultipleEditorsPerDocument: true,
    webviewOptions: { retainContextWhenHidden: false },
  });
}

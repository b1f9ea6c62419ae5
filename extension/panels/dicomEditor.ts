// The read-only DICOM viewer, a custom editor for *.dcm: opening a file shows it, and the page steps through the
// other instances of its series in the same folder, with the dataset's labelled points and the last Predict
// Study's levels drawn on the slices they name.
import { dirname, resolve } from 'node:path';
import * as vscode from 'vscode';
import {
  FromWebview,
  ToWebview,
  isDicomPageMessage,
  type DicomFocus,
  type DicomHostMessage,
  type DicomPageMessage,
} from '../../webview/contract';
import type { SeriesFiles } from './dicomViewerModel';
import { studyPredictionFiles, type PredictionFiles } from './predictionFiles';

// Loaded when a .dcm file is first opened (see index.ts).
const viewerModel = () => import('./dicomViewerModel');
const pointsModel = () => import('./seriesPoints');
import { WebviewPanelHost } from './webviewPanelHost';

export const DICOM_VIEW_TYPE = 'radlab.dicomViewer';

/** The folder Predict Study writes into: the workspace's, or the extension's storage without a workspace. */
export function predictionFilesFor(context: vscode.ExtensionContext, studyFolder: string): PredictionFiles {
  const root = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? context.globalStorageUri.fsPath;
  return studyPredictionFiles(root, studyFolder);
}

/** Viewers open now, so a finished prediction reaches those showing its series. */
const openViewers = new Set<DicomViewer>();
/** Focuses for files about to open in a new viewer (vscode.openWith cannot pass them), taken when it is ready. */
const pendingFocus = new Map<string, DicomFocus>();

class DicomViewer extends WebviewPanelHost<DicomHostMessage, DicomPageMessage> {
  private series: Promise<SeriesFiles> | undefined;
  private current: number | undefined;
  private focus: DicomFocus | undefined;
  readonly seriesFolder: string;

  constructor(
    panel: vscode.WebviewPanel,
    private readonly context: vscode.ExtensionContext,
    private readonly file: string,
  ) {
    super(panel, {
      extensionUri: context.extensionUri,
      bundle: 'dicom',
      title: panel.title,
      resourceRoots: [],
      isPageMessage: isDicomPageMessage,
    });
    this.seriesFolder = dirname(resolve(file));
    openViewers.add(this);
    this.disposer.track({ dispose: () => openViewers.delete(this) });
  }

  private get studyFolder(): string {
    return dirname(this.seriesFolder);
  }

  /** The series' files, listed once per viewer. */
  private async seriesOf(): Promise<SeriesFiles> {
    const { seriesFiles } = await viewerModel();
    return (this.series ??= seriesFiles(this.file));
  }

  protected async onReady(): Promise<void> {
    this.current ??= (await this.seriesOf()).index;
    this.focus ??= pendingFocus.get(resolve(this.file));
    pendingFocus.delete(resolve(this.file));
    await this.showCurrent();
    await this.showPoints();
    if (this.focus !== undefined) this.post({ type: ToWebview.DicomFocus, focus: this.focus });
  }

  /** Shows `file` with a gallery prediction drawn on it. */
  async showFocus(file: string, focus: DicomFocus): Promise<void> {
    this.focus = focus;
    await this.showSlice(file);
    this.post({ type: ToWebview.DicomFocus, focus });
  }

  private async showCurrent(): Promise<void> {
    const { dicomInstance } = await viewerModel();
    const series = await this.seriesOf();
    this.post({ type: ToWebview.DicomInstance, instance: await dicomInstance(series, this.current ?? series.index) });
  }

  /** Rereads the labels and the study's prediction and sends the series' points. */
  async showPoints(): Promise<void> {
    const { seriesPoints } = await pointsModel();
    const points = await seriesPoints(this.seriesFolder, predictionFilesFor(this.context, this.studyFolder));
    this.post({ type: ToWebview.SeriesPoints, points });
  }

  /** Shows `file` (a slice of this series) and the points as they are on disk now. */
  async showSlice(file: string): Promise<void> {
    const series = await this.seriesOf();
    const index = series.files.indexOf(resolve(file));
    if (index >= 0) this.current = index;
    this.reveal();
    await this.showCurrent();
    await this.showPoints();
  }

  protected async onMessage(message: DicomPageMessage): Promise<void> {
    if (message.type === FromWebview.PredictStudy) {
      await vscode.commands.executeCommand('radlab.predictStudy', vscode.Uri.file(this.studyFolder));
      return;
    }
    if (message.type !== FromWebview.StepInstance) return;
    const series = await this.seriesOf();
    this.current = Math.min(message.index, series.files.length - 1);
    await this.showCurrent();
  }
}

/**
 * Shows a predicted slice: viewers already open on its series move to it and redraw their points; without one,
 * the file opens in a new viewer, which reads the points itself.
 */
export async function showPredictedSlice(file: string): Promise<void> {
  const folder = dirname(resolve(file));
  const showing = [...openViewers].filter((viewer) => viewer.seriesFolder === folder);
  if (showing.length > 0) {
    await Promise.all(showing.map((viewer) => viewer.showSlice(file)));
    return;
  }
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), DICOM_VIEW_TYPE);
}

/** Opens a run's prediction on its source slice, with its input square, level and probabilities drawn. */
export async function showFocusedSlice(file: string, focus: DicomFocus): Promise<void> {
  const folder = dirname(resolve(file));
  const showing = [...openViewers].filter((viewer) => viewer.seriesFolder === folder);
  if (showing.length > 0) {
    await Promise.all(showing.map((viewer) => viewer.showFocus(file, focus)));
    return;
  }
  pendingFocus.set(resolve(file), focus);
  await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(file), DICOM_VIEW_TYPE);
}

class DicomEditorProvider implements vscode.CustomReadonlyEditorProvider {
  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri): vscode.CustomDocument {
    return { uri, dispose: () => undefined };
  }

  resolveCustomEditor(document: vscode.CustomDocument, panel: vscode.WebviewPanel): void {
    // The host lives as long as its panel: it disposes itself (and its listeners) when the panel closes.
    new DicomViewer(panel, this.context, document.uri.fsPath);
  }
}

export function registerDicomEditor(context: vscode.ExtensionContext): vscode.Disposable {
  return vscode.window.registerCustomEditorProvider(DICOM_VIEW_TYPE, new DicomEditorProvider(context), {
    supportsMultipleEditorsPerDocument: true,
    webviewOptions: { retainContextWhenHidden: false },
  });
}

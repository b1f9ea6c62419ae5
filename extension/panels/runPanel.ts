// The run panel: one per run folder. It shows the folder as it is on disk and follows events.jsonl while the run
// trains; when the run ends it rereads the folder, because the trainer writes the results files at the end.
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { RadLabEvent } from '../../core/train/events';
import {
  FromWebview,
  ToWebview,
  isRunPageMessage,
  type RunHostMessage,
  type RunPageMessage,
  type RunPanelModel,
} from '../../webview/contract';
import { EventsTailer } from '../runs/eventsTailer';
import { RunGallery } from './runGallery';
import { applyEvents, readRunFolder, RUN_FILES } from './runFolderModel';
import { WebviewPanelHost, webviewOptions } from './webviewPanelHost';

// Live updates are batched: a fast trainer can log many batches a second, a chart needs a few redraws.
const LIVE_UPDATE_MS = 250;

export class RunPanel extends WebviewPanelHost<RunHostMessage, RunPageMessage> {
  static readonly viewType = 'radlab.runPanel';
  private model!: RunPanelModel;
  private gallery!: RunGallery;
  private pendingUpdate: NodeJS.Timeout | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    readonly runDir: string,
  ) {
    super(panel, {
      extensionUri,
      bundle: 'run',
      title: panel.title,
      resourceRoots: [vscode.Uri.file(runDir)],
      isPageMessage: isRunPageMessage,
    });
    this.reload();
    // The tail starts by reading the log from its beginning, which the model already holds: folding those events
    // in again changes nothing (each epoch replaces its own record), and no line written meanwhile is missed.
    const tail = new EventsTailer(join(runDir, RUN_FILES.events), {
      onEvents: (events) => this.onEvents(events),
      onProblems: (problems) => {
        const known = new Set(this.model.problems);
        this.model.problems.push(
          ...problems
            .map((p) => `${join(runDir, RUN_FILES.events)} line ${p.line}: ${p.message}`)
            .filter((text) => !known.has(text)),
        );
      },
    });
    this.disposer.track(tail);
    this.disposer.track({ dispose: () => clearTimeout(this.pendingUpdate) });
    tail.start();
  }

  private reload(): void {
    const { model, predictions, data } = readRunFolder(this.runDir);
    this.model = model;
    this.gallery = new RunGallery(predictions, data);
  }

  private onEvents(events: RadLabEvent[]): void {
    if (events.some((event) => event.type === 'run-end')) this.reload();
    else applyEvents(this.model, events);
    this.pendingUpdate ??= setTimeout(() => {
      this.pendingUpdate = undefined;
      this.post({ type: ToWebview.RunModel, model: this.model });
    }, LIVE_UPDATE_MS);
  }

  protected onReady(): void {
    this.post({ type: ToWebview.RunModel, model: this.model });
  }

  protected async onMessage(message: RunPageMessage): Promise<void> {
    switch (message.type) {
      case FromWebview.GalleryPage:
        this.post({
          type: ToWebview.GalleryPage,
          gallery: await this.gallery.page(message.query),
        });
        break;
      case FromWebview.OpenSlice:
        this.post({ type: ToWebview.SliceImage, slice: await this.gallery.slice(message.rowId) });
        break;
    }
  }
}

const openRunPanels = new Map<string, RunPanel>();

export function openRunPanel(context: vscode.ExtensionContext, runDir: string): void {
  const existing = openRunPanels.get(runDir);
  if (existing !== undefined) {
    existing.reveal();
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    RunPanel.viewType,
    `Run ${basename(runDir)}`,
    vscode.ViewColumn.Active,
    webviewOptions(context.extensionUri, [vscode.Uri.file(runDir)]),
  );
  const host = new RunPanel(panel, context.extensionUri, runDir);
  openRunPanels.set(runDir, host);
  panel.onDidDispose(() => openRunPanels.delete(runDir), undefined, context.subscriptions);
}

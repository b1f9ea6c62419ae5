// The run panel: one per run folder. It shows the folder as it is on disk and follows events.jsonl while the run
// trains; when the run ends it rereads the folder, because the trainer writes the results files at the end.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { RadLabEvent } from '../../core/train/events';
import {
  FromWebview,
  ToWebview,
  isRunPageMessage,
  type RunHostMessage,
  type RunPageMessage,
  type GradeName,
  type RunPanelModel,
} from '../../webview/contract';
import { runCliCommand } from '../runs/cliCommand';
import type { CliInvocation } from '../runs/cliInvocation';
import { EventsTailer } from '../runs/eventsTailer';
import { currentCli } from '../runs/runsFeature';
import { showFocusedSlice } from './dicomEditor';
import { readEpochEvidence } from './epochEvidence';
import { RunGallery } from './runGallery';
import { applyEvents, readRunFolder, RUN_FILES } from './runFolderModel';
import { explainArguments, explainFailure, saliencyViewOf } from './saliencyRequest';
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
    private readonly cli: () => CliInvocation,
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
      case FromWebview.SelectEpoch: {
        const { evidence, rows } = readEpochEvidence(this.runDir, message.epoch, message.gallery);
        if (message.gallery && evidence.summary !== null) this.gallery = this.gallery.withPredictions(rows);
        this.post({ type: ToWebview.EpochEvidence, evidence });
        break;
      }
      case FromWebview.ExplainItem:
        await this.explain(message.rowId, message.grade);
        break;
      case FromWebview.OpenInDicomViewer: {
        const { file, focus } = await this.gallery.focus(message.rowId, basename(this.runDir));
        await showFocusedSlice(file, focus);
        break;
      }
    }
  }

  /** Runs `radlab explain` on a row (tfjs stays out of the extension host) and sends the page its map. */
  private async explain(rowId: string, grade: GradeName | null): Promise<void> {
    const folder = mkdtempSync(join(tmpdir(), 'radlab-explain-'));
    try {
      const json = join(folder, 'saliency.json');
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `RadLab: explaining ${rowId}` },
        () => runCliCommand(this.cli(), explainArguments(this.runDir, rowId, grade, json)),
      );
      if (result.exit.code !== 0) {
        this.postError(explainFailure(this.runDir, rowId, result));
        return;
      }
      this.post({ type: ToWebview.Saliency, saliency: saliencyViewOf(readFileSync(json, 'utf8'), json) });
    } finally {
      rmSync(folder, { recursive: true, force: true });
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
  const host = new RunPanel(panel, context.extensionUri, runDir, () => currentCli(context));
  openRunPanels.set(runDir, host);
  panel.onDidDispose(() => openRunPanels.delete(runDir), undefined, context.subscriptions);
}

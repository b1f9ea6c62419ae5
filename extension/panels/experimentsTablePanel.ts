// The Experiments table panel: every run the Runs view finds, one row each, kept up to date without a refresh.
// It follows the Runs view's scans (the run.json watcher), rereading only the folders whose state changed, and
// tails the events log of each running run, so a new epoch shows in its row and curves as it ends. The page
// sends the state of its controls; the host answers with the view (core/table/tableView.ts). Stars and notes go to
// the run folder's annotations.json; the column layout is remembered per workspace.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { writeAnnotations } from '../../core/table/annotationsFile';
import { DEFAULT_LAYOUT, type TableLayout } from '../../core/table/tableColumns';
import type { TableRun } from '../../core/table/tableRun';
import { initialTableState, tableView, type TableState } from '../../core/table/tableView';
import type { RadLabEvent } from '../../core/train/events';
import type { RunPanelModel } from '../../webview/contract';
import {
  FromTablePage,
  isTablePageMessage,
  ToTablePage,
  type TableHostMessage,
  type TablePageMessage,
} from '../../webview/experimentsContract';
import { EventsTailer } from '../runs/eventsTailer';
import type { RunRecord } from '../runs/runFolders';
import type { RunsFeature } from '../runs/runsFeature';
import { followLive, readTableRun } from './experimentsTableRuns';
import { applyEvents, RUN_FILES } from './runFolderModel';
import { WebviewPanelHost, webviewOptions } from './webviewPanelHost';

const LAYOUT_KEY = 'radlab.experimentsTable.layout';
// Live rows are posted in batches: a run logs many events a second, a table needs a few redraws.
const LIVE_UPDATE_MS = 300;
/** Run folders read per turn of the extension host's event loop (a few milliseconds each). */
const READ_BATCH = 20;

/** What a scan says about a run that would change its row: rereading 500 unchanged folders per scan is waste. */
function signature(record: RunRecord): string {
  return [record.state, record.startedAt, record.endedAt, record.testMacroF1, record.problem].join('|');
}

interface LiveRun {
  tailer: EventsTailer;
  events: RunPanelModel;
}

export class ExperimentsTablePanel extends WebviewPanelHost<TableHostMessage, TablePageMessage> {
  static readonly viewType = 'radlab.experimentsTable';
  private readonly runs = new Map<string, { run: TableRun; signature: string }>();
  private readonly live = new Map<string, LiveRun>();
  /** Run folders a scan found new or changed, waiting to be read. */
  private readonly toRead = new Map<string, RunRecord>();
  private reading: Promise<void> | undefined;
  private state: TableState;
  private pendingUpdate: NodeJS.Timeout | undefined;

  constructor(
    panel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly feature: RunsFeature,
    private readonly workspaceState: vscode.Memento,
  ) {
    super(panel, { extensionUri, bundle: 'experiments', title: panel.title, isPageMessage: isTablePageMessage });
    this.state = initialTableState(workspaceState.get<TableLayout>(LAYOUT_KEY, DEFAULT_LAYOUT));
    this.follow(feature.latestRuns);
    this.disposer.track(feature.onDidScanRuns((records) => this.follow(records)));
    this.disposer.track({
      dispose: () => {
        clearTimeout(this.pendingUpdate);
        for (const { tailer } of this.live.values()) tailer.dispose();
      },
    });
  }

  /** Brings the rows in line with a scan: gone runs are dropped, new and changed ones queued to be read. */
  private follow(records: readonly RunRecord[]): void {
    const present = new Set(records.map((record) => record.dir));
    for (const dir of [...this.runs.keys()].filter((d) => !present.has(d))) {
      this.runs.delete(dir);
      this.stopTailing(dir);
      this.schedulePost();
    }
    for (const dir of [...this.toRead.keys()].filter((d) => !present.has(d))) this.toRead.delete(dir);
    for (const record of records) {
      if (this.runs.get(record.dir)?.signature !== signature(record)) this.toRead.set(record.dir, record);
    }
    this.reading ??= this.readQueued().finally(() => (this.reading = undefined));
  }

  /**
   * Reads the queued run folders a batch per turn of the event loop, so opening the table on hundreds of runs never
   * stalls the editor; the page gets the rows read so far at each post. Runs queued meanwhile join the same loop.
   */
  private async readQueued(): Promise<void> {
    while (this.toRead.size > 0 && !this.disposer.isDisposed) {
      for (const record of [...this.toRead.values()].slice(0, READ_BATCH)) {
        this.toRead.delete(record.dir);
        const { run, events } = readTableRun(record);
        this.runs.set(record.dir, { run, signature: signature(record) });
        this.stopTailing(record.dir);
        if (record.state === 'running' && events !== null) this.tail(record.dir, events);
      }
      this.schedulePost();
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private tail(runDir: string, events: RunPanelModel): void {
    // The tail reads the log from its start, which `events` already holds: each epoch replaces its own record.
    const tailer = new EventsTailer(join(runDir, RUN_FILES.events), {
      onEvents: (batch) => this.onEvents(runDir, batch),
    });
    this.live.set(runDir, { tailer, events });
    tailer.start();
  }

  private stopTailing(runDir: string): void {
    this.live.get(runDir)?.tailer.dispose();
    this.live.delete(runDir);
  }

  private onEvents(runDir: string, batch: readonly RadLabEvent[]): void {
    const live = this.live.get(runDir);
    const known = this.runs.get(runDir);
    if (live === undefined || known === undefined) return;
    applyEvents(live.events, batch);
    known.run = { ...followLive(known.run, live.events), status: live.events.summary.state };
    // At its end the trainer writes results and run.json; the Runs view's scan then rereads the whole folder.
    if (batch.some((event) => event.type === 'run-end')) void this.feature.refresh();
    this.schedulePost();
  }

  private schedulePost(): void {
    this.pendingUpdate ??= setTimeout(() => {
      this.pendingUpdate = undefined;
      this.postView();
    }, LIVE_UPDATE_MS);
  }

  private postView(): void {
    const runs = [...this.runs.values()].map((known) => known.run);
    this.post({ type: ToTablePage.View, view: tableView(runs, this.state) });
  }

  protected onReady(): void {
    this.postView();
  }

  protected async onMessage(message: TablePageMessage): Promise<void> {
    switch (message.type) {
      case FromTablePage.State:
        this.state = message.state;
        await this.workspaceState.update(LAYOUT_KEY, message.state.layout);
        this.postView();
        break;
      case FromTablePage.Annotate: {
        // Only into a folder the table lists: the page names the folder, and a stale page may name a gone one.
        const known = this.runs.get(message.runDir);
        if (known === undefined)
          throw new Error(`${message.runDir} is not a run the table lists; refresh the Runs view`);
        const annotations = { starred: message.starred ?? known.run.starred, note: message.note ?? known.run.note };
        writeAnnotations(message.runDir, annotations);
        known.run = { ...known.run, ...annotations };
        this.postView();
        break;
      }
      case FromTablePage.OpenRun:
        if (this.runs.has(message.runDir))
          await vscode.commands.executeCommand('radlab.openRunResults', message.runDir);
        break;
    }
  }
}

let openPanel: ExperimentsTablePanel | undefined;

export function openExperimentsTable(context: vscode.ExtensionContext, feature: RunsFeature): void {
  if (openPanel !== undefined) {
    openPanel.reveal();
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    ExperimentsTablePanel.viewType,
    'Experiments',
    vscode.ViewColumn.Active,
    webviewOptions(context.extensionUri),
  );
  openPanel = new ExperimentsTablePanel(panel, context.extensionUri, feature, context.workspaceState);
  panel.onDidDispose(() => (openPanel = undefined), undefined, context.subscriptions);
}

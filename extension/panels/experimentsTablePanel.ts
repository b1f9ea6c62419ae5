// The Experiments table panel: every run the Runs view finds, one row each, kept up to date without a refresh.
// It follows the Runs view's scans (the run.json watcher), rereading only the folders whose state changed, and
// tails the events log of each running run, so a new epoch shows in its row and curves as it ends. The page
// sends the state of its controls; the host answers with the view (core/table/tableView.ts). Stars and notes go to
// the run folder's annotations.json; the column layout is remembered per workspace. Compare Runs opens (or
// reveals) the table with its runs selected, and Export CSV writes the view where the user's save dialog says.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { writeAnnotations } from '../../core/table/annotationsFile';
import { tableCsv } from '../../core/table/tableCsv';
import { DEFAULT_LAYOUT, type TableLayout } from '../../core/table/tableColumns';
import type { TableRun } from '../../core/table/tableRun';
import { initialTableState, selectRuns, tableView, type TableState, type TableView } from '../../core/table/tableView';
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
    selected: readonly string[] = [],
  ) {
    super(panel, { extensionUri, bundle: 'experiments', title: panel.title, isPageMessage: isTablePageMessage });
    this.state = selectRuns(initialTableState(workspaceState.get<TableLayout>(LAYOUT_KEY, DEFAULT_LAYOUT)), selected);
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

  private view(): TableView {
    return tableView(
      [...this.runs.values()].map((known) => known.run),
      this.state,
    );
  }

  private postView(): void {
    this.post({ type: ToTablePage.View, view: this.view() });
  }

  /** Selects exactly these runs (their curves are drawn) and shows the table. */
  select(runDirs: readonly string[]): void {
    this.state = selectRuns(this.state, runDirs);
    this.postView();
    this.reveal();
  }

  /** Writes the view as the page shows it (the host's state is the one the page last sent) to a file the user picks. */
  private async exportCsv(): Promise<void> {
    const view = this.view();
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: 'Export the Experiments table',
      defaultUri: folder === undefined ? undefined : vscode.Uri.joinPath(folder, 'experiments.csv'),
      filters: { CSV: ['csv'] },
    });
    if (target === undefined) return;
    await writeFile(target.fsPath, tableCsv(view));
    const runs = view.rows.filter((row) => row.kind === 'run').length;
    void vscode.window.showInformationMessage(`RadLab: wrote ${runs} runs to ${target.fsPath}`);
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
      case FromTablePage.ExportCsv:
        await this.exportCsv();
        break;
    }
  }
}

let openPanel: ExperimentsTablePanel | undefined;

/** Opens the table, or shows the open one; `selected`, when given, becomes the selection (Compare Runs). */
export function openExperimentsTable(
  context: vscode.ExtensionContext,
  feature: RunsFeature,
  selected?: readonly string[],
): void {
  if (openPanel !== undefined) {
    if (selected === undefined) openPanel.reveal();
    else openPanel.select(selected);
    return;
  }
  const panel = vscode.window.createWebviewPanel(
    ExperimentsTablePanel.viewType,
    'Experiments',
    vscode.ViewColumn.Active,
    webviewOptions(context.extensionUri),
  );
  openPanel = new ExperimentsTablePanel(panel, context.extensionUri, feature, context.workspaceState, selected);
  panel.onDidDispose(() => (openPanel = undefined), undefined, context.subscriptions);
}

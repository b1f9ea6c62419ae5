// The live run in the editor's chrome: a status-bar item (click to stop, after a confirmation) and a cancellable
// progress notification per backbone run (cancel = Stop Run). Both only present the run manager's state.
import * as vscode from 'vscode';
import { ASK_BEFORE_STOPPING } from '../commands/commandArguments';
import { runFraction } from './liveRun';
import type { RunManager } from './runManager';
import { progressMessage, statusBarText, statusBarTooltip } from './statusText';

export const RUN_STATUS_ITEM_ID = 'radlab.runStatus';

interface OpenProgress {
  key: string;
  progress: vscode.Progress<{ message?: string; increment?: number }>;
  shownPercent: number;
  close(): void;
}

export class RunIndicators implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem(RUN_STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 0);
  private readonly subscription: { dispose(): void };
  private open: OpenProgress | undefined;

  constructor(private readonly runs: RunManager) {
    this.item.name = 'RadLab Run';
    this.item.command = { command: 'radlab.stopRun', title: 'Stop Run', arguments: [ASK_BEFORE_STOPPING] };
    this.subscription = runs.onDidChange(() => this.render());
  }

  private render(): void {
    const live = this.runs.live;
    if (live === undefined) {
      this.item.hide();
      this.closeProgress();
      return;
    }
    this.item.text = `$(sync~spin) ${statusBarText(live)}`;
    this.item.tooltip = statusBarTooltip(live, this.runs.queued.length);
    this.item.show();
    // One notification per backbone run: VS Code progress cannot go backwards, and a sweep restarts at 0.
    const key = `${this.runs.activeRequest?.kind}:${live.runId ?? 'starting'}`;
    if (this.open?.key !== key) {
      this.closeProgress();
      this.openProgress(key);
    }
    const open = this.open!;
    const percent = Math.round((runFraction(live) ?? 0) * 100);
    open.progress.report({ message: progressMessage(live), increment: Math.max(0, percent - open.shownPercent) });
    open.shownPercent = Math.max(open.shownPercent, percent);
  }

  private openProgress(key: string): void {
    let close!: () => void;
    const closed = new Promise<void>((resolve) => (close = resolve));
    let progress!: vscode.Progress<{ message?: string; increment?: number }>;
    const ready = new Promise<void>((resolve) => {
      void vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'RadLab', cancellable: true },
        (reporter, token) => {
          progress = reporter;
          resolve();
          token.onCancellationRequested(() => void vscode.commands.executeCommand('radlab.stopRun'));
          return closed;
        },
      );
    });
    // withProgress calls its task synchronously in practice; until it has, reports are kept for it.
    const pending: Array<{ message?: string; increment?: number }> = [];
    const deferred = { report: (value: { message?: string; increment?: number }) => (progress ? progress.report(value) : pending.push(value)) };
    void ready.then(() => pending.splice(0).forEach((value) => progress.report(value)));
    this.open = { key, progress: deferred, shownPercent: 0, close };
  }

  private closeProgress(): void {
    this.open?.close();
    this.open = undefined;
  }

  dispose(): void {
    this.subscription.dispose();
    this.closeProgress();
    this.item.dispose();
  }
}

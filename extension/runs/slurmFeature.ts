// Slurm in the editor: Run Experiment submits through `radlab submit`, Stop Run cancels through `radlab cancel`,
// and queued or running Slurm runs are asked about with `radlab status` every 30 s. The decisions live in
// slurmWiring.ts; this file only reads settings and talks to the user.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CliInvocation } from './cliInvocation';
import { runCliCommand } from './cliCommand';
import type { RunRecord } from './runFolders';
import { RUNS_VIEW_ID } from './runsTreeView';
import { type SlurmSettings, statusArgs, submitArgs } from './slurmRuns';
import { SlurmStatusPoller } from './slurmStatusPoller';
import { cliFailure, needsStatusPolling, submitReport } from './slurmWiring';

export function slurmSettings(): SlurmSettings {
  const config = vscode.workspace.getConfiguration('radlab.slurm');
  return {
    partition: config.get<string>('partition', ''),
    account: config.get<string>('account', ''),
    gpus: config.get<number | null>('gpus', null),
    cpus: config.get<number | null>('cpus', null),
    memory: config.get<string>('memory', ''),
    time: config.get<string>('time', ''),
    extra: config.get<string[]>('extra', []),
    setup: config.get<string[]>('setup', []),
    commandPrefix: config.get<string>('commandPrefix', ''),
  };
}

export class SlurmRunsFeature implements vscode.Disposable {
  private readonly poller: SlurmStatusPoller;
  /** The last status failure logged per run, so a cluster that stays unreachable is not logged every 30 s. */
  private readonly lastProblems = new Map<string, string>();

  constructor(
    private readonly cli: () => CliInvocation,
    private readonly output: vscode.OutputChannel,
    private readonly refresh: () => Promise<void>,
  ) {
    this.poller = new SlurmStatusPoller(
      (runDir) => this.askStatus(runDir),
      () => void this.refresh(),
    );
  }

  /** Called with every scan of the run folders: polling runs exactly while a Slurm run is queued or running. */
  track(runs: readonly RunRecord[]): void {
    this.poller.track(runs.filter(needsStatusPolling).map((run) => run.dir));
  }

  async submit(experimentFile: string): Promise<void> {
    const args = submitArgs(experimentFile, slurmSettings());
    const cli = this.cli();
    this.output.appendLine(`$ ${[cli.command, ...cli.baseArgs, ...args].join(' ')}`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `RadLab: submitting ${path.basename(experimentFile)} to Slurm` },
      () => runCliCommand(cli, args, { cwd: path.dirname(experimentFile), onLine: (line) => this.output.appendLine(line) }),
    );
    const report = submitReport(result);
    const showLog = 'Show Log';
    if (report.kind === 'failed') {
      const choice = await vscode.window.showErrorMessage(`RadLab: ${path.basename(experimentFile)} was not submitted to Slurm: ${report.message}`, showLog);
      if (choice === showLog) this.output.show();
      return;
    }
    await this.refresh();
    for (const warning of report.warnings) void vscode.window.showWarningMessage(`RadLab: ${warning}`);
    const showRuns = 'Show Runs';
    if ((await vscode.window.showInformationMessage(report.message, showRuns)) === showRuns) {
      await vscode.commands.executeCommand(`${RUNS_VIEW_ID}.focus`);
    }
  }

  /** Cancels the run's array task; Slurm stops a started trainer with SIGTERM, so it saves its checkpoint. */
  async cancel(runDir: string, args: readonly string[]): Promise<void> {
    const cli = this.cli();
    this.output.appendLine(`$ ${[cli.command, ...cli.baseArgs, ...args].join(' ')}`);
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `RadLab: cancelling the Slurm task of ${path.basename(runDir)}` },
      () => runCliCommand(cli, args, { onLine: (line) => this.output.appendLine(line) }),
    );
    await this.refresh();
    if (result.exit.code === 0) {
      void vscode.window.showInformationMessage(`RadLab: Slurm cancelled ${path.basename(runDir)}; a started run saves its checkpoint and can be resumed.`);
      return;
    }
    const showLog = 'Show Log';
    const choice = await vscode.window.showErrorMessage(`RadLab: ${path.basename(runDir)} was not cancelled: ${cliFailure('cancel', result)}`, showLog);
    if (choice === showLog) this.output.show();
  }

  /** Never rejects: a failure is logged (once while it stays the same) and the next round tries again. */
  private async askStatus(runDir: string): Promise<void> {
    let problem: string;
    try {
      const result = await runCliCommand(this.cli(), statusArgs(runDir));
      if (result.exit.code === 0) {
        this.lastProblems.delete(runDir);
        return;
      }
      problem = cliFailure('status', result);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (this.lastProblems.get(runDir) === problem) return;
    this.lastProblems.set(runDir, problem);
    this.output.appendLine(`radlab status ${runDir}: ${problem}`);
  }

  dispose(): void {
    this.poller.dispose();
  }
}

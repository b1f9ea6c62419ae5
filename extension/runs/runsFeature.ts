// Puts the run manager into the editor: the "RadLab Runs" output channel, the Runs view, the status bar and
// progress, finding run folders in the workspace, re-attaching runs that outlived a window reload, and telling
// the user how each run ended.
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { ENGINES_DIR_ENV } from '../../core/engine/managedEngines';
import { processPresence } from '../../core/run/trainerProcess';
import { cliInvocation, type CliInvocation } from './cliInvocation';
import { RunIndicators } from './runIndicators';
import { experimentRunsFolder, type RunRecord, scanRuns } from './runFolders';
import { type RunOutcome, type RunRequest, RunManager } from './runManager';
import { RUNS_VIEW_ID, type RunsNode, RunsTreeProvider } from './runsTreeView';
import { SlurmRunsFeature } from './slurmFeature';

export const RUNS_OUTPUT_CHANNEL = 'RadLab Runs';
const EXPERIMENT_GLOB = '**/*.{experiment.yaml,experiment.yml}';
const EXCLUDED = '**/{node_modules,.git}/**';

/** An experiment file deleted between the search and the read has no runs folder; any other failure is a fault. */
function unlessVanished(error: unknown): undefined {
  if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
  throw error;
}

/** The CLI as configured now (the setting can change between runs). */
export function currentCli(context: vscode.ExtensionContext): CliInvocation {
  return cliInvocation({
    nodePath: vscode.workspace.getConfiguration('radlab').get<string>('nodePath', ''),
    hostExecutable: process.execPath,
    cliScript: context.asAbsolutePath(path.join('dist', 'cli.js')),
    // Engines installed by "Set Up GPU Engine" live in the extension's global storage.
    env: { ...process.env, [ENGINES_DIR_ENV]: path.join(context.globalStorageUri.fsPath, 'engines') },
  });
}

export class RunsFeature implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel(RUNS_OUTPUT_CHANNEL);
  readonly tree = new RunsTreeProvider();
  readonly view: vscode.TreeView<RunsNode>;
  readonly runs: RunManager;
  /** Runs submitted to Slurm: submitting, cancelling and polling their status. */
  readonly slurm: SlurmRunsFeature;
  private readonly indicators: RunIndicators;
  private readonly disposables: vscode.Disposable[] = [];
  /** Experiment run folders (<output>/<name>) mapped to the experiment file that writes them. */
  private experimentFiles = new Map<string, string>();
  private readonly attached = new Set<string>();
  private refreshing: Promise<void> | undefined;
  private refreshAgain = false;
  private readonly scanned = new vscode.EventEmitter<RunRecord[]>();
  /** Fires after every scan with every run found: the Experiments table follows the runs through it. */
  readonly onDidScanRuns = this.scanned.event;
  /** The runs of the latest scan. */
  latestRuns: RunRecord[] = [];

  constructor(context: vscode.ExtensionContext) {
    this.runs = new RunManager(() => currentCli(context), { log: (line) => this.output.appendLine(line) });
    this.slurm = new SlurmRunsFeature(() => currentCli(context), this.output, () => this.refresh());
    this.indicators = new RunIndicators(this.runs);
    this.view = vscode.window.createTreeView(RUNS_VIEW_ID, { treeDataProvider: this.tree, canSelectMany: true, showCollapseAll: true });
    const watcher = vscode.workspace.createFileSystemWatcher('**/{run.json,*.experiment.yaml,*.experiment.yml}');
    let lastState: string | undefined;
    this.disposables.push(
      // Before the output channel it writes to.
      this.slurm,
      this.output,
      this.tree,
      this.view,
      this.scanned,
      this.indicators,
      watcher,
      watcher.onDidCreate(() => this.refresh()),
      watcher.onDidChange(() => this.refresh()),
      watcher.onDidDelete(() => this.refresh()),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
      // The tree only needs rereading when a run starts or ends, not on every batch.
      this.runs.onDidChange(() => {
        const state = `${this.runs.activeRequest ? 'active' : 'idle'}:${this.runs.live?.runId}:${this.runs.live?.status}`;
        if (state !== lastState) this.refresh();
        lastState = state;
      }),
    );
  }

  /** Queues a run and tells the user how it ended, with the next useful action. */
  submit(request: RunRequest): void {
    const job = this.runs.submit(request);
    if (this.runs.queued.length > 0) {
      void vscode.window.showInformationMessage(`RadLab: ${job.label} is queued; it starts when the current run ends.`);
    }
    job.done.then(
      (outcome) => this.announce(outcome),
      () => undefined, // removed from the queue: the user asked for it
    );
  }

  private async announce(outcome: RunOutcome): Promise<void> {
    const { live } = outcome;
    // The trainer names the run folder in its run-start event.
    const runDir = outcome.request.kind !== 'run' ? outcome.request.runDir : live.runDir;
    const what = `${live.experiment}${live.backbone !== undefined ? ` (${live.backbone})` : ''}`;
    const openResults = 'Open Results';
    const showLog = 'Show Log';
    const resume = 'Resume';
    let choice: string | undefined;
    if (outcome.status === 'completed') {
      choice = await vscode.window.showInformationMessage(`RadLab: run ${what} completed.`, ...(runDir ? [openResults] : []));
    } else if (outcome.status === 'cancelled') {
      choice = await vscode.window.showInformationMessage(`RadLab: run ${what} was stopped; it can be resumed.`, ...(runDir ? [resume] : []));
    } else {
      choice = await vscode.window.showErrorMessage(`RadLab: run ${what} failed: ${outcome.reason ?? 'see the log'}`, showLog);
    }
    if (choice === openResults && runDir) await vscode.commands.executeCommand('radlab.openRunResults', runDir);
    if (choice === resume && runDir) await vscode.commands.executeCommand('radlab.resumeRun', runDir);
    if (choice === showLog) this.output.show();
  }

  /** The folder an experiment file writes runs to, from its current text. */
  async runsFolderOf(experimentFile: string): Promise<string | undefined> {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === experimentFile);
    const text = open?.getText() ?? (await readFile(experimentFile, 'utf8'));
    return experimentRunsFolder(experimentFile, text);
  }

  /** Rereads every run folder; calls that arrive during a scan are folded into one more scan. */
  refresh(): Promise<void> {
    if (this.refreshing !== undefined) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = this.scan()
      // A fault here is a bug: the log gets its stack, so it can be reported (expected failures are handled below).
      .catch((error: unknown) => this.output.appendLine(`Could not read the run folders: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
      .finally(() => {
        this.refreshing = undefined;
        if (this.refreshAgain) {
          this.refreshAgain = false;
          void this.refresh();
        }
      });
    return this.refreshing;
  }

  private async scan(): Promise<void> {
    const files = await vscode.workspace.findFiles(EXPERIMENT_GLOB, EXCLUDED);
    const experimentFiles = new Map<string, string>();
    for (const uri of files) {
      const folder = await this.runsFolderOf(uri.fsPath).catch(unlessVanished);
      if (folder !== undefined) experimentFiles.set(folder, uri.fsPath);
    }
    // Runs of experiments whose file is gone still live under the default output folder.
    const defaultOutputs = (vscode.workspace.workspaceFolders ?? []).map((f) => path.join(f.uri.fsPath, 'runs'));
    const orphanDirs = (await Promise.all(defaultOutputs.map((dir) => vscode.workspace.fs.readDirectory(vscode.Uri.file(dir)).then(
      (entries) => entries.filter(([, type]) => type === vscode.FileType.Directory).map(([name]) => path.join(dir, name)),
      () => [] as string[],
    )))).flat();
    this.experimentFiles = experimentFiles;
    const groups = scanRuns([...experimentFiles.keys(), ...orphanDirs], processPresence);
    this.tree.update(groups, experimentFiles);
    const records = groups.flatMap((g) => g.runs);
    this.latestRuns = records;
    this.scanned.fire(records);
    this.reattach(records);
    this.slurm.track(records);
  }

  /** Follows runs that are going but that this window did not start (a reload, another window, a terminal). */
  private reattach(records: readonly RunRecord[]): void {
    for (const run of records) {
      const { trainer } = run;
      if (trainer === undefined || this.attached.has(run.dir) || this.runs.isFollowing(run.dir)) continue;
      if (this.startedHere(trainer.pid)) continue;
      this.attached.add(run.dir);
      this.runs.submit({ kind: 'attach', runDir: run.dir, trainer, experiment: run.experiment });
    }
  }

  /** A run whose trainer this window started or already follows (its process, checked alive, has that pid). */
  private startedHere(trainerPid: number): boolean {
    return trainerPid === this.runs.activePid;
  }

  experimentFileFor(experimentDir: string): string | undefined {
    return this.experimentFiles.get(experimentDir);
  }

  /** Leaves trainer processes running: the next window re-attaches them from their run folders. */
  dispose(): void {
    this.runs.dispose();
    for (const disposable of this.disposables) disposable.dispose();
  }
}

export function registerRuns(context: vscode.ExtensionContext): RunsFeature {
  const feature = new RunsFeature(context);
  context.subscriptions.push(feature);
  void feature.refresh();
  return feature;
}

// The Runs view: experiments, each with its runs (newest first), a state icon per run and the test macro-F1 of
// finished ones. Everything it shows comes from the run folders (runFolders.ts), so it is the same after a reload.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExperimentRuns, RunRecord, RunState } from './runFolders';
import { runTooltipMarkdown } from './runTooltip';

export const RUNS_VIEW_ID = 'radlab.runs';

export type RunsNode =
  | { kind: 'experiment'; experiment: string; experimentDir: string; experimentFile?: string; runs: RunRecord[] }
  | { kind: 'run'; run: RunRecord };

const STATE_ICONS: Record<RunState, vscode.ThemeIcon> = {
  queued: new vscode.ThemeIcon('clock'),
  running: new vscode.ThemeIcon('sync~spin'),
  completed: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  cancelled: new vscode.ThemeIcon('circle-slash'),
  interrupted: new vscode.ThemeIcon('warning', new vscode.ThemeColor('list.warningForeground')),
};

const STATE_WORDS: Record<RunState, string> = {
  queued: 'queued on Slurm',
  running: 'running',
  completed: 'completed',
  failed: 'failed',
  cancelled: 'cancelled (can resume)',
  interrupted: 'interrupted (can resume)',
};

/** The node for a tree item: `radlab.run.<state>` lets menus offer stop only on running runs, resume on stopped. */
export function runContextValue(run: RunRecord): string {
  return run.problem !== undefined ? 'radlab.run.unreadable' : `radlab.run.${run.state}`;
}

export function runDescription(run: RunRecord): string {
  if (run.problem !== undefined) return 'unreadable run.json';
  if (run.state === 'completed' && run.testMacroF1 !== undefined) return `test macro-F1 ${run.testMacroF1.toFixed(3)}`;
  return STATE_WORDS[run.state];
}

export class RunsTreeProvider implements vscode.TreeDataProvider<RunsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<RunsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private experiments: RunsNode[] = [];

  /** Replaces what the view shows: experiments with runs, plus experiment files that have none yet. */
  update(groups: readonly ExperimentRuns[], experimentFiles: ReadonlyMap<string, string>): void {
    const byDir = new Map<string, RunsNode & { kind: 'experiment' }>();
    for (const group of groups) byDir.set(group.experimentDir, { kind: 'experiment', ...group, experimentFile: experimentFiles.get(group.experimentDir) });
    for (const [experimentDir, experimentFile] of experimentFiles) {
      if (!byDir.has(experimentDir)) {
        byDir.set(experimentDir, { kind: 'experiment', experiment: path.basename(experimentDir), experimentDir, experimentFile, runs: [] });
      }
    }
    this.experiments = [...byDir.values()].sort((a, b) => a.experiment.localeCompare(b.experiment));
    this.changeEmitter.fire(undefined);
  }

  getChildren(node?: RunsNode): RunsNode[] {
    if (node === undefined) return this.experiments;
    return node.kind === 'experiment' ? node.runs.map((run) => ({ kind: 'run', run })) : [];
  }

  getTreeItem(node: RunsNode): vscode.TreeItem {
    if (node.kind === 'experiment') {
      const item = new vscode.TreeItem(node.experiment, node.runs.length > 0 ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
      item.description = node.runs.length === 0 ? 'no runs yet' : `${node.runs.length} run${node.runs.length === 1 ? '' : 's'}`;
      // VS Code keeps a tree item's expansion by id: an experiment that gains its first run gets a new id, so it
      // opens to show the run instead of keeping the collapsed state it had while empty.
      item.id = `experiment:${node.runs.length > 0 ? 'with-runs' : 'empty'}:${node.experimentDir}`;
      item.accessibilityInformation = { label: `experiment ${node.experiment}, ${item.description ?? ''}` };
      item.iconPath = new vscode.ThemeIcon('beaker');
      item.tooltip = [node.experimentFile, node.experimentDir].filter((s) => s !== undefined).join('\n');
      item.contextValue = node.experimentFile !== undefined ? 'radlab.experiment.withFile' : 'radlab.experiment';
      if (node.experimentFile !== undefined) item.resourceUri = vscode.Uri.file(node.experimentFile);
      return item;
    }
    const { run } = node;
    const item = new vscode.TreeItem(run.member, vscode.TreeItemCollapsibleState.None);
    item.id = `run:${run.dir}`;
    // The headline number first, where a narrow view still shows it; the id follows, and the tooltip has it too.
    item.description = `${runDescription(run)} · ${run.runId}`;
    item.iconPath = run.problem !== undefined ? new vscode.ThemeIcon('warning') : STATE_ICONS[run.state];
    item.tooltip = new vscode.MarkdownString(runTooltipMarkdown(run, STATE_WORDS[run.state]));
    item.contextValue = runContextValue(run);
    item.accessibilityInformation = { label: `${run.member} run ${run.runId}, ${runDescription(run)}` };
    if (run.problem === undefined) item.command = { command: 'radlab.openRunResults', title: 'Open Run Results', arguments: [node] };
    return item;
  }

  /** Every run currently listed, for pickers and re-attaching. */
  allRuns(): RunRecord[] {
    return this.experiments.flatMap((node) => (node.kind === 'experiment' ? node.runs : []));
  }

  dispose(): void {
    this.changeEmitter.dispose();
  }
}

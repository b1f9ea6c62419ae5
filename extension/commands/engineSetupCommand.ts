// "Set Up GPU Engine": installs tfjs-node-gpu (or tfjs-node) into the extension's global storage by running
// `radlab engine install` with a cancellable progress notification, npm's output in the "RadLab Runs" channel
// and its last line as the progress message. Runs started afterwards find the engine there (the CLI gets the
// folder through RADLAB_ENGINES_DIR, see currentCli).
import * as vscode from 'vscode';
import { startProcess } from '../runs/processRunner';
import { currentCli, type RunsFeature } from '../runs/runsFeature';
import { requireTrust } from './workspaceTrust';

const ENGINES = [
  {
    label: 'tfjs-node-gpu',
    description: 'NVIDIA GPU (needs the driver, CUDA 11.2 and cuDNN 8.1)',
  },
  { label: 'tfjs-node', description: 'TensorFlow on the CPU' },
];

async function setUpEngine(context: vscode.ExtensionContext, feature: RunsFeature): Promise<void> {
  if (!(await requireTrust('Installing a training engine'))) return;
  const engine = await vscode.window.showQuickPick(ENGINES, {
    title: 'RadLab: Set Up GPU Engine (1/2): engine to install',
    ignoreFocusOut: true,
  });
  if (engine === undefined) return;
  const download = 'Download libtensorflow (needs internet)';
  const local = 'Use a libtensorflow archive on this machine…';
  const source = await vscode.window.showQuickPick([download, local], {
    title: 'RadLab: Set Up GPU Engine (2/2): where libtensorflow comes from',
    ignoreFocusOut: true,
  });
  if (source === undefined) return;
  const args = ['engine', 'install', engine.label];
  if (source === local) {
    const picked = await vscode.window.showOpenDialog({
      title: 'libtensorflow archive (libtensorflow-*.tar.gz)',
      canSelectMany: false,
      filters: { 'libtensorflow archive': ['gz', 'tgz'] },
    });
    if (picked?.[0] === undefined) return;
    args.push('--libtensorflow', picked[0].fsPath);
  }

  const cli = currentCli(context);
  const fullArgs = [...cli.baseArgs, ...args];
  feature.output.appendLine(`$ ${[cli.command, ...fullArgs].join(' ')}`);
  const printed: string[] = [];
  let cancelled = false;
  const exit = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `RadLab: installing ${engine.label}`, cancellable: true },
    (progress, token) => {
      const child = startProcess(
        { command: cli.command, args: fullArgs, env: cli.env },
        {
          onStdoutLine: (line) => {
            feature.output.appendLine(line);
            if (line.trim() !== '') progress.report({ message: line.trim().slice(0, 120) });
          },
          onStderrLine: (line) => {
            feature.output.appendLine(line);
            printed.push(line);
          },
        },
      );
      token.onCancellationRequested(() => {
        cancelled = true;
        void child.stop();
      });
      return child.exited;
    },
  );
  if (exit.code === 0) {
    void vscode.window.showInformationMessage(
      `RadLab: ${engine.label} is installed; runs with train.engine auto or ${engine.label} use it.`,
    );
    return;
  }
  if (cancelled) {
    void vscode.window.showInformationMessage(`RadLab: installing ${engine.label} was cancelled; nothing changed.`);
    return;
  }
  const reason =
    exit.startError !== undefined
      ? `the CLI could not start: ${exit.startError.message}; check the radlab.nodePath setting`
      : (printed.find((line) => line.startsWith('radlab engine install:')) ?? printed.slice(-2).join(' ')) ||
        `exit code ${exit.code}`;
  const showLog = 'Show Log';
  const choice = await vscode.window.showErrorMessage(
    `RadLab: ${engine.label} was not installed (${reason}).`,
    showLog,
  );
  if (choice === showLog) feature.output.show();
}

export function registerEngineSetupCommand(context: vscode.ExtensionContext, feature: RunsFeature): vscode.Disposable {
  return vscode.commands.registerCommand('radlab.setUpGpuEngine', () => setUpEngine(context, feature));
}

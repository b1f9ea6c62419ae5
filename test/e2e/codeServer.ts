// Runs a real VS Code (code-server, installed by test/e2e/setup.sh) for the end-to-end suite: a private config,
// user data, extensions and XDG folders under one session folder, the RadLab .vsix installed into it, the server on
// a free loopback port, and the whole process tree (server, extension host, language server) stopped at the end.
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const e2eCacheDir = process.env.RADLAB_E2E_CACHE ?? path.join(homedir(), '.cache', 'radlab-e2e');
export const codeServerBin = path.join(e2eCacheDir, 'code-server', 'node_modules', '.bin', 'code-server');

const startAttempts = 3;
const healthzTimeoutMs = 30_000;
const stopGraceMs = 5_000;

// Settings that keep the workbench quiet and predictable: no welcome page, tips, trust prompt or update checks,
// and quick open / palette results that open files as real tabs rather than previews.
const userSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.editor.enablePreview': false,
  'workbench.editor.enablePreviewFromQuickOpen': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'files.autoSave': 'off',
  'chat.commandCenter.enabled': false,
  'editor.hover.delay': 100,
  // Suggestions then come only from language servers, so a completion test sees what the server offers.
  'editor.wordBasedSuggestions': 'off',
};

export interface CodeServerOptions {
  /** The extension package to install before the server starts. */
  vsixPath: string;
  /** Folder that holds everything this server writes (user data, extensions, XDG folders, its log). */
  sessionDir: string;
}

export class CodeServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly serverLogPath: string,
    readonly userDataDir: string,
  ) {}

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    if (!existsSync(codeServerBin)) {
      throw new Error(`code-server is not installed at ${codeServerBin}: run test/e2e/setup.sh first`);
    }
    if (!existsSync(options.vsixPath)) {
      throw new Error(`extension package ${options.vsixPath} is missing: run \`npm run package\` first`);
    }
    const dirs = prepareSessionDirs(options.sessionDir);
    await installExtension(options.vsixPath, dirs);

    let lastError: unknown;
    for (let attempt = 1; attempt <= startAttempts; attempt++) {
      const port = await freeLoopbackPort();
      const serverLogPath = path.join(options.sessionDir, `code-server.${attempt}.log`);
      const child = launch(port, dirs, serverLogPath);
      const url = `http://127.0.0.1:${port}`;
      try {
        await waitForHealthz(url, child, serverLogPath);
        return new CodeServer(child, url, serverLogPath, dirs.userDataDir);
      } catch (error) {
        // Another process can take the port between our probe and the server's bind; a fresh port fixes that.
        lastError = error;
        await stopProcessGroup(child);
      }
    }
    throw lastError;
  }

  /** The workbench address that opens `folder` as the workspace. */
  workbenchUrl(folder: string): string {
    return `${this.url}/?folder=${encodeURIComponent(folder)}`;
  }

  /** Copies the server log and VS Code's own logs (extension host, language server output channels) into `dir`. */
  collectLogs(dir: string): void {
    mkdirSync(dir, { recursive: true });
    cpSync(this.serverLogPath, path.join(dir, 'code-server.log'));
    const vscodeLogs = path.join(this.userDataDir, 'logs');
    if (existsSync(vscodeLogs)) cpSync(vscodeLogs, path.join(dir, 'vscode-logs'), { recursive: true });
  }

  /** The remote extension host's log: activation events and extension errors are written there. */
  extensionHostLog(): string {
    const logsRoot = path.join(this.userDataDir, 'logs');
    return findFiles(logsRoot, (name) => name === 'remoteexthost.log')
      .map((file) => readFileSync(file, 'utf8'))
      .join('\n');
  }

  async stop(): Promise<void> {
    await stopProcessGroup(this.child);
  }
}

interface SessionDirs {
  configPath: string;
  userDataDir: string;
  extensionsDir: string;
  env: NodeJS.ProcessEnv;
}

function prepareSessionDirs(sessionDir: string): SessionDirs {
  const userDataDir = path.join(sessionDir, 'user-data');
  const extensionsDir = path.join(sessionDir, 'extensions');
  const xdgConfig = path.join(sessionDir, 'xdg-config');
  const xdgData = path.join(sessionDir, 'xdg-data');
  const xdgCache = path.join(sessionDir, 'xdg-cache');
  for (const dir of [userDataDir, extensionsDir, xdgConfig, xdgData, xdgCache, path.join(userDataDir, 'User')]) {
    mkdirSync(dir, { recursive: true });
  }
  writeFileSync(path.join(userDataDir, 'User', 'settings.json'), JSON.stringify(userSettings, null, 2));

  const configPath = path.join(sessionDir, 'config.yaml');
  // bind-addr is passed on the command line per attempt; everything else lives here so that code-server never reads
  // (or writes a password into) the config under the user's home folder.
  writeFileSync(
    configPath,
    [
      'auth: none',
      'cert: false',
      'disable-telemetry: true',
      'disable-update-check: true',
      'disable-workspace-trust: true',
      'disable-getting-started-override: true',
      '',
    ].join('\n'),
  );

  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // Variables of an enclosing VS Code (its IPC hooks, "run as node") would make the CLI talk to that editor.
    if (key.startsWith('VSCODE_') || key === 'ELECTRON_RUN_AS_NODE') continue;
    env[key] = value;
  }
  Object.assign(env, { XDG_CONFIG_HOME: xdgConfig, XDG_DATA_HOME: xdgData, XDG_CACHE_HOME: xdgCache });
  return { configPath, userDataDir, extensionsDir, env };
}

function commonArgs(dirs: SessionDirs): string[] {
  return ['--config', dirs.configPath, '--user-data-dir', dirs.userDataDir, '--extensions-dir', dirs.extensionsDir];
}

async function installExtension(vsixPath: string, dirs: SessionDirs): Promise<void> {
  try {
    await execFileAsync(codeServerBin, [...commonArgs(dirs), '--force', '--install-extension', vsixPath], {
      env: dirs.env,
      timeout: 120_000,
    });
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    throw new Error(`code-server could not install ${vsixPath}:\n${stdout}${stderr}`);
  }
}

function launch(port: number, dirs: SessionDirs, logPath: string): ChildProcess {
  const logFd = openSync(logPath, 'w');
  try {
    // Detached: the server leads its own process group, so stopping the group also ends the extension host and the
    // language server it forks.
    return spawn(codeServerBin, [...commonArgs(dirs), '--bind-addr', `127.0.0.1:${port}`], {
      env: dirs.env,
      detached: true,
      stdio: ['ignore', logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForHealthz(url: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + healthzTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `code-server exited (${child.exitCode ?? child.signalCode}) before it was healthy:\n${tail(logPath)}`,
      );
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // Connection refused until the server listens: poll again.
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`code-server did not answer ${url}/healthz within ${healthzTimeoutMs / 1000} s:\n${tail(logPath)}`);
}

async function stopProcessGroup(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  signalGroup(child.pid, 'SIGTERM');
  const timedOut = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(true), stopGraceMs)),
  ]);
  // The group may still hold children (extension host, language server) after the leader exits; end them too.
  signalGroup(child.pid, 'SIGKILL');
  if (timedOut) await exited;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return '(no log)';
  return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
}

function findFiles(dir: string, matches: (name: string) => boolean): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && matches(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

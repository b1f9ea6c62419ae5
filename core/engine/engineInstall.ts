// `radlab engine install`: puts tfjs-node-gpu or tfjs-node into RadLab's managed engines folder with npm, the
// version matching the @tensorflow/tfjs-core RadLab runs on.
//
// npm works in a fresh staging folder beside the engines; only an install that produced the compiled binding is
// moved into place (replacing an older one), so a failure — no internet for the libtensorflow download, a build
// error — leaves the managed folder exactly as it was and the ladder unchanged.
//
// Without internet, a libtensorflow archive downloaded elsewhere can be given: the package is installed without
// its scripts, the archive unpacked into the package's deps/ folder, and the package's own install script run
// without its "download" argument, which then builds against the libtensorflow it finds there (tfjs-node's
// scripts/install.js). The binding itself still comes from node-pre-gyp: its prebuilt download, or a build from
// source where that download is refused.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { packageName } from './ladder';
import {
  managedEnginesDir,
  managedPackageDir,
  nativeBinding,
  nativeEngines,
  packageVersion,
  prefixPackageDir,
  type NativeEngine,
} from './managedEngines';

export interface InstallOptions {
  engine: string;
  /** The managed engines folder; default managedEnginesDir(). */
  root?: string;
  /** A libtensorflow .tar.gz for machines without internet. */
  libtensorflow?: string;
  /** The npm command; default `npm` from PATH. */
  npm?: string;
  /** Each line npm and the install scripts print, as they print it. */
  onLine?: (line: string) => void;
  /** Stops npm (the staging folder is removed as after any failure). */
  signal?: AbortSignal;
}

export interface InstallResult {
  engine: NativeEngine;
  version: string;
  packageDir: string;
  binding: string;
}

export class EngineInstallError extends Error {}

function tfjsCoreVersion(): string {
  const require = createRequire(__filename);
  return packageVersion(dirname(require.resolve('@tensorflow/tfjs-core/package.json')));
}

/** The line that says why a command failed: the first thrown error (a refused download) if any was printed. */
function failureCause(lines: readonly string[]): string {
  return lines.find((line) => /^(\w*Error|error):? /.test(line.trim()))?.trim() ?? lines.slice(-4).join(' | ');
}

/** Runs a command, passing each output line on; rejects with the cause of a failure when it fails. */
function runStreaming(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; onLine: (line: string) => void; signal?: AbortSignal },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const printed: string[] = [];
    const take = (line: string) => {
      options.onLine(line);
      if (line.trim() !== '') printed.push(line.trim());
    };
    createInterface({ input: child.stdout }).on('line', take);
    createInterface({ input: child.stderr }).on('line', take);
    child.on('error', (error) =>
      reject(
        new EngineInstallError(
          error.name === 'AbortError' ? `${command} was stopped` : `${command} could not start: ${error.message}`,
        ),
      ),
    );
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new EngineInstallError(
            `${[command, ...args].join(' ')} failed (${signal ?? `exit ${code}`}): ${failureCause(printed) || 'no output'}`,
          ),
        );
    });
  });
}

function checkArchive(path: string): void {
  if (!existsSync(path) || !statSync(path).isFile()) {
    throw new EngineInstallError(`--libtensorflow ${path}: no such file`);
  }
  if (!path.endsWith('.tar.gz') && !path.endsWith('.tgz')) {
    throw new EngineInstallError(
      `--libtensorflow ${path}: expected libtensorflow's .tar.gz (e.g. libtensorflow-gpu-linux-x86_64-2.9.1.tar.gz)`,
    );
  }
}

/** Unpacks the archive into the package's deps/ folder, where its install script looks for libtensorflow. */
async function stageLibtensorflow(
  archive: string,
  packageDir: string,
  run: (command: string, args: string[]) => Promise<void>,
): Promise<void> {
  const deps = join(packageDir, 'deps');
  mkdirSync(deps, { recursive: true });
  await run('tar', ['-xzf', archive, '-C', deps]);
  const lib = join(deps, 'lib');
  const found = existsSync(lib) && readdirSync(lib).some((name) => name.startsWith('libtensorflow.'));
  if (!found) {
    throw new EngineInstallError(
      `${archive} holds no lib/libtensorflow.* (it must be a libtensorflow archive as Google publishes it)`,
    );
  }
}

export async function installEngine(options: InstallOptions): Promise<InstallResult> {
  if (!(nativeEngines as readonly string[]).includes(options.engine)) {
    throw new EngineInstallError(
      `cannot install '${options.engine}': radlab engine install takes ${nativeEngines.join(' or ')}`,
    );
  }
  const engine = options.engine as NativeEngine;
  if (options.libtensorflow !== undefined) checkArchive(options.libtensorflow);
  const root = options.root ?? managedEnginesDir();
  const npm = options.npm ?? 'npm';
  const onLine = options.onLine ?? (() => {});
  const version = tfjsCoreVersion();
  const spec = `${packageName(engine)}@${version}`;

  const rootExisted = existsSync(root);
  mkdirSync(root, { recursive: true });
  const staging = mkdtempSync(join(root, `.install-${engine}-`));
  try {
    // A package.json of its own keeps npm from walking up to a project above the folder.
    writeFileSync(join(staging, 'package.json'), JSON.stringify({ name: 'radlab-engine', private: true }) + '\n');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PATH: [join(staging, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter),
    };
    const run = (command: string, args: string[], cwd = staging) =>
      runStreaming(command, args, { cwd, env, onLine, ...(options.signal ? { signal: options.signal } : {}) });
    const npmArgs = ['install', spec, '--prefix', staging, '--no-audit', '--no-fund', '--foreground-scripts'];
    const packageDir = prefixPackageDir(staging, packageName(engine));
    if (options.libtensorflow === undefined) {
      onLine(`$ npm ${npmArgs.join(' ')}`);
      await run(npm, npmArgs);
    } else {
      onLine(`$ npm ${[...npmArgs, '--ignore-scripts'].join(' ')}`);
      await run(npm, [...npmArgs, '--ignore-scripts']);
      onLine(`unpacking ${options.libtensorflow} into ${join(packageDir, 'deps')}`);
      await stageLibtensorflow(options.libtensorflow, packageDir, run);
      const libraryType = engine === 'tfjs-node-gpu' ? 'gpu' : 'cpu';
      onLine(`$ node scripts/install.js ${libraryType}`);
      await run(process.execPath, [join('scripts', 'install.js'), libraryType], packageDir);
    }
    const binding = nativeBinding(packageDir);
    if (binding === undefined) {
      throw new EngineInstallError(
        `npm finished but ${packageName(engine)} has no compiled binding (lib/napi-v*/tfjs_binding.node); nothing was installed`,
      );
    }
    const target = join(root, engine);
    const previous = existsSync(target) ? mkdtempSync(join(root, `.previous-${engine}-`)) : undefined;
    if (previous !== undefined) renameSync(target, join(previous, engine));
    renameSync(staging, target);
    if (previous !== undefined) rmSync(previous, { recursive: true, force: true });
    const installed = managedPackageDir(engine, packageName(engine), root);
    return { engine, version, packageDir: installed, binding: nativeBinding(installed)! };
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!rootExisted && readdirSync(root).length === 0) rmSync(root, { recursive: true, force: true });
    if (error instanceof EngineInstallError) throw error;
    throw new EngineInstallError(error instanceof Error ? error.message : String(error));
  }
}

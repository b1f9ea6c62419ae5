// `radlab engine [--engine NAME] [--threads N] [--json]`: which training engine this machine would use, why the
// others are not available, and the device it runs on.
// `radlab engine install tfjs-node-gpu|tfjs-node [--libtensorflow <archive>] [--dir <folder>]`: installs a native
// engine into RadLab's managed engines folder, printing npm's output as it comes.
import process, { stdout, stderr } from 'node:process';
import { installEngine } from '../engine/engineInstall';
import { managedEnginesDir } from '../engine/managedEngines';
import { releaseEngine, selectEngine, type EngineOptions, type EngineReport } from '../engine/selectEngine';

const usage =
  'radlab engine [--engine auto|tfjs-node-gpu|tfjs-node|webgpu|wasm] [--threads N] [--json] | ' +
  'radlab engine install tfjs-node-gpu|tfjs-node [--libtensorflow <archive.tar.gz>] [--dir <engines folder>]';

interface InstallArguments {
  engine: string;
  libtensorflow?: string;
  root?: string;
}

function parseInstall(args: string[]): InstallArguments | string {
  let engine: string | undefined;
  const parsed: Omit<InstallArguments, 'engine'> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--libtensorflow' && args[i + 1] !== undefined) parsed.libtensorflow = args[++i]!;
    else if (arg === '--dir' && args[i + 1] !== undefined) parsed.root = args[++i]!;
    else if (!arg.startsWith('--') && engine === undefined) engine = arg;
    else return `unknown argument '${arg}'`;
  }
  if (engine === undefined) return 'engine install needs an engine: tfjs-node-gpu or tfjs-node';
  return { engine, ...parsed };
}

async function install(args: string[]): Promise<number> {
  const parsed = parseInstall(args);
  if (typeof parsed === 'string') {
    stderr.write(`radlab engine: ${parsed}\nusage: ${usage}\n`);
    return 2;
  }
  const root = parsed.root ?? managedEnginesDir();
  stdout.write(`installing ${parsed.engine} into ${root}\n`);
  // Ctrl+C or the editor's Cancel stops npm; the install then cleans up as after any failure.
  const stop = new AbortController();
  const abort = () => stop.abort();
  process.once('SIGINT', abort).once('SIGTERM', abort);
  try {
    const result = await installEngine({
      engine: parsed.engine,
      root,
      signal: stop.signal,
      ...(parsed.libtensorflow !== undefined ? { libtensorflow: parsed.libtensorflow } : {}),
      onLine: (line) => stdout.write(`${line}\n`),
    });
    stdout.write(`installed ${result.engine} ${result.version} in ${result.packageDir} (binding ${result.binding})\n`);
    return 0;
  } catch (error) {
    stderr.write(
      `radlab engine install: ${error instanceof Error ? error.message : String(error)}\n` +
        `${root} is unchanged. Without internet, download libtensorflow on another machine and pass it with ` +
        '--libtensorflow <archive.tar.gz>.\n',
    );
    return 1;
  } finally {
    process.off('SIGINT', abort).off('SIGTERM', abort);
  }
}

function parse(args: string[]): { options: EngineOptions; json: boolean } | string {
  const options: EngineOptions = {};
  let json = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--json') json = true;
    else if (arg === '--engine' && args[i + 1] !== undefined) options.engine = args[++i] as EngineOptions['engine'];
    else if (arg === '--threads' && args[i + 1] !== undefined) {
      const value = Number(args[++i]);
      if (!Number.isInteger(value) || value < 1) return `--threads needs a positive integer (got '${args[i]}')`;
      options.threads = value;
    } else return `unknown argument '${arg}'`;
  }
  return { options, json };
}

function formatText(report: EngineReport): string {
  const lines = [
    `chosen: ${report.chosen} (tfjs backend '${report.backend}', ${report.threads} thread${report.threads === 1 ? '' : 's'})`,
  ];
  if (report.threadsNote) lines.push(`threads: ${report.threadsNote}`);
  lines.push('ladder:');
  for (const rung of report.ladder)
    lines.push(`  ${rung.available ? 'yes' : 'no '} ${rung.name.padEnd(14)} ${rung.reason}`);
  const d = report.device;
  lines.push(
    `device: ${d.cpuModel}, ${d.logicalCores} logical cores, ${d.memoryGiB} GiB, ${d.platform}, Node ${d.node}, wasm SIMD ${d.wasmSimd ? 'yes' : 'no'}`,
  );
  if (d.gpu) lines.push(`gpu: ${d.gpu}`);
  if (report.kernels.length > 0) lines.push(`training kernels added: ${report.kernels.join(', ')}`);
  return lines.join('\n') + '\n';
}

export async function run(args: string[]): Promise<number> {
  if (args[0] === 'install') return install(args.slice(1));
  const parsed = parse(args);
  if (typeof parsed === 'string') {
    stderr.write(`radlab engine: ${parsed}\nusage: ${usage}\n`);
    return 2;
  }
  try {
    const report = await selectEngine(parsed.options);
    stdout.write(parsed.json ? JSON.stringify(report, null, 2) + '\n' : formatText(report));
    return 0;
  } catch (error) {
    stderr.write(`radlab engine: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  } finally {
    releaseEngine();
  }
}

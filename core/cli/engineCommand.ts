// `radlab engine [--engine NAME] [--threads N] [--json]`: which training engine this machine would use, why the
// others are not available, and the device it runs on.
import { stdout, stderr } from 'node:process';
import { releaseEngine, selectEngine, type EngineOptions, type EngineReport } from '../engine/selectEngine';

const usage = 'radlab engine [--engine auto|tfjs-node-gpu|tfjs-node|webgpu|wasm] [--threads N] [--json]';

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

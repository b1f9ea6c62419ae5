// Slurm is driven through its own client commands (sbatch, squeue, sacct, scancel): they carry the cluster's
// configuration, authentication and version handling, which no library reproduces.
import { spawnSync } from 'node:child_process';

export type SlurmTool = 'sbatch' | 'squeue' | 'sacct' | 'scancel';

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class SlurmNotFoundError extends Error {
  constructor(tool: SlurmTool) {
    super(
      `${tool} was not found on PATH (${process.env.PATH ?? ''}). radlab submit, status and cancel use Slurm's client ` +
        "commands: run them on a machine of the cluster (a login node), or put Slurm's commands on PATH first " +
        '(e.g. module load slurm).',
    );
  }
}

export function runSlurmTool(tool: SlurmTool, args: readonly string[], input?: string): ToolResult {
  const result = spawnSync(tool, args, {
    encoding: 'utf8',
    timeout: 60_000,
    ...(input !== undefined ? { input } : {}),
  });
  if (result.error) {
    if ((result.error as NodeJS.ErrnoException).code === 'ENOENT') throw new SlurmNotFoundError(tool);
    throw new Error(`${tool} ${args.join(' ')} could not run: ${result.error.message}`);
  }
  return { code: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Slurm's own words from a failed command, without the tool's "sbatch: error:" prefixes. */
export function slurmMessage(result: ToolResult): string {
  const text = (result.stderr.trim() || result.stdout.trim())
    .split('\n')
    .map((line) => line.replace(/^\w+: error: /, '').trim());
  return text.filter((line) => line !== '').join('; ') || `exit status ${result.code} without a message`;
}

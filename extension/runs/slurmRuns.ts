// Slurm runs in the editor: the radlab.slurm.* settings become `radlab submit` options (each overrides the
// experiment's executor.slurm value when set), and the CLI lines that submit, stop and query a Slurm run. Slurm
// itself is only ever driven by the radlab CLI (core/slurm), so the editor and a terminal behave the same.
import type { RunRecord } from '../../core/run/runRecord';

/** The radlab.slurm.* settings as VS Code returns them; empty or null means "use the experiment's value". */
export interface SlurmSettings {
  partition: string;
  account: string;
  gpus: number | null;
  cpus: number | null;
  memory: string;
  time: string;
  extra: string[];
  setup: string[];
  commandPrefix: string;
}

export function submitOverrideArgs(settings: SlurmSettings): string[] {
  const args: string[] = [];
  const text = (flag: string, value: string) => {
    if (value.trim() !== '') args.push(flag, value.trim());
  };
  text('--partition', settings.partition);
  text('--account', settings.account);
  if (settings.gpus !== null) args.push('--gpus', String(settings.gpus));
  if (settings.cpus !== null) args.push('--cpus', String(settings.cpus));
  text('--memory', settings.memory);
  text('--time', settings.time);
  for (const line of settings.extra) args.push('--sbatch', line);
  for (const line of settings.setup) args.push('--setup', line);
  text('--command-prefix', settings.commandPrefix);
  return args;
}

/** Arguments after the CLI script for Run Experiment on Slurm; stdout is the submission record (JSON). */
export function submitArgs(experimentFile: string, settings: SlurmSettings): string[] {
  return ['submit', experimentFile, ...submitOverrideArgs(settings), '--json'];
}

/** Stop Run on a Slurm run cancels its array task; the trainer then saves its checkpoint and ends `cancelled`. */
export function cancelArgs(runDir: string): string[] {
  return ['cancel', runDir];
}

/** `radlab status --json` for one run: Slurm's state of its task and run.json's status (reconciled). */
export function statusArgs(runDir: string): string[] {
  return ['status', runDir, '--json'];
}

export function isSlurmRun(record: Pick<RunRecord, 'slurm'>): boolean {
  return record.slurm !== undefined;
}

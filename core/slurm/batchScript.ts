// The batch script `radlab submit` hands to sbatch: #SBATCH lines from the experiment's executor.slurm section,
// the setup lines, then the radlab command. Written to the submission folder too, so a user can read or rerun it.
import type { SlurmOptions } from '../experiment/resolvedRun';

export interface BatchScript {
  jobName: string;
  /** Array task range, e.g. 0-5; absent for a single job. */
  array?: string;
  /** Slurm's output file; %a stands for the array index. */
  output: string;
  workdir: string;
  options: SlurmOptions;
  /** The program and its arguments; `$SLURM_ARRAY_TASK_ID` in an argument is left for the shell to expand. */
  command: string[];
}

const TASK_ID = '$SLURM_ARRAY_TASK_ID';

/** POSIX single quoting: the only character to care about inside single quotes is the quote itself. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function argument(word: string): string {
  return word === TASK_ID ? `"${TASK_ID}"` : shellQuote(word);
}

/** An #SBATCH directive value: Slurm reads double-quoted values, so paths with spaces survive. */
function directiveValue(value: string): string {
  return /[\s"]/.test(value) ? `"${value.replace(/"/g, '\\"')}"` : value;
}

export function sbatchDirectives(script: BatchScript): string[] {
  const { options } = script;
  const lines = [
    `--job-name=${directiveValue(script.jobName)}`,
    ...(script.array !== undefined ? [`--array=${script.array}`] : []),
    `--output=${directiveValue(script.output)}`,
    `--chdir=${directiveValue(script.workdir)}`,
    '--ntasks=1',
    `--cpus-per-task=${options.cpus}`,
    ...(options.gpus > 0 ? [`--gpus=${options.gpus}`] : []),
    ...(options.memory !== '' ? [`--mem=${options.memory}`] : []),
    ...(options.time !== '' ? [`--time=${options.time}`] : []),
    ...(options.partition !== '' ? [`--partition=${options.partition}`] : []),
    ...(options.account !== '' ? [`--account=${options.account}`] : []),
  ].map((option) => `#SBATCH ${option}`);
  for (const extra of options.extra) lines.push(extra.startsWith('#SBATCH') ? extra : `#SBATCH ${extra}`);
  return lines;
}

export function batchScriptText(script: BatchScript, comment: string): string {
  const prefix = script.options.command_prefix.trim();
  const command = script.command.map(argument).join(' ');
  return [
    '#!/bin/bash',
    ...sbatchDirectives(script),
    '',
    ...comment.split('\n').map((line) => `# ${line}`),
    'set -eo pipefail',
    ...script.options.setup,
    `exec ${prefix !== '' ? `${prefix} ` : ''}${command}`,
    '',
  ].join('\n');
}

export const ARRAY_TASK_ID = TASK_ID;

// `radlab submit <file.experiment.yaml> [Slurm options] [--json]`: sends the sweep to Slurm (submit.ts).
// The options override the experiment's executor.slurm section (the editor passes its radlab.slurm.* settings
// this way); each is checked against the same schema field the experiment file is.
import { resolve } from 'node:path';
import { argv, execArgv, execPath, stderr, stdout } from 'node:process';
import { experimentSchema } from '../experiment/schema';
import type { SlurmOptions } from '../experiment/resolvedRun';
import { objectOf, type SchemaNode } from '../experiment/schemaNodes';
import { SlurmNotFoundError } from '../slurm/slurmCommands';
import { submitExperiment } from '../slurm/submit';
import { parseCommandArgs } from './commandArgs';

const USAGE =
  'Usage: radlab submit <file.experiment.yaml> [--partition P] [--account A] [--gpus N] [--cpus N] [--memory 32G] ' +
  "[--time 12:00:00] [--sbatch '--qos=long' ...] [--setup 'module load nodejs' ...] [--command-prefix 'apptainer exec x.sif'] [--json]";

const slurmFields = objectOf(objectOf(experimentSchema.fields.executor!.node)!.fields.slurm!.node)!.fields;

/** Why `value` does not fit the schema node, or null; the same rules the experiment file is validated by. */
function misfit(node: SchemaNode, value: unknown): string | null {
  if (node.kind === 'number') {
    const n = Number(value);
    if (!Number.isInteger(n) || (node.min !== undefined && n < node.min) || (node.max !== undefined && n > node.max)) {
      return `an integer from ${node.min} to ${node.max}`;
    }
    return null;
  }
  if (node.kind === 'string')
    return node.pattern && !node.pattern.test(String(value)) ? (node.patternHint ?? 'a different value') : null;
  if (node.kind === 'list') {
    for (const item of value as string[])
      if (misfit(node.items, item) !== null) return `each ${misfit(node.items, item)}`;
  }
  return null;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('submit', USAGE, args, {
    partition: { type: 'string' },
    account: { type: 'string' },
    gpus: { type: 'string' },
    cpus: { type: 'string' },
    memory: { type: 'string' },
    time: { type: 'string' },
    sbatch: { type: 'string', multiple: true },
    setup: { type: 'string', multiple: true },
    'command-prefix': { type: 'string' },
    json: { type: 'boolean', default: false },
  });
  if (parsed === undefined) return 2;
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0) {
    stderr.write(`radlab submit: give one experiment file.\n${USAGE}\n`);
    return 2;
  }
  const v = parsed.values;
  const given: Partial<Record<keyof SlurmOptions, unknown>> = {
    ...(v.partition !== undefined ? { partition: v.partition } : {}),
    ...(v.account !== undefined ? { account: v.account } : {}),
    ...(v.gpus !== undefined ? { gpus: v.gpus } : {}),
    ...(v.cpus !== undefined ? { cpus: v.cpus } : {}),
    ...(v.memory !== undefined ? { memory: v.memory } : {}),
    ...(v.time !== undefined ? { time: v.time } : {}),
    ...(v.sbatch !== undefined ? { extra: v.sbatch } : {}),
    ...(v.setup !== undefined ? { setup: v.setup } : {}),
    ...(v['command-prefix'] !== undefined ? { command_prefix: v['command-prefix'] } : {}),
  };
  const overrides: Partial<SlurmOptions> = {};
  for (const [key, value] of Object.entries(given) as [keyof SlurmOptions, unknown][]) {
    const wrong = misfit(slurmFields[key]!.node, value);
    if (wrong !== null) {
      stderr.write(`radlab submit: ${key} ${JSON.stringify(value)} is not ${wrong}.\n${USAGE}\n`);
      return 2;
    }
    Object.assign(overrides, { [key]: key === 'gpus' || key === 'cpus' ? Number(value) : value });
  }

  const path = resolve(file);
  const note = (line: string) => stderr.write(`${line}\n`);
  let outcome;
  try {
    outcome = await submitExperiment(path, overrides, [execPath, ...execArgv, resolve(argv[1]!)], note);
  } catch (error) {
    if (error instanceof SlurmNotFoundError) {
      stderr.write(`radlab submit: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  if (outcome.kind === 'invalid') {
    for (const d of outcome.diagnostics) {
      stderr.write(
        `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} [${d.code}] ${d.message}\n`,
      );
    }
    stderr.write(`radlab submit: ${file} is not a valid experiment; nothing was submitted.\n`);
    return 1;
  }
  if (outcome.kind === 'rejected') {
    stderr.write(
      `radlab submit: Slurm refused the job: ${outcome.message}\nNothing was submitted. The batch script's options were:\n${outcome.script
        .split('\n')
        .filter((l) => l.startsWith('#SBATCH'))
        .join('\n')}\n`,
    );
    return 1;
  }
  const { submission } = outcome;
  if (v.json) {
    stdout.write(`${JSON.stringify(submission)}\n`);
  } else {
    stdout.write(
      `Submitted Slurm job ${submission.arrayJobId}: ${submission.members.length} task(s), ` +
        `${submission.members.map((m) => `[${m.index}] ${m.backbone}`).join(', ')}, run ${submission.runId} in ${submission.experimentFolder}\n` +
        (submission.summaryJobId
          ? `The sweep summary is written by job ${submission.summaryJobId} once they end.\n`
          : '') +
        `Follow: radlab status ${submission.experimentFolder}\nStop:   radlab cancel ${submission.experimentFolder}\n`,
    );
  }
  if (outcome.summaryProblem) stderr.write(`radlab submit: ${outcome.summaryProblem}\n`);
  return 0;
}

// `radlab run <file.experiment.yaml> [--events-stdout]` and `radlab run --resume <run dir>`.
import { resolve } from 'node:path';
import { stderr, stdout } from 'node:process';
import { version } from '../../package.json';
import { resumeRun, runExperimentFile } from '../run/runExperiment';
import { RUN_ID } from '../run/runFolder';
import { createProgressDisplay } from '../run/terminalProgress';
import { parseCommandArgs } from './commandArgs';

const USAGE =
  'Usage: radlab run <file.experiment.yaml> [--events-stdout] [--member <index> --run-id <run id>] | radlab run --resume <run dir> [--events-stdout]';

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('run', USAGE, args, {
    resume: { type: 'string' },
    'events-stdout': { type: 'boolean', default: false },
    member: { type: 'string' },
    'run-id': { type: 'string' },
  });
  if (parsed === undefined) return 2;
  const [file, ...extra] = parsed.positionals;
  const resumeDir = parsed.values.resume;
  if (extra.length > 0 || (file === undefined) === (resumeDir === undefined)) {
    stderr.write(`radlab run: give one experiment file, or --resume with a run folder.\n${USAGE}\n`);
    return 2;
  }
  const { member, 'run-id': runId } = parsed.values;
  if ((member === undefined) !== (runId === undefined) || (member !== undefined && resumeDir !== undefined)) {
    stderr.write(`radlab run: --member and --run-id go together, with an experiment file.\n${USAGE}\n`);
    return 2;
  }
  if (member !== undefined && !/^\d+$/.test(member)) {
    stderr.write(`radlab run: --member must be a sweep index (0, 1, ...), not '${member}'.\n${USAGE}\n`);
    return 2;
  }
  if (runId !== undefined && !RUN_ID.test(runId)) {
    stderr.write(
      `radlab run: --run-id must look like 20261126-184501 (UTC date and time), not '${runId}'.\n${USAGE}\n`,
    );
    return 2;
  }
  // With events on stdout the human-readable progress goes to stderr, so the two streams never mix, and leaves
  // out what the events carry, which the reader of stdout shows.
  const eventsStdout = parsed.values['events-stdout'];
  // The editor that started this run may close (a window reload) while training goes on: its pipes then break.
  // Events still reach events.jsonl, which a reopened editor tails, so a broken pipe must not end the run.
  for (const stream of [stdout, stderr])
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
  const options = {
    display: eventsStdout ? createProgressDisplay(stderr, true) : createProgressDisplay(stdout),
    radlabVersion: version,
    ...(eventsStdout ? { eventsOut: stdout } : {}),
  };
  const outcome =
    resumeDir !== undefined
      ? await resumeRun(resolve(resumeDir), options)
      : await runExperimentFile(
          resolve(file!),
          options,
          member !== undefined ? { member: Number(member), runId: runId! } : undefined,
        );
  if (outcome.kind === 'invalid') {
    for (const d of outcome.diagnostics) {
      stderr.write(
        `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} [${d.code}] ${d.message}\n`,
      );
    }
    stderr.write(`radlab run: ${file} is not a valid experiment; nothing was started.\n`);
    return 1;
  }
  if (outcome.summary) (eventsStdout ? stderr : stdout).write(`Sweep summary: ${outcome.summary}\n`);
  const statuses = outcome.members.map((m) => m.status);
  if (statuses.includes('cancelled')) return 130;
  return statuses.every((s) => s === 'completed') ? 0 : 1;
}

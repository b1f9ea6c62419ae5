// SIGKILL the real trainer (`node dist/cli.js run <experiment> --events-stdout`, as the editor
// starts it) at a chosen point, then check what a user would find: a readable run folder that the Runs view shows
// as interrupted (or failed), its logs kept, and `radlab run --resume <dir>` finishing the run. Shared by
// test/robustness/killTrials.test.ts (a few fixed trials) and bench/robustness/killTrials.ts (many seeded ones).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureSyntheticDataset } from '../../core/data/synthetic/dataset';
import { parseEvents } from '../../core/train/events';
import { processPresence } from '../../core/run/trainerProcess';
import { readRunFolder, type RunState } from '../../extension/runs/runFolders';
import type { SeededRandom } from './seededRandom';

const repo = join(__dirname, '..', '..');
export const CLI = join(repo, 'dist', 'cli.js');
const SYNTHETIC = { studies: 10, seed: 5 };
export const EPOCHS = 3;

/** Where the kill lands: a time after start, right after the trainer's k-th event, or inside a checkpoint write. */
export type KillPoint =
  | { kind: 'time'; ms: number }
  | { kind: 'event'; index: number }
  /** `delayMs` after the nth (1-based) staging folder of `checkpoint` appears, while it is being written. */
  | { kind: 'checkpoint'; checkpoint: 'best' | 'last'; nth: number; delayMs: number };

export function describeKill(point: KillPoint): string {
  if (point.kind === 'time') return `at ${point.ms} ms`;
  if (point.kind === 'event') return `after event ${point.index}`;
  return `${point.delayMs} ms into writing checkpoint ${point.checkpoint} #${point.nth}`;
}

export interface TrialReport {
  name: string;
  kill: string;
  /** False when the trainer finished before the kill point came. */
  killed: boolean;
  /** Undefined when the kill came before the run folder existed (nothing to check or resume). */
  runDir?: string;
  eventsBeforeKill: number;
  tornTail: boolean;
  stateAfterKill?: RunState;
  /** Epoch the resumed run continued after (0: started again from scratch). */
  resumedAfterEpoch?: number;
  resumeExit?: number | null;
  finalStatus?: string;
  historyEpochs?: number;
  /** The resumed run's per-epoch scores and test confusion matrix: training is seeded, so every trial must agree. */
  outcome?: string;
  /** What trained_models/ held right after the kill (shows whether it landed inside a checkpoint write). */
  checkpointsAtKill?: string[];
  /** Every broken promise of the run folder, in words; empty when the trial passed. */
  failures: string[];
  killToExitMs: number;
  resumeMs?: number;
}

/** Makes the workspace shared by trials: the synthetic dataset, generated once here so no trial races to build it. */
export async function prepareWorkspace(workspace: string): Promise<void> {
  mkdirSync(workspace, { recursive: true });
  await ensureSyntheticDataset(join(workspace, 'dataset'), SYNTHETIC);
}

/** The tiny experiment of every trial: resnet18 at 32 px on the shared synthetic dataset, 3 epochs, wasm, 1 thread. */
export function writeExperiment(workspace: string, name: string): string {
  const file = join(workspace, `${name}.experiment.yaml`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'data:',
      `  root: ${join(workspace, 'dataset')}`,
      `  synthetic: { studies: ${SYNTHETIC.studies}, seed: ${SYNTHETIC.seed} }`,
      '  condition: spinal_canal_stenosis',
      '  input: { mode: crop, crop_mm: 60, size: 32 }',
      '  split: { train: 0.6, val: 0.2, test: 0.2, seed: 1 }',
      'model:',
      '  backbones: resnet18',
      '  pretrained: none',
      '  freeze_backbone: false',
      'train:',
      '  batch_size: 8',
      `  epochs: ${EPOCHS}`,
      '  optimizer: { lr: 1.0e-3 }',
      '  engine: wasm',
      '  threads: 1',
      'output: runs/',
      '',
    ].join('\n'),
  );
  return file;
}

function runFolderOf(workspace: string, name: string): string | undefined {
  const folder = join(workspace, 'runs', name);
  if (!existsSync(folder)) return undefined;
  const dirs = readdirSync(folder, { withFileTypes: true }).filter((e) => e.isDirectory());
  return dirs.length === 1 ? join(folder, dirs[0]!.name) : undefined;
}

function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** Starts the trainer and SIGKILLs it at `point`; resolves once it has exited. */
async function startAndKill(workspace: string, name: string, file: string, point: KillPoint) {
  const child = spawn(process.execPath, [CLI, 'run', file, '--events-stdout'], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = exitOf(child);
  let killedAt: number | undefined;
  let events = 0;
  const kill = () => {
    if (killedAt !== undefined) return;
    killedAt = performance.now();
    child.kill('SIGKILL');
  };
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (let i = 0; i < lines.length && killedAt === undefined; i++) {
      events += 1;
      if (point.kind === 'event' && events === point.index) kill();
    }
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timers: NodeJS.Timeout[] = [];
  if (point.kind === 'time') timers.push(setTimeout(kill, point.ms));
  if (point.kind === 'checkpoint') {
    // Polled every millisecond: a staging folder of ~135 MB lives for a few hundred, so none is missed.
    let seen = 0;
    let present = false;
    timers.push(
      setInterval(() => {
        const dir = runFolderOf(workspace, name);
        const staging = dir && existsSync(join(dir, 'trained_models', `${point.checkpoint}.saving`));
        if (staging && !present && ++seen === point.nth) timers.push(setTimeout(kill, point.delayMs));
        present = Boolean(staging);
      }, 1),
    );
  }
  const code = await exited;
  for (const timer of timers) clearTimeout(timer);
  return {
    killed: killedAt !== undefined,
    code,
    events,
    stderr,
    killToExitMs: killedAt === undefined ? 0 : performance.now() - killedAt,
  };
}

function resume(workspace: string, runDir: string): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [CLI, 'run', '--resume', runDir], {
    cwd: workspace,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return exitOf(child).then((code) => ({ code, output }));
}

/** What must hold of a run folder at any moment: run.json parses, events.jsonl parses but for a torn last line. */
function readableFolderFailures(runDir: string, failures: string[]): { tornTail: boolean; events: number } {
  try {
    JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8'));
  } catch (error) {
    failures.push(`run.json does not parse: ${(error as Error).message}`);
  }
  const eventsFile = join(runDir, 'events.jsonl');
  if (!existsSync(eventsFile)) {
    failures.push('events.jsonl is missing (the run log was not kept)');
    return { tornTail: false, events: 0 };
  }
  const parsed = parseEvents(readFileSync(eventsFile, 'utf8'));
  for (const problem of parsed.problems) failures.push(`events.jsonl line ${problem.line}: ${problem.message}`);
  return { tornTail: parsed.tornTail, events: parsed.events.length };
}

export async function killTrial(workspace: string, name: string, point: KillPoint): Promise<TrialReport> {
  const file = writeExperiment(workspace, name);
  const failures: string[] = [];
  const started = await startAndKill(workspace, name, file, point);
  const report: TrialReport = {
    name,
    kill: describeKill(point),
    killed: started.killed,
    eventsBeforeKill: started.events,
    tornTail: false,
    failures,
    killToExitMs: Math.round(started.killToExitMs),
  };
  const runDir = runFolderOf(workspace, name);
  if (!started.killed) {
    if (started.code !== 0) failures.push(`the unkilled run exited ${started.code}: ${started.stderr.slice(-500)}`);
    return report;
  }
  if (runDir === undefined || !existsSync(join(runDir, 'run.json'))) {
    // Killed before the trainer wrote its run record: there is no run to show or resume, which is right.
    if (runDir !== undefined) report.runDir = runDir;
    return report;
  }
  report.runDir = runDir;
  report.checkpointsAtKill = existsSync(join(runDir, 'trained_models'))
    ? readdirSync(join(runDir, 'trained_models')).sort()
    : [];
  report.tornTail = readableFolderFailures(runDir, failures).tornTail;
  const shown = readRunFolder(runDir, processPresence);
  report.stateAfterKill = shown.state;
  if (shown.problem) failures.push(`the Runs view reports a problem: ${shown.problem}`);
  // A kill after the run's end was written leaves it completed, which is honest too: nothing to resume.
  if (shown.state === 'completed') {
    report.finalStatus = 'completed';
    return report;
  }
  if (shown.state !== 'interrupted' && shown.state !== 'failed')
    failures.push(`the Runs view shows '${shown.state}', not interrupted or failed`);

  const resumeStarted = performance.now();
  const resumed = await resume(workspace, runDir);
  report.resumeMs = Math.round(performance.now() - resumeStarted);
  report.resumeExit = resumed.code;
  if (resumed.code !== 0) failures.push(`radlab run --resume exited ${resumed.code}: ${resumed.output.slice(-800)}`);
  readableFolderFailures(runDir, failures);
  const record = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as {
    status: string;
    resumedFrom?: { epoch: number }[];
  };
  report.finalStatus = record.status;
  report.resumedAfterEpoch = record.resumedFrom?.at(-1)?.epoch ?? 0;
  if (record.status !== 'completed') failures.push(`run.json says '${record.status}' after the resume`);
  if (readRunFolder(runDir, processPresence).state !== 'completed')
    failures.push('the Runs view does not show the resumed run as completed');
  const metricsFile = join(runDir, 'results', 'metrics.json');
  if (existsSync(metricsFile)) {
    const metrics = JSON.parse(readFileSync(metricsFile, 'utf8')) as {
      history: { train: unknown; val: unknown }[];
      test: { confusion: unknown };
    };
    report.historyEpochs = metrics.history.length;
    report.outcome = JSON.stringify([metrics.history.map((h) => [h.train, h.val]), metrics.test.confusion]);
    if (report.historyEpochs !== EPOCHS)
      failures.push(`metrics.json holds ${report.historyEpochs} epochs of history, not ${EPOCHS}`);
  } else {
    failures.push('results/metrics.json is missing after the resume');
  }
  return report;
}

/** A seeded kill point over the whole life of a ~20 s tiny run (~30 events, 3 epochs of best and last checkpoints). */
export function randomKillPoint(random: SeededRandom): KillPoint {
  const kind = random.pick(['time', 'event', 'checkpoint'] as const);
  if (kind === 'time') return { kind, ms: random.int(300, 20_000) };
  if (kind === 'event') return { kind, index: random.int(1, 30) };
  return {
    kind,
    checkpoint: random.pick(['best', 'last'] as const),
    nth: random.int(1, EPOCHS),
    delayMs: random.int(0, 250),
  };
}

/** Runs `trials` two at a time (the machine has two cores and each trainer uses one thread). */
export async function runTrials(
  workspace: string,
  trials: { name: string; point: KillPoint }[],
  parallel = 2,
): Promise<TrialReport[]> {
  const reports: TrialReport[] = new Array(trials.length);
  let next = 0;
  const worker = async () => {
    while (next < trials.length) {
      const index = next++;
      reports[index] = await killTrial(workspace, trials[index]!.name, trials[index]!.point);
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return reports;
}

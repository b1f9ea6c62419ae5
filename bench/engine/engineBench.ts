// The engine benchmark: RadLab's own training step (radlabWorker.ts: the trainer's trainStep with the model,
// optimizer, loss and augmentation of a run) against its PyTorch twin (torch_twin.py) at the same threads, batch
// and input size, on the rows of benchRows.ts. Each side is a worker process that keeps its model between turns;
// the turns alternate (RadLab, PyTorch, RadLab, PyTorch, …) so both see the same machine, and the ratio printed is
// the median over the pairs of (PyTorch step time / RadLab step time). Then the same for evaluation batches
// (forward only, as the trainer evaluates). It also prints RadLab's step broken into phases and both sides' peak
// memory.
//
// A ratio is only meaningful on an otherwise idle machine, so the bench measures the CPU time other processes
// used in the seconds before it starts and while it runs (/proc/stat minus its own processes); above
// --max-other-load (cores) it prints a warning instead of the ratio. (Not the load average: it decays over a
// minute, so it still counts work that ended before the bench began.)
//
//   npm run bench:engine -- [--rows resnet18-128,demo,...] [--threads N] [--engine wasm] [--pairs 5]
//                           [--steps-per-turn 2] [--warmup 2] [--max-other-load 0.25] [--turn-timeout-s 900]
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus } from 'node:os';
import { join } from 'node:path';
import { contextSide } from '../../core/train/augment';
import { STEP_PHASES, type StepPhase } from '../../core/train/trainStep';
import { benchRow, describeRow, ROW_IDS, type BenchRow } from './benchRows';
import { BenchWorker, radlabWorker, type WorkerReply } from './benchWorker';

const PYTHON = '/usr/bin/python3';
const CLOCK_TICKS_PER_SECOND = 100;

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function positiveNumber(name: string, fallback: string): number {
  const value = Number(option(name, fallback));
  if (!(value >= 0)) throw new Error(`${name} must be a number >= 0, got ${option(name, fallback)}`);
  return value;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function gib(bytes: number | undefined): string {
  return bytes === undefined ? '-' : `${(bytes / 2 ** 30).toFixed(2)} GiB`;
}

/** Cores other processes kept busy while `work` ran (its own processes' CPU time taken out). */
async function otherCores<T>(
  pids: () => readonly number[],
  work: () => Promise<T>,
): Promise<{ result: T; cores: number }> {
  const start = cpuSeconds(pids());
  const startWall = performance.now();
  const result = await work();
  const end = cpuSeconds(pids());
  const wallS = (performance.now() - startWall) / 1000;
  return { result, cores: Math.max(0, end.machine - start.machine - (end.ours - start.ours)) / wallS };
}

/** Busy CPU time of the whole machine and of the given processes, in seconds. */
function cpuSeconds(pids: readonly number[]): { machine: number; ours: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const idle = fields[3]! + fields[4]!;
  const machine = (fields.reduce((a, b) => a + b, 0) - idle) / CLOCK_TICKS_PER_SECOND;
  let ours = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const after = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ours += (Number(after[11]) + Number(after[12])) / CLOCK_TICKS_PER_SECOND; // utime, stime
    } catch {
      // the process has ended; its time is no longer counted by the machine either
    }
  }
  return { machine, ours };
}

interface Timings {
  radlabMs: number[];
  torchMs: number[];
  ratios: number[];
}

interface RowResult {
  row: BenchRow;
  radlabMs: number[];
  torchMs: number[];
  ratios: number[];
  forward: Timings;
  phasesMs: Record<StepPhase, number[]>;
  radlab: WorkerReply;
  torch: WorkerReply;
  otherLoad: number;
}

async function benchRowPairs(
  row: BenchRow,
  settings: { engine: string; threads: number; pairs: number; stepsPerTurn: number; warmup: number; timeoutS: number },
): Promise<RowResult> {
  const { run } = row;
  const radlab = radlabWorker(row.id, settings.engine, settings.threads, settings.warmup);
  const twinRow = {
    backbone: run.model.backbone,
    size: run.data.input.size,
    side: contextSide(run.data.input.size, run.train.augment.rotate_deg, run.train.augment.jitter_px),
    batch: run.train.batch_size,
    threads: settings.threads,
    seed: run.train.seed,
    head: row.head,
    optimizer: {
      name: run.train.optimizer.name,
      lr: run.train.optimizer.lr,
      weightDecay: run.train.optimizer.weight_decay,
      momentum: run.train.optimizer.momentum,
    },
    classWeights: row.classWeights ?? null,
    labelSmoothing: run.train.loss.label_smoothing,
    gradClip: run.train.grad_clip,
    augment: row.augment,
    levels: row.levels,
    grades: row.grades,
  };
  let torch: BenchWorker | undefined;
  try {
    const radlabReady = await radlab.next(settings.timeoutS * (settings.warmup + 1));
    console.log(
      `  RadLab: engine ${String(radlabReady.engine)}, ${String(radlabReady.threads)} threads` +
        `${radlabReady.threadsNote ? ` (${String(radlabReady.threadsNote)})` : ''}, ${String(radlabReady.trainableTensors)} trainable tensors, passes of ` +
        `${String(radlabReady.microBatch)} image(s) (the run's memory plan)`,
    );
    torch = new BenchWorker('PyTorch twin', PYTHON, [join(__dirname, 'torch_twin.py'), JSON.stringify(twinRow)]);
    const torchReady = await torch.next(settings.timeoutS);
    console.log(`  PyTorch ${String(torchReady.torch)}, ${String(torchReady.threads)} threads`);
    for (let i = 0; i < settings.warmup; i++) await torch.steps(1, settings.timeoutS);

    const result: RowResult = {
      row,
      radlabMs: [],
      torchMs: [],
      ratios: [],
      phasesMs: Object.fromEntries(STEP_PHASES.map((p) => [p, [] as number[]])) as Record<StepPhase, number[]>,
      forward: { radlabMs: [], torchMs: [], ratios: [] },
      radlab: radlabReady,
      torch: torchReady,
      otherLoad: 0,
    };
    const pids = [process.pid, radlab.pid, torch.pid];
    const timed = await otherCores(
      () => pids,
      async () => {
        await pairedSteps(radlab, torch!, result, settings);
        await pairedForwards(radlab, torch!, result.forward, settings);
      },
    );
    result.otherLoad = timed.cores;
    return result;
  } finally {
    radlab.stop();
    torch?.stop();
  }
}

type PairSettings = { pairs: number; stepsPerTurn: number; timeoutS: number };

async function pairedSteps(
  radlab: BenchWorker,
  torch: BenchWorker,
  result: RowResult,
  settings: PairSettings,
): Promise<void> {
  for (let pair = 0; pair < settings.pairs; pair++) {
    result.radlab = await radlab.steps(settings.stepsPerTurn, settings.timeoutS);
    result.torch = await torch.steps(settings.stepsPerTurn, settings.timeoutS);
    const ours = median(result.radlab.stepMs!);
    const theirs = median(result.torch.stepMs!);
    result.radlabMs.push(...result.radlab.stepMs!);
    result.torchMs.push(...result.torch.stepMs!);
    for (const phase of STEP_PHASES) result.phasesMs[phase].push(...result.radlab.phasesMs![phase]);
    result.ratios.push(theirs / ours);
    console.log(
      `  pair ${pair + 1}/${settings.pairs}: RadLab ${ours.toFixed(0)} ms/step, PyTorch ${theirs.toFixed(0)} ms/step, ratio ${(theirs / ours).toFixed(3)}`,
    );
  }
}

/** Evaluation batches, interleaved the same way (one warm-up batch each first: inference mode builds new kernels). */
async function pairedForwards(
  radlab: BenchWorker,
  torch: BenchWorker,
  timings: Timings,
  settings: PairSettings,
): Promise<void> {
  await radlab.forwards(1, settings.timeoutS);
  await torch.forwards(1, settings.timeoutS);
  for (let pair = 0; pair < settings.pairs; pair++) {
    const ours = median((await radlab.forwards(settings.stepsPerTurn, settings.timeoutS)).forwardMs!);
    const theirs = median((await torch.forwards(settings.stepsPerTurn, settings.timeoutS)).forwardMs!);
    timings.radlabMs.push(ours);
    timings.torchMs.push(theirs);
    timings.ratios.push(theirs / ours);
  }
}

function printResult(result: RowResult, maxOtherLoad: number, coresBefore: number): void {
  const batch = result.row.run.train.batch_size;
  const radlabStep = median(result.radlabMs);
  const torchStep = median(result.torchMs);
  const phases = STEP_PHASES.map((p) => `${p} ${median(result.phasesMs[p]).toFixed(0)}`).join(', ');
  console.log(
    `  RadLab  ${((batch * 1000) / radlabStep).toFixed(2)} img/s (median step ${radlabStep.toFixed(0)} ms: ${phases} ms)`,
  );
  console.log(`  PyTorch ${((batch * 1000) / torchStep).toFixed(2)} img/s (median step ${torchStep.toFixed(0)} ms)`);
  const forwardBatch = (ms: number[]) => ((batch * 1000) / median(ms)).toFixed(2);
  console.log(
    `  evaluation batch (forward only): RadLab ${forwardBatch(result.forward.radlabMs)} img/s, ` +
      `PyTorch ${forwardBatch(result.forward.torchMs)} img/s`,
  );
  console.log(
    `  peak memory: RadLab RSS ${gib(result.radlab.peakRssBytes)} (wasm heap ${gib(result.radlab.wasmHeapBytes)}), ` +
      `PyTorch max RSS ${gib(result.torch.peakRssBytes)}`,
  );
  const busy = Math.max(result.otherLoad, coresBefore);
  if (busy > maxOtherLoad) {
    console.log(
      `  WARNING: other work was running (${result.otherLoad.toFixed(2)} cores used by other processes during the ` +
        `timed steps, ${coresBefore.toFixed(2)} just before the bench; threshold ${maxOtherLoad}): no ratio. ` +
        'Rerun on a quiet machine.',
    );
  } else {
    const pairs = result.ratios.length;
    console.log(
      `  ratio RadLab/PyTorch (median of ${pairs} interleaved pairs): train ${median(result.ratios).toFixed(3)}x, ` +
        `forward ${median(result.forward.ratios).toFixed(3)}x (other processes used ${result.otherLoad.toFixed(2)} cores)`,
    );
  }
}

async function main(): Promise<void> {
  const rows = option('--rows', ROW_IDS.join(',')).split(',').filter(Boolean);
  const settings = {
    engine: option('--engine', 'wasm'),
    threads: positiveNumber('--threads', String(availableParallelism())),
    pairs: positiveNumber('--pairs', '5'),
    stepsPerTurn: positiveNumber('--steps-per-turn', '2'),
    warmup: positiveNumber('--warmup', '2'),
    timeoutS: positiveNumber('--turn-timeout-s', '900'),
  };
  const maxOtherLoad = positiveNumber('--max-other-load', '0.25');
  if (settings.pairs < 1 || settings.stepsPerTurn < 1) throw new Error('--pairs and --steps-per-turn must be >= 1');
  const before = await otherCores(
    () => [process.pid],
    () => new Promise((resolve) => setTimeout(resolve, 3000)),
  );
  console.log(
    `engine bench ${new Date().toISOString()} on ${cpus()[0]?.model ?? 'unknown CPU'} (${availableParallelism()} CPUs), ` +
      `${settings.threads} threads, ${settings.pairs} pairs of ${settings.stepsPerTurn} steps after ${settings.warmup} ` +
      `warm-up; other processes used ${before.cores.toFixed(2)} cores in the 3 s before the start`,
  );
  let failed = 0;
  for (const id of rows) {
    const row = benchRow(id);
    console.log(`\n${describeRow(row)}`);
    try {
      printResult(await benchRowPairs(row, settings), maxOtherLoad, before.cores);
    } catch (error) {
      failed++;
      console.log(`  FAILED: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  process.exitCode = failed > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});

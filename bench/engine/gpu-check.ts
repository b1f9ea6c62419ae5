// Which GPU engine works on this machine and how fast RadLab trains on it: for tfjs-node-gpu and webgpu, the
// ladder's verdict and, where the rung is available, the engine bench's rows (benchRows.ts) timed with the trainer's
// own step (radlabWorker.ts: backbone, level head, weighted loss, AdamW, augmentation) and its evaluation batch,
// with peak memory. Each rung and row runs in its own worker process with a time limit, so a driver hang or crash
// is reported instead of stopping the check. With the default rows it finishes in a few minutes on a GPU.
//   node --import tsx bench/engine/gpu-check.ts [--rows resnet18-128,demo,...] [--rungs tfjs-node-gpu,webgpu]
//                                               [--steps 3] [--timeout-s 240]
// (`--rungs wasm` times the same rows on the CPU engine, to check the command itself on a machine without a GPU.)
import { availableParallelism } from 'node:os';
import { probeLadder, type EngineName } from '../../core/engine/selectEngine';
import { benchRow, describeRow, ROW_IDS } from './benchRows';
import { radlabWorker } from './benchWorker';

function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}

/** One row on one engine: a line of images/s and peak memory, or why it failed. */
async function timeRow(engine: EngineName, rowId: string, steps: number, timeoutS: number): Promise<string> {
  const batch = benchRow(rowId).run.train.batch_size;
  const worker = radlabWorker(rowId, engine, availableParallelism(), 1);
  try {
    const ready = await worker.next(timeoutS);
    if (ready.engine !== engine) return `started ${String(ready.engine)} instead of ${engine}`;
    const train = await worker.steps(steps, timeoutS);
    await worker.forwards(1, timeoutS);
    const evaluation = await worker.forwards(steps, timeoutS);
    const perSecond = (ms: number[]) => ((batch * 1000) / median(ms)).toFixed(1);
    const gpu = typeof ready.gpu === 'string' ? ` on ${ready.gpu}` : '';
    return (
      `train ${perSecond(train.stepMs!)} img/s, evaluation ${perSecond(evaluation.forwardMs!)} img/s${gpu}; ` +
      `peak RSS ${(evaluation.peakRssBytes / 2 ** 30).toFixed(2)} GiB`
    );
  } catch (error) {
    return `FAILED: ${error instanceof Error ? error.message : String(error)}`;
  } finally {
    worker.stop();
  }
}

async function main(): Promise<void> {
  const rows = option('--rows', ROW_IDS.join(',')).split(',').filter(Boolean);
  const rungs = option('--rungs', 'tfjs-node-gpu,webgpu').split(',').filter(Boolean) as EngineName[];
  const steps = Number(option('--steps', '3'));
  const timeoutS = Number(option('--timeout-s', '240'));
  const ladder = await probeLadder();
  const training: string[] = [];
  for (const rung of ladder) {
    const verdict = `${rung.name}: ${rung.available ? 'available' : 'unavailable'} (${rung.reason})`;
    if (!rungs.includes(rung.name) || !rung.available) {
      console.log(verdict);
      continue;
    }
    console.log(`${verdict}; the trainer's step, ${steps} timed steps per row:`);
    let rowsWorking = 0;
    for (const id of rows) {
      const line = await timeRow(rung.name, id, steps, timeoutS);
      if (!line.startsWith('FAILED') && !line.startsWith('started')) rowsWorking++;
      console.log(`  ${describeRow(benchRow(id))}\n    ${line}`);
    }
    if (rowsWorking > 0) training.push(rung.name);
  }
  console.log(
    training.length > 0
      ? `Training works here on: ${training.join(', ')}.`
      : `None of ${rungs.join(', ')} trains here; training uses the wasm engine on the CPU.`,
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exit(1);
  },
);

// RadLab's side of the engine benchmark: the trainer's own step (core/train/trainStep.ts) on one bench row, with
// the model, freezing, optimizer, loss weights, augmentation and step plan `radlab run` would build for it. A worker: it
// starts the engine, builds the row, runs the warm-up steps and prints one JSON line; then it answers each stdin
// line {"steps": n} with one JSON line of per-step and per-phase milliseconds and its peak memory, and each
// {"forwards": n} with the milliseconds of n evaluation batches.
//   node --import tsx bench/engine/radlabWorker.ts <row id> <engine> <threads> <warm-up steps>
import * as tf from '@tensorflow/tfjs-core';
import { createInterface } from 'node:readline';
import { deriveSeed, mulberry32 } from '../../core/data/random';
import { releaseEngine, selectEngine, type EngineName } from '../../core/engine/selectEngine';
import { LevelClassifier } from '../../core/models/classifier';
import { trainableVariables } from '../../core/models/freezing';
import { contextSide } from '../../core/train/augment';
import { makeOptimizer } from '../../core/train/makeOptimizer';
import { batchProbabilities } from '../../core/train/predict';
import { STEP_PHASES, trainStep, type StepPhase } from '../../core/train/trainStep';
import { planRunStep } from '../../core/run/stepMemory';
import { benchRow } from './benchRows';

interface WasmHeap {
  wasm?: { HEAPU8?: Uint8Array };
}

/** Bytes the wasm engine's heap has grown to (it never shrinks, so this is its peak); undefined on other engines. */
function wasmHeapBytes(): number | undefined {
  const backend = tf.findBackend('wasm') as unknown as WasmHeap | null;
  return backend?.wasm?.HEAPU8?.buffer.byteLength;
}

async function main(): Promise<void> {
  const [id, engine, threads, warmup] = process.argv.slice(2);
  const row = benchRow(id!);
  const { run } = row;
  const report = await selectEngine({ engine: engine as EngineName, threads: Number(threads) });
  const model = LevelClassifier.create(run.model.backbone, row.head, run.train.seed);
  const trainable = trainableVariables(model, {
    freezeBackbone: run.model.freeze_backbone,
    unfreezeLastN: run.model.unfreeze_last_n,
  });
  const optimizer = makeOptimizer(run.train.optimizer);
  // The step in the passes `radlab run` would split it into on this engine (its memory plan), not one pass that
  // may not fit: near the wasm heap's limit a step stalls rather than fails.
  const plan = await planRunStep(run, report, model, trainable, () => makeOptimizer(run.train.optimizer));
  const size = run.data.input.size;
  const batch = run.train.batch_size;
  // Stored as the trainer's cache stores them: with the surroundings rotation and jitter can reach.
  const side = contextSide(size, run.train.augment.rotate_deg, run.train.augment.jitter_px);
  const pixelRandom = mulberry32(deriveSeed(run.train.seed, 'bench pixels'));
  const pixels = Uint8Array.from({ length: batch * side * side * 3 }, () => Math.floor(pixelRandom() * 256));
  const stepBatch = {
    pixels,
    shape: [batch, side, side, 3] as [number, number, number, number],
    levels: Int32Array.from(row.levels),
    grades: Int32Array.from(row.grades),
  };
  const settings = {
    classWeights: row.classWeights,
    labelSmoothing: run.train.loss.label_smoothing,
    gradClip: run.train.grad_clip,
    augment: {
      settings: row.augment,
      random: mulberry32(deriveSeed(run.train.seed, 'augment', 1)),
    },
    normalize: run.train.normalize,
    outputSize: size,
    microBatch: plan.microBatch,
  };

  const steps = async (count: number) => {
    const stepMs: number[] = [];
    const phasesMs = Object.fromEntries(STEP_PHASES.map((phase) => [phase, [] as number[]])) as Record<
      StepPhase,
      number[]
    >;
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      let last = started;
      await trainStep(model, optimizer, trainable, stepBatch, settings, (phase) => {
        const now = performance.now();
        phasesMs[phase].push(now - last);
        last = now;
      });
      stepMs.push(performance.now() - started);
    }
    return { stepMs, phasesMs };
  };
  // Evaluation as the trainer runs it (core/train/predict.ts): centre input, inference mode, probabilities read back.
  const forwards = async (count: number) => {
    const forwardMs: number[] = [];
    for (let i = 0; i < count; i++) {
      const started = performance.now();
      await batchProbabilities(model, stepBatch, { normalize: run.train.normalize, outputSize: size });
      forwardMs.push(performance.now() - started);
    }
    return { forwardMs };
  };
  const reply = (message: Record<string, unknown>) =>
    process.stdout.write(
      JSON.stringify({
        ...message,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        wasmHeapBytes: wasmHeapBytes(),
      }) + '\n',
    );

  await steps(Number(warmup));
  reply({
    ready: true,
    engine: report.chosen,
    threads: report.threads,
    threadsNote: report.threadsNote,
    cpu: report.device.cpuModel,
    gpu: report.device.gpu,
    trainableTensors: trainable.length,
    microBatch: plan.microBatch,
  });
  for await (const line of createInterface({ input: process.stdin })) {
    const request = JSON.parse(line) as { steps?: number; forwards?: number };
    reply(request.forwards !== undefined ? await forwards(request.forwards) : await steps(request.steps ?? 1));
  }
  optimizer.dispose();
  model.dispose();
  releaseEngine();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  releaseEngine();
  process.exit(1);
});

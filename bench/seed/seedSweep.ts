// The seed's sweep, trained in this engine: each of examples/rsna-seed.experiment.yaml's six full-size backbones,
// at its own input size (EfficientNetV2-M 480 px, the others 224 px) or at a size given, with random weights in
// place of the ImageNet ones, since what is shown is that every member fits and trains, not what it learns.
//
// --mode step (the default): one optimizer step of the file's batch (32) on synthetic pixels, as the trainer takes
// it (trainStep), in the micro-batches the run's own plan chooses on this engine (planRunStep, the probe passes
// included); printed with the step's time, tfjs's peak during the step against the plan's prediction, and the
// wasm heap. --mode epoch: `radlab run`'s own trainRun for one epoch on a synthetic dataset in the RSNA layout
// (a step or two at batch 32, then validation, checkpoints and the test set).
//
// From the command line each member runs in a process of its own: the wasm engine's heap only grows, so its size
// when the member ends is that member's peak, which a later member in the same process would hide.
//
//   node --import tsx bench/seed/seedSweep.ts [--mode step|epoch] [--size native|N] [--batch N] [--studies N]
//     [--backbones a,b]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { resolveExperiment } from '../../core/experiment/resolve';
import type { ResolvedRun } from '../../core/experiment/resolvedRun';
import { backboneFacts } from '../../core/models/registry';
import { Cancellation } from '../../core/run/cancellation';
import { createRunFolder, runIdAt } from '../../core/run/runFolder';
import { classifierFor } from '../../core/run/runClassifier';
import { readRunRecord } from '../../core/run/runRecord';
import { planRunStep, wasmHeapBytes } from '../../core/run/stepMemory';
import type { ProgressDisplay } from '../../core/run/terminalProgress';
import { trainRun } from '../../core/run/trainRun';
import * as tf from '@tensorflow/tfjs-core';
import { GRADES, LEVELS } from '../../core/data/lsdcVocabulary';
import { mulberry32 } from '../../core/data/random';
import { releaseEngine, selectEngine } from '../../core/engine/selectEngine';
import { freezeModel } from '../../core/models/freezing';
import { makeOptimizer } from '../../core/train/makeOptimizer';
import { trainStep } from '../../core/train/trainStep';
import { EventWriter } from '../../core/train/events';

export interface SeedSweepOptions {
  /** Work folder: the synthetic dataset, the experiment copy and the runs go here. */
  workspace: string;
  /** 'native': each backbone's own input size; a number: that size (ViT and BEiT stay at 224, their fixed size). */
  size: 'native' | number;
  batch: number;
  studies: number;
  backbones?: readonly string[];
  log?: (line: string) => void;
}

export interface SeedMemberOutcome {
  backbone: string;
  inputSize: number;
  batch: number;
  status: string;
  /** Images per forward/backward pass: the batch, or what the run's plan split it into. */
  microBatch: number;
  /** The run's note on micro-batches, when batch did not fit in one pass. */
  plan?: string;
  /** The first optimizer step's time (its images over the epoch's images per second at that step). */
  stepSeconds?: number;
  trainSeconds?: number;
  /** The wasm engine's heap when the member ended (it only grows: the peak of this process so far). */
  heapBytes?: number;
  /** --mode step: tfjs's peak bytes during the step, and the plan's prediction of it. */
  stepPeakBytes?: number;
  plannedPeakBytes?: number;
  error?: string;
}

const seedFile = join(__dirname, '..', '..', 'examples', 'rsna-seed.experiment.yaml');

/** The seed file's text with its data pointed at a synthetic dataset generated on first use, for one epoch. */
function seedOnSynthetic(studies: number): string {
  const text = readFileSync(seedFile, 'utf8')
    .replace(/^ {2}root: .*$/m, `  root: dataset\n  synthetic: { studies: ${studies}, seed: 11 }`)
    .replace(/^ {2}epochs: .*$/m, '  epochs: 1')
    .replace(/^output: .*$/m, 'output: runs/');
  if (!text.includes('synthetic:') || !text.includes('epochs: 1')) throw new Error(`${seedFile} changed shape`);
  return text;
}

function sizeFor(run: ResolvedRun, size: 'native' | number): number {
  const facts = backboneFacts(run.model.backbone)!;
  if (size === 'native' || facts.family === 'vit' || facts.family === 'beit') return facts.inputSize;
  return size;
}

/** The seed's members, resolved from its file written into the workspace with its data on a synthetic dataset. */
function seedRuns(workspace: string, studies: number): ResolvedRun[] {
  mkdirSync(workspace, { recursive: true });
  const file = join(workspace, 'rsna-seed.experiment.yaml');
  writeFileSync(file, seedOnSynthetic(studies));
  const resolved = resolveExperiment(readFileSync(file, 'utf8'), file);
  if (!resolved.ok) throw new Error(`the seed experiment does not resolve: ${JSON.stringify(resolved.diagnostics)}`);
  return resolved.runs;
}

export async function runSeedSweep(options: SeedSweepOptions): Promise<SeedMemberOutcome[]> {
  const log = options.log ?? (() => {});
  const runs = seedRuns(options.workspace, options.studies).filter(
    (run) => !options.backbones || options.backbones.includes(run.model.backbone),
  );
  const runId = runIdAt(new Date());
  const cancellation = new Cancellation();
  const outcomes: SeedMemberOutcome[] = [];
  try {
    for (const seedRun of runs) {
      const inputSize = sizeFor(seedRun, options.size);
      const run: ResolvedRun = {
        ...seedRun,
        data: { ...seedRun.data, input: { ...seedRun.data.input, size: inputSize } },
        model: { ...seedRun.model, pretrained: null },
        train: { ...seedRun.train, batch_size: options.batch },
      };
      const notes: string[] = [];
      let firstStepRate: number | undefined;
      const display: ProgressDisplay = {
        note: (message) => {
          notes.push(message);
          log(`  ${message}`);
        },
        warning: (message) => log(`  warning: ${message}`),
        stage() {},
        batch: (_epoch, _epochs, progress) => {
          if (progress.step === 1) firstStepRate = progress.imagesPerSecond;
          log(`  step ${progress.step}/${progress.steps} loss ${progress.loss.toFixed(4)}`);
        },
        epoch() {},
        done() {},
      };
      log(`${run.model.backbone} at ${inputSize} px, batch ${options.batch}`);
      const paths = createRunFolder(run, runId);
      const member = await trainRun(run, {
        paths,
        events: new EventWriter(paths.events),
        cancellation,
        display,
        radlabVersion: 'bench',
        resuming: false,
      });
      const record = readRunRecord(paths.runJson);
      const plan = notes.find((note) => note.includes('micro-batches'));
      const outcome: SeedMemberOutcome = {
        backbone: run.model.backbone,
        inputSize,
        batch: options.batch,
        status: member.status,
        microBatch: Number(plan?.match(/micro-batches of at most (\d+)/)?.[1] ?? options.batch),
      };
      if (plan) outcome.plan = plan;
      // The epoch's images per second at its first step, over that step's images, is the step's time.
      const trainCount = record.counts?.train;
      if (firstStepRate !== undefined && typeof trainCount === 'number')
        outcome.stepSeconds = Math.min(options.batch, trainCount) / firstStepRate;
      if (record.timings.trainSeconds !== undefined) outcome.trainSeconds = record.timings.trainSeconds;
      const heap = wasmHeapBytes();
      if (heap !== undefined) outcome.heapBytes = heap;
      if (member.error) outcome.error = member.error;
      outcomes.push(outcome);
    }
  } finally {
    cancellation.dispose();
    releaseEngine();
  }
  return outcomes;
}

/** One optimizer step of each member, as the trainer takes it, in the micro-batches the run's plan chooses. */
export async function runSeedStep(options: SeedSweepOptions): Promise<SeedMemberOutcome[]> {
  const log = options.log ?? (() => {});
  const runs = seedRuns(options.workspace, options.studies).filter(
    (run) => !options.backbones || options.backbones.includes(run.model.backbone),
  );
  const outcomes: SeedMemberOutcome[] = [];
  try {
    for (const seedRun of runs) {
      const inputSize = sizeFor(seedRun, options.size);
      const batch = options.batch;
      const run: ResolvedRun = {
        ...seedRun,
        data: { ...seedRun.data, input: { ...seedRun.data.input, size: inputSize } },
        train: { ...seedRun.train, batch_size: batch },
      };
      const { backbone } = run.model;
      log(`${backbone} at ${inputSize} px, batch ${batch}`);
      const engine = await selectEngine({ engine: run.train.engine });
      const model = classifierFor(run);
      const optimizer = makeOptimizer(run.train.optimizer);
      try {
        const freeze = { freezeBackbone: run.model.freeze_backbone, unfreezeLastN: run.model.unfreeze_last_n };
        const trainable = freezeModel(model, freeze).map((p) => p.variable);
        const plan = await planRunStep(run, engine, model, trainable, () => makeOptimizer(run.train.optimizer));
        if (plan.note) log(`  ${plan.note}`);
        const pixels = Uint8Array.from({ length: batch * inputSize * inputSize * 3 }, (_, i) => (i * 37) % 251);
        const { augment } = run.train;
        const started = performance.now();
        let loss = NaN;
        const profile = await tf.profile(async () => {
          const stepped = await trainStep(
            model,
            optimizer,
            trainable,
            {
              pixels,
              shape: [batch, inputSize, inputSize, 3],
              levels: Int32Array.from({ length: batch }, (_, i) => i % LEVELS.length),
              grades: Int32Array.from({ length: batch }, (_, i) => i % GRADES.length),
            },
            {
              classWeights: [1, 2, 4],
              labelSmoothing: run.train.loss.label_smoothing,
              gradClip: run.train.grad_clip,
              augment: {
                settings: {
                  hflip: augment.hflip,
                  rotateDeg: augment.rotate_deg,
                  jitterPx: augment.jitter_px,
                  brightness: augment.brightness,
                  contrast: augment.contrast,
                },
                random: mulberry32(run.train.seed),
              },
              normalize: run.train.normalize,
              microBatch: plan.microBatch,
            },
          );
          loss = stepped.loss;
        });
        const outcome: SeedMemberOutcome = {
          backbone,
          inputSize,
          batch,
          microBatch: plan.microBatch,
          status: Number.isFinite(loss) ? 'completed' : 'failed',
          stepSeconds: (performance.now() - started) / 1000,
          stepPeakBytes: profile.peakBytes,
        };
        if (plan.note) outcome.plan = plan.note;
        if (plan.peakBytes !== undefined) outcome.plannedPeakBytes = plan.peakBytes;
        if (!Number.isFinite(loss)) outcome.error = `the loss is ${loss}`;
        const heap = wasmHeapBytes();
        if (heap !== undefined) outcome.heapBytes = heap;
        log(`  loss ${loss.toFixed(4)}`);
        outcomes.push(outcome);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        outcomes.push({ backbone, inputSize, batch, microBatch: NaN, status: 'failed', error: message });
      } finally {
        optimizer.dispose();
        model.dispose();
      }
    }
  } finally {
    releaseEngine();
  }
  return outcomes;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

function mib(bytes: number | undefined): string {
  return bytes === undefined ? '-' : (bytes / 2 ** 20).toFixed(0);
}

/** Each member in a child process of its own (see above); the child prints its outcome as its last line. */
function runMembersApart(options: Omit<SeedSweepOptions, 'log' | 'backbones'>, backbones: readonly string[]) {
  const outcomes: SeedMemberOutcome[] = [];
  for (const backbone of backbones) {
    const child = spawnSync(
      process.execPath,
      [...process.execArgv, __filename, ...process.argv.slice(2), '--member', backbone],
      { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', maxBuffer: 64 * 2 ** 20 },
    );
    const last = child.stdout.trim().split('\n').at(-1) ?? '';
    try {
      outcomes.push(JSON.parse(last) as SeedMemberOutcome);
    } catch {
      outcomes.push({
        backbone,
        inputSize: NaN,
        batch: options.batch,
        microBatch: NaN,
        status: 'crashed',
        error: `the member's process ended with ${child.signal ?? `exit code ${child.status}`}`,
      });
    }
  }
  return outcomes;
}

if (require.main === module) {
  const size = option('size') ?? 'native';
  const options = {
    workspace: join(__dirname, '..', '.tmp', 'seed-sweep'),
    size: size === 'native' ? ('native' as const) : Number(size),
    batch: Number(option('batch') ?? 32),
    studies: Number(option('studies') ?? 10),
  };
  const member = option('member');
  if (member !== undefined) {
    const runMember = option('mode') === 'epoch' ? runSeedSweep : runSeedStep;
    runMember({ ...options, backbones: [member], log: (line) => console.error(line) })
      .then(([outcome]) => console.log(JSON.stringify(outcome)))
      .catch((error: unknown) => {
        console.error(error);
        process.exitCode = 1;
      });
  } else {
    const started = performance.now();
    const backbones =
      option('backbones')?.split(',') ?? seedRuns(options.workspace, options.studies).map((r) => r.model.backbone);
    const outcomes = runMembersApart(options, backbones);
    console.log(
      '\nbackbone            size  batch  micro  status     step s  train s  step peak MiB  planned  heap MiB  error',
    );
    for (const o of outcomes) {
      console.log(
        `${o.backbone.padEnd(18)}  ${String(o.inputSize).padStart(4)}  ${String(o.batch).padStart(5)}  ` +
          `${String(o.microBatch).padStart(5)}  ${o.status.padEnd(9)}  ${(o.stepSeconds ?? NaN).toFixed(1).padStart(6)}  ` +
          `${(o.trainSeconds ?? NaN).toFixed(1).padStart(7)}  ${mib(o.stepPeakBytes).padStart(13)}  ` +
          `${mib(o.plannedPeakBytes).padStart(7)}  ${mib(o.heapBytes).padStart(8)}  ${o.error ?? ''}`,
      );
    }
    console.log(
      `\n${((performance.now() - started) / 1000).toFixed(0)} s in all; load average at the end ` +
        `${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')} on ${availableParallelism()} cores`,
    );
    process.exitCode = outcomes.every((o) => o.status === 'completed') ? 0 : 1;
  }
}

// The seed's sweep, trained in this engine: examples/rsna-seed.experiment.yaml, pointed at a synthetic dataset in
// the RSNA layout, runs each of its six full-size backbones through `radlab run`'s own trainRun for one epoch (a
// step or two at batch 32), at each backbone's own input size (EfficientNetV2-M 480 px, the others 224 px) or at a
// size given. Random weights stand in for the ImageNet ones (set on the resolved runs), since what is shown is
// that every member fits and trains, not what it learns. The step plan (micro-batches where batch 32 does not fit
// the engine's memory) is printed as the run states it.
//
//   node --import tsx bench/seed/seedSweep.ts [--size native|N] [--batch N] [--studies N] [--backbones a,b]
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveExperiment } from '../../core/experiment/resolve';
import type { ResolvedRun } from '../../core/experiment/resolvedRun';
import { backboneFacts } from '../../core/models/registry';
import { Cancellation } from '../../core/run/cancellation';
import { createRunFolder, runIdAt } from '../../core/run/runFolder';
import { readRunRecord } from '../../core/run/runRecord';
import type { ProgressDisplay } from '../../core/run/terminalProgress';
import { trainRun } from '../../core/run/trainRun';
import { releaseEngine } from '../../core/engine/selectEngine';
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
  /** The run's note on micro-batches, when batch did not fit in one pass. */
  plan?: string;
  trainSeconds?: number;
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

export async function runSeedSweep(options: SeedSweepOptions): Promise<SeedMemberOutcome[]> {
  const log = options.log ?? (() => {});
  mkdirSync(options.workspace, { recursive: true });
  const file = join(options.workspace, 'rsna-seed.experiment.yaml');
  writeFileSync(file, seedOnSynthetic(options.studies));
  const resolved = resolveExperiment(readFileSync(file, 'utf8'), file);
  if (!resolved.ok) throw new Error(`the seed experiment does not resolve: ${JSON.stringify(resolved.diagnostics)}`);
  const runs = resolved.runs.filter((run) => !options.backbones || options.backbones.includes(run.model.backbone));
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
      const display: ProgressDisplay = {
        note: (message) => {
          notes.push(message);
          log(`  ${message}`);
        },
        warning: (message) => log(`  warning: ${message}`),
        stage() {},
        batch: (_epoch, _epochs, progress) =>
          log(`  step ${progress.step}/${progress.steps} loss ${progress.loss.toFixed(4)}`),
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
      const outcome: SeedMemberOutcome = {
        backbone: run.model.backbone,
        inputSize,
        batch: options.batch,
        status: member.status,
      };
      const plan = notes.find((note) => note.includes('micro-batches'));
      if (plan) outcome.plan = plan;
      if (record.timings.trainSeconds !== undefined) outcome.trainSeconds = record.timings.trainSeconds;
      if (member.error) outcome.error = member.error;
      outcomes.push(outcome);
    }
  } finally {
    cancellation.dispose();
    releaseEngine();
  }
  return outcomes;
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at === -1 ? undefined : process.argv[at + 1];
}

if (require.main === module) {
  const size = option('size') ?? 'native';
  const started = performance.now();
  runSeedSweep({
    workspace: join(__dirname, '..', '.tmp', 'seed-sweep'),
    size: size === 'native' ? 'native' : Number(size),
    batch: Number(option('batch') ?? 32),
    studies: Number(option('studies') ?? 10),
    ...(option('backbones') ? { backbones: option('backbones')!.split(',') } : {}),
    log: (line) => console.log(line),
  })
    .then((outcomes) => {
      console.log('\nbackbone            size  batch  status     train s  plan');
      for (const o of outcomes) {
        const plan = o.plan?.match(/(\d+ micro-batches of at most \d+)/)?.[1] ?? 'one pass';
        console.log(
          `${o.backbone.padEnd(18)}  ${String(o.inputSize).padStart(4)}  ${String(o.batch).padStart(5)}  ` +
            `${o.status.padEnd(9)}  ${(o.trainSeconds ?? NaN).toFixed(1).padStart(7)}  ${plan}${o.error ? `  ${o.error}` : ''}`,
        );
      }
      console.log(`\n${((performance.now() - started) / 1000).toFixed(0)} s in all`);
      process.exitCode = outcomes.every((o) => o.status === 'completed') ? 0 : 1;
    })
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}

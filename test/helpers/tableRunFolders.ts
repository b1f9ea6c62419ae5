// Run folders written by hand for the Experiments table's tests and benchmark: run.json, experiment.resolved.yaml,
// results/metrics.json and events.jsonl in the shapes the trainer writes, with the scores the caller chooses, so a
// test knows every number the table must show without running a trainer.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { EVENTS_SCHEMA } from '../../core/train/events';

export interface EpochScoresByHand {
  train: { loss: number; accuracy: number; macroF1: number };
  val: { loss: number; accuracy: number; macroF1: number; weightedLogLoss: number };
}

export interface RunByHand {
  experimentDir: string;
  runId: string;
  /** The folder's member name: backbone, then condition and fold where a sweep varies them. */
  member: string;
  backbone: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled';
  fold?: number;
  /** Parameters that differ from the base resolved experiment, by dotted path (`train.optimizer.lr`). */
  params?: Record<string, unknown>;
  epochs: EpochScoresByHand[];
  /** 1-based; required for a completed run. */
  bestEpoch?: number;
  test?: { accuracy: number; macroF1: number; weightedF1: number; rsnaScore: number; conditionLoss: number };
  /** Written to events.jsonl instead of metrics.json (a run still training). */
  eventsOnly?: boolean;
}

function baseResolved(run: RunByHand): Record<string, any> {
  return {
    name: run.experimentDir.split('/').pop(),
    data: {
      root: '/data/lsdc',
      condition: 'spinal_canal_stenosis',
      levels: ['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1'],
      input: { mode: 'crop', crop_mm: 60, size: 32 },
      split: {
        train: 0.6,
        val: 0.2,
        test: 0.2,
        seed: 1,
        ...(run.fold !== undefined ? { folds: 3, fold: run.fold } : {}),
      },
    },
    model: { backbone: run.backbone, pretrained: null, head: { hidden: [512, 256], dropout: 0.1 } },
    train: { optimizer: { name: 'adamw', lr: 0.0001 }, batch_size: 8, epochs: run.epochs.length, seed: 42 },
    experimentFile: '/work/x.experiment.yaml',
    sweepIndex: 0,
    sweepSize: 1,
    memberName: run.member,
    output: run.experimentDir,
  };
}

function setPath(target: Record<string, any>, path: string, value: unknown): void {
  const keys = path.split('.');
  let at = target;
  for (const key of keys.slice(0, -1)) at = at[key] ??= {};
  at[keys.at(-1)!] = value;
}

const summary = (accuracy: number, macroF1: number, weightedF1: number) => ({
  samples: 10,
  accuracy,
  perClass: [0, 1, 2].map(() => ({ precision: macroF1, recall: macroF1, f1: macroF1, support: 3 })),
  macro: { precision: macroF1, recall: macroF1, f1: macroF1 },
  weighted: { precision: weightedF1, recall: weightedF1, f1: weightedF1 },
  confusion: {
    counts: [
      [3, 0, 0],
      [0, 3, 0],
      [0, 1, 3],
    ],
    normalised: [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0.25, 0.75],
    ],
  },
});

/** Writes the run's folder and returns its path. */
export function writeRunByHand(run: RunByHand): string {
  const dir = join(run.experimentDir, `${run.runId}-${run.member}`);
  mkdirSync(join(dir, 'results'), { recursive: true });
  const resolved = baseResolved(run);
  for (const [path, value] of Object.entries(run.params ?? {})) setPath(resolved, path, value);
  writeFileSync(join(dir, 'experiment.resolved.yaml'), stringify(resolved));
  const started = `${run.runId.slice(0, 4)}-${run.runId.slice(4, 6)}-${run.runId.slice(6, 8)}T${run.runId.slice(9, 11)}:${run.runId.slice(11, 13)}:${run.runId.slice(13, 15)}.000Z`;
  const ended = new Date(Date.parse(started) + 90_000).toISOString();
  writeFileSync(
    join(dir, 'run.json'),
    JSON.stringify({
      status: run.status,
      runId: run.runId,
      experiment: resolved.name,
      experimentFile: resolved.experimentFile,
      backbone: run.backbone,
      startedAt: started,
      ...(run.status !== 'running' ? { endedAt: ended } : {}),
      versions: {},
      timings: {},
      engine: { chosen: 'wasm' },
      device: { cpuModel: 'Test CPU' },
    }),
  );
  const history = run.epochs.map((scores, i) => ({ epoch: i + 1, lr: 0.0001, seconds: 1, ...scores }));
  if (run.eventsOnly) {
    const time = started;
    const lines = [
      {
        type: 'run-start',
        runId: run.runId,
        experiment: resolved.name,
        backbone: run.backbone,
        engine: 'wasm',
        device: 'Test CPU',
        counts: { train: 6, val: 2, test: 2 },
      },
      ...history.map((h) => ({
        type: 'epoch-end',
        epoch: h.epoch,
        train: h.train,
        val: h.val,
        lr: h.lr,
        best: h.epoch === run.bestEpoch,
      })),
    ];
    writeFileSync(
      join(dir, 'events.jsonl'),
      lines.map((line) => `${JSON.stringify({ schema: EVENTS_SCHEMA, time, ...line })}\n`).join(''),
    );
  } else if (run.test !== undefined && run.bestEpoch !== undefined) {
    const { test } = run;
    writeFileSync(
      join(dir, 'results', 'metrics.json'),
      JSON.stringify({
        condition: 'spinal_canal_stenosis',
        backbone: run.backbone,
        bestEpoch: run.bestEpoch,
        selectedBy: 'val_macro_f1',
        test: {
          ...summary(test.accuracy, test.macroF1, test.weightedF1),
          roc: { curves: [] },
          rsna: {
            condition: 'spinal_canal_stenosis',
            conditionLoss: test.conditionLoss,
            anySevereLoss: null,
            score: test.rsnaScore,
            samples: 10,
            studies: 2,
          },
        },
        history,
      }),
    );
  }
  return dir;
}

/** Epoch scores that rise with the epoch, scaled so the last epoch's validation macro-F1 is `finalF1`. */
export function risingEpochs(count: number, finalF1: number): EpochScoresByHand[] {
  return Array.from({ length: count }, (_, i) => {
    const f = ((i + 1) / count) * finalF1;
    return {
      train: { loss: 1.2 - f, accuracy: f, macroF1: f },
      val: { loss: 1.3 - f, accuracy: f, macroF1: f, weightedLogLoss: 1.1 - f / 2 },
    };
  });
}

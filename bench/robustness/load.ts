// The editor's readers under load, against a 16.7 ms frame (60 Hz) since both run on the
// extension host's one thread. (a) The Runs view reading 50 run folders (extension/runs/runFolders.ts scanRuns),
// baseline 1 folder; (b) the run panel model (extension/panels/runFolderModel.ts readRunFolder) of a 2,000-epoch
// run, baseline 20 epochs, plus one live update (applyEvents) and the size of the model posted to the page.
// The files are a real run's (one tiny `radlab run` made here) scaled up: folders copied under new run ids, the
// per-epoch events and the metrics history repeated with renumbered epochs. Each case runs in its own process, so
// its peak RSS is its own. Needs `npm run build` first.
// Run: node --import tsx bench/robustness/load.ts
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyEvents, readRunFolder } from '../../extension/panels/runFolderModel';
import { scanRuns } from '../../extension/runs/runFolders';
import { parseEvents, type RadLabEvent } from '../../core/train/events';
import { CLI, prepareWorkspace, writeExperiment } from '../../test/robustness/trainerKills';

const FRAME_MS = 1000 / 60;
const REPEATS = 15;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Times `work` (first call is a warm-up, as the panel's code is loaded once per window) and reports in one line. */
function measure(label: string, work: () => unknown): void {
  work();
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < REPEATS; i++) {
    const started = performance.now();
    const result = work();
    times.push(performance.now() - started);
    size = typeof result === 'number' ? result : size;
  }
  const ms = median(times);
  console.log(
    JSON.stringify({
      label,
      medianMs: Number(ms.toFixed(2)),
      maxMs: Number(Math.max(...times).toFixed(2)),
      frames: Number((ms / FRAME_MS).toFixed(2)),
      peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      postedBytes: size || undefined,
    }),
  );
}

/** The run folder files a reader looks at, without the checkpoints (which no reader opens). */
function copyRunFiles(from: string, to: string): void {
  mkdirSync(join(to, 'results'), { recursive: true });
  for (const file of ['run.json', 'events.jsonl', 'experiment.resolved.yaml']) cpSync(join(from, file), join(to, file));
  for (const file of readdirSync(join(from, 'results'))) cpSync(join(from, 'results', file), join(to, 'results', file));
}

/** A copy of `template` whose log and metrics history hold `epochs` epochs: the first epoch's lines repeated. */
function scaledRun(template: string, target: string, epochs: number): void {
  copyRunFiles(template, target);
  const lines = readFileSync(join(template, 'events.jsonl'), 'utf8').trimEnd().split('\n');
  const events = lines.map((line) => JSON.parse(line) as RadLabEvent & { epoch?: number; epochs?: number });
  const firstEpoch = events.filter((e) => e.epoch === 1);
  const before = events.slice(
    0,
    events.findIndex((e) => e.epoch === 1),
  );
  const lastEpochEvent = events.length - 1 - [...events].reverse().findIndex((e) => e.epoch !== undefined);
  const after = events.slice(lastEpochEvent + 1);
  const body: string[] = [];
  for (let epoch = 1; epoch <= epochs; epoch++) {
    for (const event of firstEpoch)
      body.push(JSON.stringify({ ...event, epoch, ...(event.epochs !== undefined ? { epochs } : {}) }));
  }
  writeFileSync(
    join(target, 'events.jsonl'),
    `${[...before.map((e) => JSON.stringify(e)), ...body, ...after.map((e) => JSON.stringify(e))].join('\n')}\n`,
  );
  const metrics = JSON.parse(readFileSync(join(template, 'results', 'metrics.json'), 'utf8')) as {
    history: { epoch: number }[];
    bestEpoch: number;
  };
  const first = metrics.history[0]!;
  metrics.history = Array.from({ length: epochs }, (_, i) => ({ ...first, epoch: i + 1 }));
  metrics.bestEpoch = 1;
  writeFileSync(join(target, 'results', 'metrics.json'), JSON.stringify(metrics, null, 2));
}

function runCase(name: string, dir: string): void {
  const nothingRuns = () => 'gone' as const;
  if (name.startsWith('runs-view-')) {
    measure(`Runs view: scanRuns over ${name.slice('runs-view-'.length)} run folder(s)`, () => {
      const groups = scanRuns([dir], nothingRuns);
      if (groups[0]?.runs.some((r) => r.problem))
        throw new Error(`a run folder did not read: ${groups[0]!.runs.find((r) => r.problem)!.problem}`);
      return 0;
    });
    return;
  }
  const epochs = name.slice('run-panel-'.length);
  measure(
    `Run panel: readRunFolder of a ${epochs}-epoch run (events.jsonl ${readFileSync(join(dir, 'events.jsonl')).length} bytes)`,
    () => {
      const { model } = readRunFolder(dir);
      if (model.problems.length > 0 || model.history.length !== Number(epochs))
        throw new Error(`read ${model.history.length} epochs: ${model.problems.join('; ')}`);
      return JSON.stringify(model).length;
    },
  );
  const { model } = readRunFolder(dir);
  const live = parseEvents(readFileSync(join(dir, 'events.jsonl'), 'utf8'))
    .events.filter((e) => e.type === 'batch' || e.type === 'epoch-end')
    .slice(-2);
  measure(`Run panel: one live update (applyEvents + serialise) on the ${epochs}-epoch model`, () => {
    applyEvents(model, live);
    return JSON.stringify(model).length;
  });
}

async function main(): Promise<void> {
  const [, , caseName, caseDir] = process.argv;
  if (caseName !== undefined) return runCase(caseName, caseDir!);

  const workspace = mkdtempSync(join(tmpdir(), 'radlab-load-bench-'));
  try {
    await prepareWorkspace(workspace);
    const made = spawnSync(process.execPath, [CLI, 'run', writeExperiment(workspace, 'template')], {
      cwd: workspace,
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`the template run failed: ${made.stderr}`);
    const templateParent = join(workspace, 'runs', 'template');
    const template = join(templateParent, readdirSync(templateParent)[0]!);

    const cases: [string, string][] = [];
    for (const count of [1, 50]) {
      const experimentDir = join(workspace, 'views', `runs${count}`, 'experiment');
      for (let i = 0; i < count; i++)
        copyRunFiles(template, join(experimentDir, `20260101-${String(100000 + i).slice(1)}-resnet18`));
      cases.push([`runs-view-${count}`, experimentDir]);
    }
    for (const epochs of [20, 2000]) {
      const dir = join(workspace, 'panels', `20260101-000000-e${epochs}`);
      scaledRun(template, dir, epochs);
      cases.push([`run-panel-${epochs}`, dir]);
    }
    console.log(
      `frame budget ${FRAME_MS.toFixed(1)} ms; median of ${REPEATS} after a warm-up; each case in its own process`,
    );
    for (const [name, dir] of cases) {
      const child = spawnSync(process.execPath, ['--import', 'tsx', __filename, name, dir], { encoding: 'utf8' });
      if (child.status !== 0) throw new Error(`${name}: ${child.stderr}`);
      process.stdout.write(child.stdout);
    }
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

void main();

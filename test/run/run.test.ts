// `radlab run` end to end on a small synthetic dataset: the run folder, its numbers checked against each other
// independently, stopping and resuming, sweeps and refusal of an invalid experiment. Runs the bundled CLI as the
// editor does (npm test builds dist/ first).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { writeTinyExperiment } from '../helpers/tinyExperiment';

const repo = join(__dirname, '..', '..');
const cli = join(repo, 'dist', 'cli.js');
let workspace: string;

function experiment(name: string, extra: { backbones?: string; epochs?: number; pretrained?: string } = {}): string {
  return writeTinyExperiment(workspace, name, {
    ...(extra.backbones ? { backbones: extra.backbones } : {}),
    ...(extra.epochs ? { epochs: extra.epochs } : {}),
    ...(extra.pretrained ? { model: [`pretrained: ${extra.pretrained}`] } : {}),
  });
}

function radlab(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: workspace });
}

function runFolders(name: string): string[] {
  const folder = join(workspace, 'runs', name);
  return existsSync(folder)
    ? readdirSync(folder, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(folder, e.name))
    : [];
}

function readJson(path: string) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function eventTypes(runDir: string): string[] {
  return readFileSync(join(runDir, 'events.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line).type);
}

describe('radlab run', { timeout: 600_000 }, () => {
  before(() => {
    workspace = mkdtempSync(join(tmpdir(), 'radlab-run-'));
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('generates the synthetic dataset and writes a complete, self-consistent run folder', () => {
    const result = radlab('run', experiment('complete'));
    assert.equal(result.status, 0, result.stderr + result.stdout);
    const [runDir] = runFolders('complete');
    assert.ok(runDir && runDir.endsWith('-resnet18'));
    assert.ok(existsSync(join(workspace, 'dataset', 'train.csv')), 'the synthetic dataset was generated at data.root');
    for (const file of [
      'experiment.resolved.yaml',
      'run.json',
      'results/metrics.json',
      'results/predictions.csv',
      'results/submission.csv',
      'results/confusion_matrix.csv',
      'plots/loss.png',
      'plots/confusion_matrix.png',
      'plots/roc.png',
      'trained_models/model.safetensors',
      'trained_models/best/optimizer.safetensors',
      'trained_models/last/progress.json',
    ]) {
      assert.ok(existsSync(join(runDir, file)), `${file} is in the run folder`);
    }
    const record = readJson(join(runDir, 'run.json'));
    assert.equal(record.status, 'completed');
    assert.equal(record.engine.chosen, 'wasm');
    // The trainer is named by pid, host and start time, so a reader can tell it from a later process with its pid.
    assert.equal(typeof record.pid, 'number');
    assert.equal(record.host, hostname());
    if (process.platform === 'linux') assert.match(record.processStartTime, /^boot [0-9a-f-]{36} tick \d+$/);

    // The metrics must agree with the predictions file, recomputed here from its rows.
    const rows = parse(readFileSync(join(runDir, 'results', 'predictions.csv')), { columns: true }) as Record<
      string,
      string
    >[];
    assert.deepEqual(Object.keys(rows[0]!), [
      'row_id',
      'true_label',
      'predicted_label',
      'prob_normal_mild',
      'prob_moderate',
      'prob_severe',
    ]);
    assert.equal(rows.length, record.counts.test);
    const correct = rows.filter((row) => row.true_label === row.predicted_label).length;
    const metrics = readJson(join(runDir, 'results', 'metrics.json'));
    assert.equal(metrics.test.accuracy, correct / rows.length);
    for (const row of rows) {
      assert.match(row.row_id!, /^\d+_spinal_canal_stenosis_l[1-5]_(l[2-5]|s1)$/);
      const sum = Number(row.prob_normal_mild) + Number(row.prob_moderate) + Number(row.prob_severe);
      assert.ok(Math.abs(sum - 1) < 1e-5, 'probabilities sum to 1');
    }
    assert.equal(metrics.history.length, 2);
    assert.deepEqual(
      eventTypes(runDir).filter((t) => t !== 'batch' && t !== 'artifact'),
      ['run-start', 'epoch-start', 'epoch-end', 'epoch-start', 'epoch-end', 'run-end'],
    );
  });

  it('stops on SIGTERM as cancelled, and a resumed run ends with the same metrics as an uninterrupted one', async () => {
    const uninterrupted = radlab('run', experiment('straight', { epochs: 2 }));
    assert.equal(uninterrupted.status, 0, uninterrupted.stderr);

    const file = experiment('interrupted', { epochs: 2 });
    const child = spawn(process.execPath, [cli, 'run', file, '--events-stdout'], { cwd: workspace });
    let buffered = '';
    let stopped = false;
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      // One signal: a second one means "do not wait for the checkpoint" and exits at once.
      if (!stopped && buffered.includes('"type":"epoch-end"')) {
        stopped = true;
        child.kill('SIGTERM');
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130);
    const [runDir] = runFolders('interrupted');
    assert.equal(readJson(join(runDir!, 'run.json')).status, 'cancelled');
    assert.equal(eventTypes(runDir!).at(-1), 'run-end');

    const resumed = radlab('run', '--resume', runDir!);
    assert.equal(resumed.status, 0, resumed.stderr + resumed.stdout);
    const record = readJson(join(runDir!, 'run.json'));
    assert.equal(record.status, 'completed');
    assert.equal(record.resumedFrom.length, 1);

    const [straightDir] = runFolders('straight');
    const a = readJson(join(straightDir!, 'results', 'metrics.json'));
    const b = readJson(join(runDir!, 'results', 'metrics.json'));
    assert.deepEqual(b.test.confusion, a.test.confusion);
    assert.equal(b.test.rsna.score, a.test.rsna.score);
    assert.deepEqual(
      b.history.map((h: { train: unknown; val: unknown }) => [h.train, h.val]),
      a.history.map((h: { train: unknown; val: unknown }) => [h.train, h.val]),
    );
  });

  it('runs every member of a sweep even when one fails, and writes the summary', () => {
    writeFileSync(join(workspace, 'broken.safetensors'), 'not a weights file');
    const result = radlab(
      'run',
      experiment('sweep', {
        backbones: '[resnet50, resnet18]',
        epochs: 1,
        pretrained: '{ resnet50: broken.safetensors }',
      }),
    );
    assert.equal(result.status, 1, 'a failed member makes the exit status 1');
    const summary = parse(readFileSync(join(workspace, 'runs', 'sweep', 'model_performance_summary.csv')), {
      columns: true,
    }) as Record<string, string>[];
    assert.deepEqual(
      summary.map((row) => [row.backbone, row.status]),
      [
        ['resnet50', 'failed'],
        ['resnet18', 'completed'],
      ],
    );
    assert.match(summary[0]!.error!, /broken\.safetensors/);
    const failedDir = runFolders('sweep').find((dir) => dir.endsWith('-resnet50'))!;
    assert.equal(readJson(join(failedDir, 'run.json')).status, 'failed');
  });

  it('refuses an invalid experiment before anything starts', () => {
    const file = experiment('invalid').replace('.experiment.yaml', '.experiment.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('batch_size: 8', 'batch_size: 0'));
    const result = radlab('run', file);
    assert.equal(result.status, 1);
    assert.match(result.stderr, /invalid\.experiment\.yaml:\d+:\d+: error \[out-of-range\] train\.batch_size/);
    assert.deepEqual(runFolders('invalid'), []);
  });
});

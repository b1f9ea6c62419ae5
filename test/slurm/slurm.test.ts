// radlab submit / status / cancel / summarize against a real single-node Slurm (slurmctld + slurmd + munge on
// this machine), started by setup.sh. Skips, saying why, where Slurm cannot be started (no root, no apt).
// Runs the bundled CLI as the editor and the batch scripts do (npm test builds dist/ first).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'csv-parse/sync';
import { writeTinyExperiment } from '../helpers/tinyExperiment';

const repo = join(__dirname, '..', '..');
const cli = join(repo, 'dist', 'cli.js');
let workspace: string;
let slurmProblem: string | undefined;

function radlab(args: string[], env: NodeJS.ProcessEnv = process.env) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', cwd: workspace, env });
}

function experiment(name: string, slurm: string[]): string {
  return writeTinyExperiment(workspace, name, {
    backbones: '[resnet18, resnet50]',
    epochs: 1,
    extra: ['executor:', '  name: slurm', '  slurm:', ...slurm.map((line) => `    ${line}`)],
  });
}

const experimentFolder = (name: string) => join(workspace, 'runs', name);

function runFolders(name: string): string[] {
  const folder = experimentFolder(name);
  return existsSync(folder)
    ? readdirSync(folder, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => join(folder, e.name))
        .sort()
    : [];
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

/** squeue's own view of a job, asked directly (not through radlab). */
function squeueStates(jobId: string): string[] {
  const out = spawnSync('squeue', ['-h', '-r', '-t', 'all', '-j', jobId, '-o', '%T'], { encoding: 'utf8' });
  return out.stdout.split('\n').filter((s) => s.trim() !== '');
}

async function waitUntil(what: string, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}

const FINISHED = ['COMPLETED', 'CANCELLED', 'FAILED', 'TIMEOUT', 'OUT_OF_MEMORY', 'NODE_FAIL'];

function needsSlurm(t: TestContext): boolean {
  if (slurmProblem !== undefined) t.skip(`Slurm is not available here: ${slurmProblem}`);
  return slurmProblem === undefined;
}

describe('Slurm executor', { timeout: 300_000 }, () => {
  before(() => {
    workspace = mkdtempSync(join(tmpdir(), 'radlab-slurm-'));
    const setup = spawnSync('bash', [join(__dirname, 'setup.sh')], { encoding: 'utf8', timeout: 240_000 });
    if (setup.status !== 0)
      slurmProblem = `test/slurm/setup.sh exited ${setup.status}: ${(setup.stderr || setup.stdout).trim().split('\n').slice(-3).join(' ')}`;
  });
  after(() => rmSync(workspace, { recursive: true, force: true }));

  it('says clearly when sbatch is not on PATH, and submits nothing', () => {
    workspace ??= mkdtempSync(join(tmpdir(), 'radlab-slurm-'));
    const file = experiment('nopath', ['cpus: 1']);
    const result = radlab(['submit', file], {
      ...process.env,
      PATH: dirname(process.execPath) === '/usr/bin' ? '/nonexistent' : dirname(process.execPath),
    });
    assert.equal(result.status, 1, result.stderr);
    assert.match(result.stderr, /sbatch was not found on PATH/);
    assert.deepEqual(runFolders('nopath'), []);
  });

  it('runs a two-backbone sweep as a job array into one run id, then writes the sweep summary', async (t) => {
    if (!needsSlurm(t)) return;
    const file = experiment('sweep', ['cpus: 1', 'memory: 3G', 'time: "00:10:00"']);
    const submitted = radlab(['submit', file, '--json']);
    assert.equal(submitted.status, 0, submitted.stderr);
    const submission = JSON.parse(submitted.stdout);
    assert.match(submission.arrayJobId, /^\d+$/);
    assert.equal(squeueStates(submission.arrayJobId).length, 2, 'Slurm holds one array task per backbone');
    await waitUntil(
      'the array and the summary job to finish',
      () =>
        [...squeueStates(submission.arrayJobId), ...squeueStates(submission.summaryJobId)].every((s) =>
          FINISHED.includes(s),
        ),
      150_000,
    );
    assert.deepEqual(squeueStates(submission.arrayJobId), ['COMPLETED', 'COMPLETED']);

    const folders = runFolders('sweep');
    assert.equal(folders.length, 2);
    const summaryRows = parse(readFileSync(join(experimentFolder('sweep'), 'model_performance_summary.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    assert.deepEqual(
      summaryRows.map((r) => r.backbone),
      ['resnet18', 'resnet50'],
      'summary rows in sweep order',
    );
    for (const [index, backbone] of ['resnet18', 'resnet50'].entries()) {
      const dir = folders.find((f) => f.endsWith(`-${backbone}`))!;
      assert.ok(dir.includes(`${submission.runId}-`), 'every task wrote into the shared run id');
      const record = readJson(join(dir, 'run.json'));
      assert.equal(record.status, 'completed', JSON.stringify(record));
      assert.equal(
        record.slurm.jobId,
        `${submission.arrayJobId}_${index}`,
        'the task recorded the Slurm job that ran it',
      );
      const types = readFileSync(join(dir, 'events.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type);
      assert.equal(types[0], 'run-start');
      assert.equal(types.at(-1), 'run-end');
      for (const part of [
        'results/metrics.json',
        'results/predictions.csv',
        'results/submission.csv',
        'trained_models/model.safetensors',
        'plots/loss.png',
      ]) {
        assert.ok(existsSync(join(dir, part)), `${backbone}: ${part}`);
      }
      const metrics = readJson(join(dir, 'results', 'metrics.json'));
      const row = summaryRows[index]!;
      assert.equal(row.status, 'completed');
      assert.equal(row.run_id, submission.runId);
      assert.ok(
        Math.abs(Number(row.test_accuracy) - metrics.test.accuracy) < 1e-6,
        "summary accuracy = the run's metrics.json",
      );
      assert.ok(Math.abs(Number(row.test_macro_f1) - metrics.test.macro.f1) < 1e-6);
    }
    const status = radlab(['status', experimentFolder('sweep')]);
    assert.equal(status.status, 0, status.stderr);
    assert.match(status.stdout, new RegExp(`Slurm ${submission.arrayJobId}_0: COMPLETED; run: completed`));
  });

  it('shows a cancelled submission as cancelled, in Slurm and in run.json', async (t) => {
    if (!needsSlurm(t)) return;
    // Held back an hour by Slurm (an sbatch option from executor.slurm.extra), so the tasks are surely pending.
    const file = experiment('cancelled', ['cpus: 1', 'extra: ["--begin=now+1hour"]']);
    const submitted = radlab(['submit', file, '--json']);
    assert.equal(submitted.status, 0, submitted.stderr);
    const { arrayJobId } = JSON.parse(submitted.stdout);
    // Slurm gives a pending task its reason at its next scheduling pass.
    type Member = { task: { state: string; reason: string } };
    let before: { members: Member[] } = { members: [] };
    await waitUntil(
      'Slurm to say why the tasks wait',
      () => {
        before = JSON.parse(radlab(['status', experimentFolder('cancelled'), '--json']).stdout);
        return before.members.every((m) => m.task.reason !== 'None');
      },
      30_000,
    );
    assert.deepEqual(
      before.members.map((m) => [m.task.state, m.task.reason]),
      [
        ['PENDING', 'BeginTime'],
        ['PENDING', 'BeginTime'],
      ],
    );
    for (const dir of runFolders('cancelled')) assert.equal(readJson(join(dir, 'run.json')).status, 'queued');

    const cancelled = radlab(['cancel', experimentFolder('cancelled')]);
    assert.equal(cancelled.status, 0, cancelled.stderr);
    assert.deepEqual(squeueStates(arrayJobId), ['CANCELLED', 'CANCELLED']);
    for (const dir of runFolders('cancelled')) {
      const record = readJson(join(dir, 'run.json'));
      assert.equal(record.status, 'cancelled');
      assert.match(record.error, /CANCELLED/);
    }
    assert.match(cancelled.stdout, new RegExp(`Slurm ${arrayJobId}_1: CANCELLED.*; run: cancelled`));
  });

  it("reports Slurm's reason when the cluster cannot give the resources, and leaves no queued runs", (t) => {
    if (!needsSlurm(t)) return;
    const memory = radlab(['submit', experiment('toobig', ['cpus: 1', 'memory: 100000G'])]);
    assert.equal(memory.status, 1);
    assert.match(memory.stderr, /Slurm refused the job: .*Requested node configuration is not available/);
    assert.match(memory.stderr, /#SBATCH --mem=100000G/);
    assert.deepEqual(runFolders('toobig'), []);
    const gpus = radlab(['submit', experiment('gpus', ['cpus: 1']), '--gpus', '8']);
    assert.equal(gpus.status, 1);
    assert.match(gpus.stderr, /Slurm refused the job: .*Invalid generic resource/);
  });

  it("shows Slurm's output file for a task that died before the run started", async (t) => {
    if (!needsSlurm(t)) return;
    const file = experiment('broken', [
      'cpus: 1',
      'setup: ["echo \'module radlab-missing: no such module\' >&2", "exit 3"]',
    ]);
    const submitted = radlab(['submit', file, '--json']);
    assert.equal(submitted.status, 0, submitted.stderr);
    const { arrayJobId } = JSON.parse(submitted.stdout);
    await waitUntil(
      'the broken tasks to end',
      () => squeueStates(arrayJobId).every((s) => FINISHED.includes(s)),
      60_000,
    );
    assert.deepEqual(squeueStates(arrayJobId), ['FAILED', 'FAILED']);
    const status = radlab(['status', experimentFolder('broken')]);
    assert.match(status.stdout, /FAILED \(NonZeroExitCode\); run: failed/);
    assert.match(status.stdout, /module radlab-missing: no such module/);
    for (const dir of runFolders('broken')) {
      const record = readJson(join(dir, 'run.json'));
      assert.equal(record.status, 'failed');
      assert.match(record.error, /before the run started/);
      assert.match(record.error, /task-\d\.out ends with:\nmodule radlab-missing: no such module/);
    }
  });
});

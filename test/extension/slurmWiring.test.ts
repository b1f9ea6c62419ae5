// The editor's Slurm wiring without VS Code: which executor Run Experiment uses, what the user is told after
// `radlab submit` (from the real bundled CLI, with PATH lacking sbatch or holding a stand-in sbatch that
// refuses or accepts), what Stop Run does on local and Slurm runs, and when run status is polled.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runCliCommand } from '../../extension/runs/cliCommand';
import { cliInvocation } from '../../extension/runs/cliInvocation';
import { readRunFolder } from '../../extension/runs/runFolders';
import { SlurmStatusPoller } from '../../extension/runs/slurmStatusPoller';
import { cliFailure, executorFor, needsStatusPolling, stopPlan, submitReport } from '../../extension/runs/slurmWiring';

const repo = path.join(__dirname, '..', '..');
const bundledCli = path.join(repo, 'dist', 'cli.js');
const scratch = mkdtempSync(path.join(tmpdir(), 'radlab-slurm-wiring-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

const EXPERIMENT = `name: wired
data:
  root: dataset
  synthetic: { studies: 4, seed: 5 }
  condition: spinal_canal_stenosis
  input: { mode: crop, crop_mm: 60, size: 32 }
  split: { train: 0.5, val: 0.25, test: 0.25, seed: 1 }
model:
  backbones: [resnet18, resnet50]
executor:
  name: slurm
output: runs/
`;

describe('executorFor', () => {
  const local = 'name: a\nexecutor:\n  name: local\n';
  const slurm = 'name: a\nexecutor:\n  name: slurm\n  slurm: { partition: gpu }\n';
  const unset = 'name: a\nmodel:\n  backbones: resnet18\n';

  it("follows the experiment's executor.name under the default setting, local when the file names none", () => {
    assert.equal(executorFor('experiment', slurm), 'slurm');
    assert.equal(executorFor('experiment', local), 'local');
    assert.equal(executorFor('experiment', unset), 'local');
    assert.equal(executorFor(undefined, slurm), 'slurm');
  });

  it('lets the radlab.executor setting override the file either way', () => {
    assert.equal(executorFor('local', slurm), 'local');
    assert.equal(executorFor('slurm', local), 'slurm');
    assert.equal(executorFor('slurm', unset), 'slurm');
  });
});

/** The bundled CLI as the extension starts it, with PATH replaced by `pathDir` only. */
function cliWithPath(pathDir: string) {
  assert.ok(existsSync(bundledCli), `${bundledCli} is missing: run npm run build first`);
  return cliInvocation({
    nodePath: process.execPath,
    hostExecutable: '/unused',
    cliScript: bundledCli,
    env: { ...process.env, PATH: pathDir },
  });
}

function workspace(name: string): { dir: string; file: string; bin: string } {
  const dir = path.join(scratch, name);
  const bin = path.join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  const file = path.join(dir, 'wired.experiment.yaml');
  writeFileSync(file, EXPERIMENT);
  return { dir, file, bin };
}

/** A stand-in sbatch: answers --version like Slurm, and submits with `submitScript` (shell). */
function fakeSbatch(bin: string, submitScript: string): void {
  const sbatch = path.join(bin, 'sbatch');
  writeFileSync(
    sbatch,
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo "slurm 23.11.4"; exit 0; fi\n${submitScript}\n`,
  );
  chmodSync(sbatch, 0o755);
}

function runFoldersOf(dir: string): string[] {
  const experimentDir = path.join(dir, 'runs', 'wired');
  if (!existsSync(experimentDir)) return [];
  return readdirSync(experimentDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => path.join(experimentDir, e.name))
    .sort();
}

describe('submitReport with the real radlab submit', { timeout: 60_000 }, () => {
  it('says sbatch is missing from PATH, how to fix it, and submits nothing', async () => {
    const { dir, file, bin } = workspace('no-sbatch');
    const result = await runCliCommand(cliWithPath(bin), ['submit', file, '--json'], { cwd: dir });
    assert.equal(result.exit.code, 1);
    const report = submitReport(result);
    assert.equal(report.kind, 'failed');
    assert.match(report.message, /^sbatch was not found on PATH \(/);
    assert.ok(report.message.includes(`(${bin})`), 'the PATH that was searched is named');
    assert.match(report.message, /a login node/);
    assert.match(report.message, /set radlab\.executor to "local"\.$/);
    assert.deepEqual(runFoldersOf(dir), []);
  });

  it("shows Slurm's own words when it refuses the job", async () => {
    const { dir, file, bin } = workspace('refused');
    fakeSbatch(bin, 'echo "sbatch: error: Batch job submission failed: Invalid partition name specified" >&2\nexit 1');
    const result = await runCliCommand(cliWithPath(bin), ['submit', file, '--json'], { cwd: dir });
    const report = submitReport(result);
    assert.equal(report.kind, 'failed');
    assert.equal(
      report.message,
      'Slurm refused the job: Batch job submission failed: Invalid partition name specified',
    );
    assert.deepEqual(runFoldersOf(dir), [], 'a refused submission leaves no run folders');
  });

  it('reports the job id of an accepted submission, whose queued run folders the Runs view then polls', async () => {
    const { dir, file, bin } = workspace('accepted');
    // --parsable prints "<job id>" (or "<job id>;<cluster>"); the summary job is the one with a dependency.
    fakeSbatch(bin, 'case "$*" in *--dependency*) echo "8001";; *) echo "8000;cluster";; esac');
    const result = await runCliCommand(cliWithPath(bin), ['submit', file, '--json'], { cwd: dir });
    const report = submitReport(result);
    assert.equal(report.kind, 'submitted', JSON.stringify(result.stderr));
    if (report.kind !== 'submitted') return;
    assert.equal(report.message, 'RadLab: wired was submitted to Slurm as job 8000 (2 runs: resnet18, resnet50).');
    assert.deepEqual(report.warnings, []);
    const folders = runFoldersOf(dir);
    assert.equal(folders.length, 2);
    for (const folder of folders) {
      const record = readRunFolder(folder, () => 'gone');
      assert.equal(record.state, 'queued');
      assert.equal(needsStatusPolling(record), true);
    }
  });
});

describe('submitReport and cliFailure on hand-written outcomes', () => {
  const ok = { code: 0, signal: null };
  it('reads the submission record among other stdout lines and passes on warnings', () => {
    const record = {
      runId: '20260101-000000',
      experiment: 'e',
      arrayJobId: '77',
      members: [{ index: 0, backbone: 'resnet18', runDir: '/r', outputFile: '/o' }],
    };
    const report = submitReport({
      exit: ok,
      stdout: ['Generating the synthetic dataset', JSON.stringify(record)],
      stderr: [
        'radlab submit: the summary job was refused (x); run radlab summarize /r --run-id 20260101-000000 once the tasks have ended',
      ],
    });
    assert.equal(report.kind, 'submitted');
    assert.equal(
      report.kind === 'submitted' && report.message,
      'RadLab: e was submitted to Slurm as job 77 (1 run: resnet18).',
    );
    assert.deepEqual(report.kind === 'submitted' && report.warnings, [
      'the summary job was refused (x); run radlab summarize /r --run-id 20260101-000000 once the tasks have ended',
    ]);
  });

  it('fails an exit 0 without a record, and a CLI that could not start', () => {
    assert.equal(submitReport({ exit: ok, stdout: ['{"not":"a submission"}'], stderr: [] }).kind, 'failed');
    const report = submitReport({
      exit: { code: null, signal: null, startError: new Error('spawn /no/node ENOENT') },
      stdout: [],
      stderr: [],
    });
    assert.deepEqual(report, {
      kind: 'failed',
      message: 'the radlab CLI could not start (spawn /no/node ENOENT); check the radlab.nodePath setting.',
    });
  });

  it("quotes cancel's own explanation, else the last stderr lines", () => {
    const failed = { code: 1, signal: null };
    assert.equal(
      cliFailure('cancel', {
        exit: failed,
        stdout: [],
        stderr: ['radlab cancel: Slurm did not cancel 5_0: Invalid job id specified'],
      }),
      'Slurm did not cancel 5_0: Invalid job id specified',
    );
    assert.equal(cliFailure('status', { exit: failed, stdout: [], stderr: ['a', 'b', 'c', 'd'] }), 'b c d');
    assert.equal(
      cliFailure('status', { exit: failed, stdout: [], stderr: [] }),
      'radlab status ended with exit code 1',
    );
  });
});

describe('stopPlan', () => {
  const slurm = {
    submission: '/e/.slurm/1/job.json',
    arrayIndex: 1,
    outputFile: '/e/.slurm/1/task-1.out',
    submittedAt: 'x',
  };
  const none = { followsClicked: false, slurmRunsGoing: 0 };

  it('cancels a queued or running Slurm run with radlab cancel <run dir>, whatever runs locally', () => {
    for (const status of ['queued', 'running'] as const) {
      assert.deepEqual(
        stopPlan({ ...none, clickedDir: '/e/r1', clickedRecord: { status, slurm }, localActive: 'run' }),
        {
          kind: 'cancel-slurm',
          runDir: '/e/r1',
          args: ['cancel', '/e/r1'],
        },
      );
    }
  });

  it('stops a Slurm run resumed in this window as the local process it now is', () => {
    const plan = stopPlan({
      ...none,
      clickedDir: '/e/r1',
      clickedRecord: { status: 'running', slurm },
      followsClicked: true,
      localActive: 'resume',
    });
    assert.equal(plan.kind, 'stop-local');
  });

  it('does nothing for a Slurm run that already ended', () => {
    const plan = stopPlan({ ...none, clickedDir: '/e/r1', clickedRecord: { status: 'completed', slurm } });
    assert.deepEqual(plan, {
      kind: 'nothing',
      message: 'RadLab: that Slurm run is not going any more (run.json says completed).',
    });
  });

  it('stops the local run for a local run it follows or started, and refuses one it does not', () => {
    const local = { status: 'running' as const };
    assert.equal(
      stopPlan({ ...none, clickedDir: '/e/r2', clickedRecord: local, followsClicked: true, localActive: 'resume' })
        .kind,
      'stop-local',
    );
    assert.equal(
      stopPlan({ ...none, clickedDir: '/e/r2', clickedRecord: local, localActive: 'run' }).kind,
      'stop-local',
    );
    assert.equal(
      stopPlan({ ...none, clickedDir: '/e/r2', clickedRecord: local, localActive: 'attach' }).kind,
      'nothing',
    );
    assert.equal(stopPlan({ ...none, clickedDir: '/e/r2', clickedRecord: undefined }).kind, 'nothing');
  });

  it('from the palette: the local run first, else a Slurm run to pick, else nothing', () => {
    assert.equal(stopPlan({ ...none, localActive: 'run', slurmRunsGoing: 2 }).kind, 'stop-local');
    assert.equal(stopPlan({ ...none, slurmRunsGoing: 2 }).kind, 'pick-slurm');
    assert.deepEqual(stopPlan(none), { kind: 'nothing', message: 'RadLab: no run is going.' });
  });
});

describe('needsStatusPolling', () => {
  const slurm = { submission: 's', arrayIndex: 0, outputFile: 'o', submittedAt: 'x' };
  it('polls Slurm runs that are queued or running, and nothing else', () => {
    assert.equal(needsStatusPolling({ state: 'queued', slurm }), true);
    assert.equal(needsStatusPolling({ state: 'running', slurm }), true);
    for (const state of ['completed', 'failed', 'cancelled', 'interrupted'] as const)
      assert.equal(needsStatusPolling({ state, slurm }), false);
    assert.equal(needsStatusPolling({ state: 'running' }), false, 'a local run is followed through its process');
    assert.equal(needsStatusPolling({ state: 'queued', slurm, problem: 'unreadable' }), false);
  });
});

describe('SlurmStatusPoller', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function until(condition: () => boolean, what: string): Promise<void> {
    const deadline = Date.now() + 5000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(5);
    }
  }

  it('polls each tracked run once per round, one at a time, and stops when none is left', async () => {
    const asked: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    let rounds = 0;
    const poller = new SlurmStatusPoller(
      async (dir) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        asked.push(dir);
        await sleep(5);
        inFlight -= 1;
      },
      () => (rounds += 1),
      20,
    );
    assert.equal(poller.polling, false);
    poller.track(['/a', '/b', '/a']);
    assert.equal(poller.polling, true);
    await until(() => rounds >= 2, 'two rounds');
    assert.deepEqual(asked.slice(0, 4), ['/a', '/b', '/a', '/b']);
    assert.equal(maxInFlight, 1);
    poller.track([]);
    assert.equal(poller.polling, false);
    await until(() => inFlight === 0, 'the last round to end');
    const settled = asked.length;
    await sleep(60);
    assert.equal(asked.length, settled, 'no polling once no Slurm run is going');
    poller.dispose();
  });

  it('keeps one timer when tracked again, and ends it on dispose', async () => {
    let rounds = 0;
    const poller = new SlurmStatusPoller(
      async () => undefined,
      () => (rounds += 1),
      20,
    );
    const started = Date.now();
    poller.track(['/a']);
    poller.track(['/a', '/b']);
    poller.track(['/a']);
    await until(() => rounds >= 3, 'three rounds');
    // Three timers would finish three rounds after one interval; one timer needs three intervals.
    assert.ok(Date.now() - started >= 55, `three rounds after ${Date.now() - started} ms`);
    poller.dispose();
    assert.equal(poller.polling, false);
    const settled = rounds;
    poller.track(['/a']);
    await sleep(50);
    assert.equal(rounds, settled, 'a disposed poller stays stopped');
  });
});

describe('Runs view menus', () => {
  it('offer Stop Run on queued runs as on running ones, both inline and in the context menu', async () => {
    const manifest = JSON.parse(await readFile(path.join(repo, 'package.json'), 'utf8')) as {
      contributes: { menus: Record<string, Array<{ command: string; when?: string; group?: string }>> };
    };
    const stops = manifest.contributes.menus['view/item/context']!.filter((item) => item.command === 'radlab.stopRun');
    assert.deepEqual(stops.map((item) => item.group?.split('@')[0]).sort(), ['2_run', 'inline']);
    for (const item of stops) {
      const pattern = /viewItem =~ \/((?:[^/\\]|\\.)+)\//.exec(item.when ?? '');
      assert.ok(pattern, `${item.when} tests viewItem with a pattern`);
      const matches = (value: string) => new RegExp(pattern[1]!).test(value);
      assert.equal(matches('radlab.run.queued'), true);
      assert.equal(matches('radlab.run.running'), true);
      assert.equal(matches('radlab.run.completed'), false);
      assert.equal(matches('radlab.run.cancelled'), false);
    }
  });
});

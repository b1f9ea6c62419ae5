// The run manager end to end against a stand-in trainer (children/fakeRadlab.mjs, which prints hand-written
// events like `radlab run --events-stdout`): a run that completes, one stopped mid-way, one that crashes, two
// queued runs, a trainer that cannot start, and following a run started elsewhere through its events.jsonl.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { processStartTime, type TrainerProcess } from '../../core/run/trainerProcess';
import { cliInvocation } from '../../extension/runs/cliInvocation';
import { outcomeOf, RunManager } from '../../extension/runs/runManager';
import { initialLiveRun } from '../../extension/runs/liveRun';

const fakeCli = path.join(__dirname, 'children', 'fakeRadlab.mjs');
const scratch = mkdtempSync(path.join(tmpdir(), 'radlab-manager-'));
after(() => rmSync(scratch, { recursive: true, force: true }));
const experimentFile = path.join(scratch, 'fake.experiment.yaml');
writeFileSync(experimentFile, 'name: fake\n');

function manager(env: Record<string, string> = {}, extra: { isRunning?: (trainer: TrainerProcess) => boolean } = {}) {
  const log: string[] = [];
  const cli = cliInvocation({
    nodePath: process.execPath,
    hostExecutable: '/unused',
    cliScript: fakeCli,
    env: { ...process.env, ...env },
  });
  const runs = new RunManager(() => cli, { log: (line) => log.push(line), graceMs: 2000, pollMs: 20, ...extra });
  return { runs, log };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('cliInvocation', () => {
  it("uses the editor's executable in Node mode unless a Node path is configured", () => {
    const env = { PATH: '/bin' };
    assert.deepEqual(
      cliInvocation({ nodePath: '  ', hostExecutable: '/opt/code/code', cliScript: '/ext/dist/cli.js', env }),
      {
        command: '/opt/code/code',
        baseArgs: ['/ext/dist/cli.js'],
        env: { PATH: '/bin', ELECTRON_RUN_AS_NODE: '1' },
      },
    );
    assert.deepEqual(
      cliInvocation({
        nodePath: '/usr/bin/node',
        hostExecutable: '/opt/code/code',
        cliScript: '/ext/dist/cli.js',
        env,
      }),
      {
        command: '/usr/bin/node',
        baseArgs: ['/ext/dist/cli.js'],
        env: { PATH: '/bin' },
      },
    );
    assert.equal(env.PATH, '/bin');
    assert.equal('ELECTRON_RUN_AS_NODE' in env, false, 'the caller’s environment is not modified');
  });
});

describe('RunManager', () => {
  it('runs an experiment to completion, following its events and logging its output', async () => {
    const { runs, log } = manager();
    const epochsSeen = new Set<number>();
    runs.onDidChange(() => {
      if (runs.live?.epoch !== undefined) epochsSeen.add(runs.live.epoch);
    });
    const outcome = await runs.submit({ kind: 'run', experimentFile }).done;
    assert.equal(outcome.status, 'completed');
    assert.equal(outcome.live.backbone, 'resnet18');
    assert.equal(outcome.live.lastValMacroF1, 0.35 + 2 / 10);
    assert.deepEqual([...epochsSeen].sort(), [1, 2]);
    assert.ok(log.some((l) => l.startsWith('▶ fake: run 20260102-030405 (resnet18) on wasm')));
    assert.ok(log.includes('a plain log line on stdout'));
    assert.ok(
      log.some((l) => l.includes(`run ${experimentFile} --events-stdout`)),
      'the command line is logged',
    );
    assert.equal(runs.live, undefined, 'nothing is live afterwards');
  });

  it('stops a run on request: the trainer saves and ends it as cancelled', async () => {
    const { runs, log } = manager({ FAKE_RADLAB_STEP_MS: '200' });
    const job = runs.submit({ kind: 'run', experimentFile });
    await until(() => runs.live?.backbone === 'resnet18', 'run-start');
    assert.equal(await runs.stop(), true);
    const outcome = await job.done;
    assert.equal(outcome.status, 'cancelled');
    assert.ok(log.includes('saving checkpoint'));
    assert.equal(await runs.stop(), false, 'nothing left to stop');
  });

  it('explains a trainer that crashes without ending its run, with the exit code and stderr', async () => {
    const { runs } = manager({ FAKE_RADLAB_FAIL: '1' });
    const outcome = await runs.submit({ kind: 'run', experimentFile }).done;
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.reason ?? '', /exited with code 7.*out of memory in conv2d/s);
  });

  it('runs queued requests one after the other, in order', async () => {
    const { runs, log } = manager();
    const first = runs.submit({ kind: 'run', experimentFile });
    const second = runs.submit({ kind: 'resume', runDir: path.join(scratch, 'fake', '20260102-030405-resnet18') });
    assert.deepEqual(
      runs.queued.map((q) => q.label),
      ['resume 20260102-030405-resnet18'],
    );
    await Promise.all([first.done, second.done]);
    const commands = log.filter((l) => l.startsWith('$ '));
    assert.equal(commands.length, 2);
    assert.match(commands[0]!, /run .*fake\.experiment\.yaml --events-stdout$/);
    assert.match(commands[1]!, /run --resume .*20260102-030405-resnet18 --events-stdout$/);
    const firstEnd = log.findIndex((l) => l.startsWith('fake.experiment.yaml: completed'));
    const secondStart = log.indexOf(commands[1]!);
    assert.ok(firstEnd >= 0 && firstEnd < secondStart, 'the second run starts after the first ended');
  });

  it('fails clearly when the configured Node.js does not exist', async () => {
    const log: string[] = [];
    const cli = cliInvocation({
      nodePath: path.join(scratch, 'no-node'),
      hostExecutable: '',
      cliScript: fakeCli,
      env: process.env,
    });
    const outcome = await new RunManager(() => cli, { log: (l) => log.push(l) }).submit({ kind: 'run', experimentFile })
      .done;
    assert.equal(outcome.status, 'failed');
    assert.match(outcome.reason ?? '', /could not start .*radlab\.nodePath/);
  });

  it('follows a run started elsewhere by tailing events.jsonl until its process is gone', async () => {
    const runDir = path.join(scratch, 'attached', '20260102-030405-resnet18');
    mkdirSync(runDir, { recursive: true });
    const events = path.join(runDir, 'events.jsonl');
    const T = '"schema":"radlab.events/1","time":"2026-01-02T03:04:05.000Z"';
    writeFileSync(
      events,
      `{${T},"type":"run-start","runId":"20260102-030405","experiment":"attached","backbone":"resnet18","engine":"wasm","device":"cpu","counts":{"train":8,"val":2,"test":2}}\n`,
    );
    let alive = true;
    const { runs } = manager({}, { isRunning: () => alive });
    const trainer = { pid: 424242, host: hostname(), startTime: 'boot b tick 1' };
    const job = runs.submit({ kind: 'attach', runDir, trainer, experiment: 'attached' });
    await until(() => runs.live?.backbone === 'resnet18', 'the existing lines');
    assert.equal(runs.isFollowing(runDir), true);
    appendFileSync(events, `{${T},"type":"epoch-start","epoch":1,"epochs":4}\n{${T},"type":"run-end","status":"compl`);
    await until(() => runs.live?.epochs === 4, 'appended lines');
    appendFileSync(events, 'eted"}');
    alive = false;
    const outcome = await job.done;
    assert.equal(
      outcome.status,
      'completed',
      'the last line, written without newline, is read once the process is gone',
    );
  });
});

describe('stopping a followed run', () => {
  // A real process stands for whatever now holds the pid; the default check (pid, host, start time) is used.
  async function follow(trainerOf: (pid: number, startTime: string) => TrainerProcess) {
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore', detached: true });
    after(() => sleeper.kill('SIGKILL'));
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      sleeper.once('exit', (_code, signal) => resolve(signal)),
    );
    const runDir = mkdtempSync(path.join(scratch, 'follow-'));
    writeFileSync(path.join(runDir, 'events.jsonl'), '');
    const log: string[] = [];
    const runs = new RunManager(
      () =>
        cliInvocation({ nodePath: process.execPath, hostExecutable: '/unused', cliScript: fakeCli, env: process.env }),
      {
        log: (line) => log.push(line),
        graceMs: 500,
        pollMs: 20,
      },
    );
    const trainer = trainerOf(sleeper.pid!, processStartTime(sleeper.pid!)!);
    const job = runs.submit({ kind: 'attach', runDir, trainer, experiment: 'followed' });
    await until(() => runs.activePid === trainer.pid, 'following');
    return { sleeper, exited, runs, job };
  }

  it('signals the trainer when pid, host and start time match', async () => {
    const { exited, runs, job } = await follow((pid, startTime) => ({ pid, host: hostname(), startTime }));
    assert.equal(await runs.stop(), true);
    assert.equal(await exited, 'SIGTERM');
    assert.equal((await job.done).status, 'cancelled');
  });

  it('never signals a process that has the pid but started at another time, or is on another host', async () => {
    for (const mismatch of [
      (pid: number, startTime: string) => ({ pid, host: hostname(), startTime: `${startTime}0` }),
      (pid: number, startTime: string) => ({ pid, host: `not-${hostname()}`, startTime }),
    ]) {
      const { sleeper, exited, runs, job } = await follow(mismatch);
      await runs.stop();
      await job.done;
      const signalled = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 300))]);
      assert.equal(signalled, 'still running', 'the unrelated process is left alone');
      sleeper.kill('SIGKILL');
    }
  });
});

describe('outcomeOf', () => {
  const request = { kind: 'run', experimentFile: '/x/a.experiment.yaml' } as const;
  it('reports a sweep with a failed backbone as failed, naming it', () => {
    const live = {
      ...initialLiveRun('a'),
      status: 'completed' as const,
      finished: [
        { runId: '1', backbone: 'vit_b_16', status: 'failed' as const, error: 'NaN loss' },
        { runId: '2', backbone: 'resnet18', status: 'completed' as const },
      ],
    };
    const outcome = outcomeOf(request, live, { code: 0, signal: null }, [], false);
    assert.equal(outcome.status, 'failed');
    assert.equal(outcome.reason, 'vit_b_16: NaN loss');
  });

  it('reports a run killed after a stop request without a run-end as cancelled', () => {
    assert.equal(
      outcomeOf(request, initialLiveRun('a'), { code: null, signal: 'SIGKILL' }, [], true).status,
      'cancelled',
    );
    assert.match(
      outcomeOf(request, initialLiveRun('a'), { code: null, signal: 'SIGKILL' }, [], false).reason ?? '',
      /killed by SIGKILL/,
    );
  });
});

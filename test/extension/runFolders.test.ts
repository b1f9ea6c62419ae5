// Reading runs back from disk, on real run folders (test/fixtures/ui/runs/, made by make_runs.ts with `radlab run`):
// which folders are runs, their state (including a 'running' run whose process is gone), their headline test
// macro-F1 against the F1 worked out again from predictions.csv, and a run.json that cannot be read.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  experimentRunsFolder,
  findRunFolders,
  readRunFolder,
  scanRuns,
  splitRunFolderName,
} from '../../extension/runs/runFolders';
import {
  processPresence,
  processStartTime,
  type ProcessPresence,
  type TrainerProcess,
} from '../../core/run/trainerProcess';
import {
  assertClose,
  BROKEN_DEMO,
  CANAL_DEMO,
  EXPERIMENT_FILE,
  fixtureRuns,
  readJsonFile,
  readPredictionRows,
  RUNS_ROOT,
  scoresOf,
} from '../fixtures/ui/fixtureRuns';

const nobodyIsAlive = (): ProcessPresence => 'gone';
const name = (dir: string) => path.basename(dir);

describe('run folder names', () => {
  it('splits <run id>-<member>, keeping underscores and digits in the backbone and the condition and fold after it', () => {
    assert.deepEqual(splitRunFolderName('20260106-100000-vit_b_16'), {
      runId: '20260106-100000',
      member: 'vit_b_16',
    });
    assert.deepEqual(splitRunFolderName('20260105-101500-efficientnet_v2_s'), {
      runId: '20260105-101500',
      member: 'efficientnet_v2_s',
    });
    assert.deepEqual(splitRunFolderName('20260105-101500-resnet18-left_subarticular_stenosis-fold2'), {
      runId: '20260105-101500',
      member: 'resnet18-left_subarticular_stenosis-fold2',
    });
    assert.equal(splitRunFolderName('notes'), undefined);
    assert.equal(splitRunFolderName('20260105-101500'), undefined);
  });
});

describe('findRunFolders', () => {
  it('finds every folder holding a run.json, not looking inside runs or past the depth limit', () => {
    const found = findRunFolders(RUNS_ROOT, 2).map((d) => path.relative(RUNS_ROOT, d));
    const expected = ['broken-demo', 'canal-demo'].flatMap((experiment) =>
      readdirSync(path.join(RUNS_ROOT, experiment), { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .map((entry) => `${experiment}/${entry.name}`),
    );
    assert.equal(expected.length, 5);
    assert.deepEqual(found, expected.sort());
    assert.deepEqual(findRunFolders(RUNS_ROOT, 1), []);
  });
});

describe('readRunFolder', () => {
  it('reads a completed run: identity from its folder, the engine the experiment asked for, test macro-F1 from predictions.csv', () => {
    const run = readRunFolder(fixtureRuns.completed, nobodyIsAlive);
    const fromName = splitRunFolderName(name(fixtureRuns.completed))!;
    assert.deepEqual(
      {
        state: run.state,
        experiment: run.experiment,
        backbone: run.backbone,
        runId: run.runId,
        engine: run.engine,
        problem: run.problem,
      },
      {
        state: 'completed',
        experiment: 'canal-demo',
        backbone: 'resnet18',
        runId: fromName.runId,
        engine: 'wasm',
        problem: undefined,
      },
    );
    assert.equal(run.device, readJsonFile(path.join(fixtureRuns.completed, 'run.json')).device.cpuModel);
    assertClose(run.testMacroF1, scoresOf(readPredictionRows(fixtureRuns.completed)).macroF1, 'test macro-F1');
  });

  it('reads cancelled and failed runs, the failure with its reason and no headline metric', () => {
    const cancelled = readRunFolder(fixtureRuns.cancelled, nobodyIsAlive);
    assert.equal(cancelled.state, 'cancelled');
    assert.match(cancelled.error ?? '', /SIGTERM; the checkpoint after epoch 1 is kept/);
    const failed = readRunFolder(fixtureRuns.failed, nobodyIsAlive);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.backbone, 'resnet50');
    assert.match(failed.error ?? '', /resnet50\.safetensors: .*is it a \.safetensors file\?/);
    assert.equal(failed.testMacroF1, undefined);
  });

  it("calls a 'running' run interrupted when run.json names no process that can be checked", () => {
    const asked: TrainerProcess[] = [];
    const run = readRunFolder(fixtureRuns.running, (trainer) => (asked.push(trainer), 'alive'));
    assert.equal(run.state, 'interrupted');
    assert.equal(run.trainer, undefined);
    assert.deepEqual(asked, [], 'a pid without host and start time is never taken for the trainer');
  });

  describe('a running run whose trainer is a real process', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'radlab-trainer-'));
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    after(() => {
      sleeper.kill('SIGKILL');
      rmSync(scratch, { recursive: true, force: true });
    });
    const dir = path.join(scratch, 'exp', '20260101-000000-resnet18');
    mkdirSync(dir, { recursive: true });
    const writeRunJson = (trainer: { pid: number; host: string; processStartTime: string }) =>
      writeFileSync(
        path.join(dir, 'run.json'),
        JSON.stringify({
          status: 'running',
          runId: '20260101-000000',
          experiment: 'exp',
          backbone: 'resnet18',
          startedAt: 'x',
          timings: {},
          ...trainer,
        }),
      );
    // The truth, read independently of the code under test: /proc/<pid>/stat field 22 and this boot's id.
    const startTicks = () => readFileSync(`/proc/${sleeper.pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[22 - 3]!;
    const bootId = () => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    const linuxOnly = { skip: process.platform !== 'linux' && 'reads /proc for the expected start time' };

    it('reads the process start time as this boot and field 22 of /proc/<pid>/stat', linuxOnly, () => {
      assert.equal(processStartTime(sleeper.pid!), `boot ${bootId()} tick ${startTicks()}`);
      assert.equal(processStartTime(2147483646), undefined);
    });

    it('is running only when pid, host and start time all match the live process', () => {
      const startTime = processStartTime(sleeper.pid!)!;
      writeRunJson({ pid: sleeper.pid!, host: hostname(), processStartTime: startTime });
      const live = readRunFolder(dir, processPresence);
      assert.equal(live.state, 'running');
      assert.deepEqual(live.trainer, { pid: sleeper.pid, host: hostname(), startTime });
      // The same pid, but a process that started at another time: a reused pid, not the trainer.
      writeRunJson({ pid: sleeper.pid!, host: hostname(), processStartTime: `${startTime}0` });
      const reused = readRunFolder(dir, processPresence);
      assert.equal(reused.state, 'interrupted');
      assert.equal(reused.trainer, undefined);
      // Another machine's trainer (a shared file system): run.json's word stands, but nothing here to follow or stop.
      writeRunJson({ pid: sleeper.pid!, host: `not-${hostname()}`, processStartTime: startTime });
      const elsewhere = readRunFolder(dir, processPresence);
      assert.equal(elsewhere.state, 'running');
      assert.equal(elsewhere.trainer, undefined);
      // An older run.json with a pid alone.
      writeRunJson({ pid: sleeper.pid!, host: undefined!, processStartTime: undefined! });
      assert.equal(readRunFolder(dir, processPresence).state, 'interrupted');
    });
  });

  it('lists a run whose run.json is cut off, saying which file is wrong', () => {
    const [dir] = findRunFolders(BROKEN_DEMO, 1);
    const run = readRunFolder(dir!, nobodyIsAlive);
    assert.equal(run.backbone, 'resnet18');
    assert.equal(run.state, 'interrupted');
    assert.match(run.problem ?? '', /broken-demo.*run\.json is not valid JSON/);
  });

  it('refuses a status it does not know, and a run.json without its identity', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'radlab-runfolder-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    const dir = path.join(scratch, 'exp', '20260101-000000-resnet18');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ status: 'paused' }));
    assert.match(
      readRunFolder(dir, nobodyIsAlive).problem ?? '',
      /status is "paused", expected one of (\w+, )*running, completed, failed, cancelled/,
    );
    writeFileSync(
      path.join(dir, 'run.json'),
      JSON.stringify({ status: 'completed', runId: '20260101-000000', experiment: 'exp', startedAt: 'x', timings: {} }),
    );
    assert.match(readRunFolder(dir, nobodyIsAlive).problem ?? '', /run\.json: backbone must be a string/);
  });
});

describe('scanRuns', () => {
  it('groups runs by experiment folder, newest first, reading each folder once however it was named', () => {
    const groups = scanRuns(
      [CANAL_DEMO, `${CANAL_DEMO}/`, BROKEN_DEMO, path.join(RUNS_ROOT, 'missing')],
      nobodyIsAlive,
    );
    assert.deepEqual(
      groups.map((g) => g.experiment),
      ['broken-demo', 'canal-demo'],
    );
    // The sweep's two members share a run id; the derived running run is a minute after it, the cancelled one before.
    const expected = [
      [fixtureRuns.running, 'interrupted'],
      [fixtureRuns.completed, 'completed'],
      [fixtureRuns.failed, 'failed'],
      [fixtureRuns.cancelled, 'cancelled'],
    ].map(([dir, state]) => `${name(dir!)} ${state}`);
    assert.deepEqual(
      groups[1]!.runs.map((r) => `${r.runId}-${r.backbone} ${r.state}`),
      expected,
    );
  });
});

describe('experimentRunsFolder', () => {
  it('is <output>/<name> relative to the experiment file, with the schema default output runs/', () => {
    assert.equal(experimentRunsFolder(EXPERIMENT_FILE, 'name: canal-demo\noutput: runs/\n'), CANAL_DEMO);
    assert.equal(experimentRunsFolder(EXPERIMENT_FILE, 'name: canal-demo\n'), CANAL_DEMO);
    assert.equal(
      experimentRunsFolder('/ws/exp/a.experiment.yaml', 'name: a\noutput: ../out\n'),
      path.resolve('/ws/out/a'),
    );
  });

  it('still finds the folder of an experiment that has other errors, but not of one without a name', () => {
    assert.equal(
      experimentRunsFolder('/ws/a.experiment.yaml', 'name: a\nmodel: {backbones: [nope]}\n'),
      path.resolve('/ws/runs/a'),
    );
    assert.equal(experimentRunsFolder('/ws/a.experiment.yaml', 'data: {}\n'), undefined);
    assert.equal(experimentRunsFolder('/ws/a.experiment.yaml', 'name: [unclosed\n'), undefined);
  });
});

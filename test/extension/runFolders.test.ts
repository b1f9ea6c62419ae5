// Reading runs back from disk, on the hand-made fixture test/fixtures/ui/runs/ (written by make_runs.py, whose
// metrics come from a separate Python implementation): which folders are runs, their state (including a
// 'running' run whose process is gone), their headline test macro-F1, and a run.json that cannot be read.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { experimentRunsFolder, findRunFolders, readRunFolder, scanRuns, splitRunFolderName } from '../../extension/runs/runFolders';

const fixture = path.join(__dirname, '../fixtures/ui');
const runsRoot = path.join(fixture, 'runs');
const canalDemo = path.join(runsRoot, 'canal-demo');
const nobodyIsAlive = () => false;

describe('run folder names', () => {
  it('splits <run id>-<backbone>, keeping underscores and digits in the backbone', () => {
    assert.deepEqual(splitRunFolderName('20260106-100000-vit_b_16'), { runId: '20260106-100000', backbone: 'vit_b_16' });
    assert.deepEqual(splitRunFolderName('20260105-101500-efficientnet_v2_s'), { runId: '20260105-101500', backbone: 'efficientnet_v2_s' });
    assert.equal(splitRunFolderName('notes'), undefined);
    assert.equal(splitRunFolderName('20260105-101500'), undefined);
  });
});

describe('findRunFolders', () => {
  it('finds every folder holding a run.json, not looking inside runs or past the depth limit', () => {
    const found = findRunFolders(runsRoot, 2).map((d) => path.relative(runsRoot, d));
    assert.deepEqual(found, [
      'broken-demo/20260107-080000-resnet18',
      'canal-demo/20260105-101500-resnet18',
      'canal-demo/20260106-090000-convnext_tiny',
      'canal-demo/20260106-100000-vit_b_16',
      'canal-demo/20260106-110000-resnet18',
    ]);
    assert.deepEqual(findRunFolders(runsRoot, 1), []);
  });
});

describe('readRunFolder', () => {
  it('reads a completed run with its test macro-F1 from results/metrics.json', () => {
    const run = readRunFolder(path.join(canalDemo, '20260105-101500-resnet18'), nobodyIsAlive);
    assert.equal(run.state, 'completed');
    assert.equal(run.experiment, 'canal-demo');
    assert.equal(run.backbone, 'resnet18');
    assert.equal(run.runId, '20260105-101500');
    assert.equal(run.engine, 'wasm');
    // 15 test samples; per-grade F1 by hand from the confusion [[7,1,0],[1,2,1],[0,1,2]]: 7/8, 1/2, 2/3.
    assert.ok(Math.abs(run.testMacroF1! - (7 / 8 + 1 / 2 + 2 / 3) / 3) < 1e-12);
    assert.equal(run.problem, undefined);
  });

  it('reads cancelled and failed runs, the failure with its reason and no headline metric', () => {
    assert.equal(readRunFolder(path.join(canalDemo, '20260106-090000-convnext_tiny'), nobodyIsAlive).state, 'cancelled');
    const failed = readRunFolder(path.join(canalDemo, '20260106-100000-vit_b_16'), nobodyIsAlive);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error ?? '', /out of memory/);
    assert.equal(failed.testMacroF1, undefined);
  });

  it("calls a 'running' run interrupted when its process is gone, and running while it lives", () => {
    const dir = path.join(canalDemo, '20260106-110000-resnet18');
    const asked: number[] = [];
    const gone = readRunFolder(dir, (pid) => (asked.push(pid), false));
    assert.equal(gone.state, 'interrupted');
    assert.deepEqual(asked, [2147483646]);
    assert.equal(readRunFolder(dir, () => true).state, 'running');
    assert.equal(readRunFolder(dir, () => true).pid, 2147483646);
  });

  it('lists a run whose run.json is cut off, saying which file is wrong', () => {
    const dir = path.join(runsRoot, 'broken-demo', '20260107-080000-resnet18');
    const run = readRunFolder(dir, nobodyIsAlive);
    assert.equal(run.backbone, 'resnet18');
    assert.match(run.problem ?? '', /broken-demo.*run\.json is not valid JSON/);
  });

  it('refuses a status it does not know', () => {
    const scratch = mkdtempSync(path.join(tmpdir(), 'radlab-runfolder-'));
    after(() => rmSync(scratch, { recursive: true, force: true }));
    const dir = path.join(scratch, 'exp', '20260101-000000-resnet18');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'run.json'), JSON.stringify({ status: 'paused' }));
    assert.match(readRunFolder(dir, nobodyIsAlive).problem ?? '', /status is "paused", expected one of running, completed, failed, cancelled/);
  });
});

describe('scanRuns', () => {
  it('groups runs by experiment folder, newest first, reading each folder once however it was named', () => {
    const groups = scanRuns([canalDemo, `${canalDemo}/`, path.join(runsRoot, 'broken-demo'), path.join(runsRoot, 'missing')], nobodyIsAlive);
    assert.deepEqual(groups.map((g) => g.experiment), ['broken-demo', 'canal-demo']);
    const canal = groups[1]!;
    assert.deepEqual(
      canal.runs.map((r) => `${r.runId} ${r.backbone} ${r.state}`),
      [
        '20260106-110000 resnet18 interrupted',
        '20260106-100000 vit_b_16 failed',
        '20260106-090000 convnext_tiny cancelled',
        '20260105-101500 resnet18 completed',
      ],
    );
  });
});

describe('experimentRunsFolder', () => {
  it('is <output>/<name> relative to the experiment file, with the schema default output runs/', () => {
    const file = path.join(fixture, 'canal-demo.experiment.yaml');
    assert.equal(experimentRunsFolder(file, 'name: canal-demo\noutput: runs/\n'), canalDemo);
    assert.equal(experimentRunsFolder(file, 'name: canal-demo\n'), canalDemo);
    assert.equal(experimentRunsFolder('/ws/exp/a.experiment.yaml', 'name: a\noutput: ../out\n'), path.resolve('/ws/out/a'));
  });

  it('still finds the folder of an experiment that has other errors, but not of one without a name', () => {
    assert.equal(experimentRunsFolder('/ws/a.experiment.yaml', 'name: a\nmodel: {backbones: [nope]}\n'), path.resolve('/ws/runs/a'));
    assert.equal(experimentRunsFolder('/ws/a.experiment.yaml', 'data: {}\n'), undefined);
    assert.equal(experimentRunsFolder('/ws/a.experiment.yaml', 'name: [unclosed\n'), undefined);
  });
});

// The trainer SIGKILLed before its first checkpoint, inside its first checkpoint write and inside
// a later one; each run folder stays readable, shows as interrupted, and `radlab run --resume` completes it with the
// same results as every other trial (training is seeded, so resuming must not change what is learned). Then an
// output folder that cannot be created and a disk too small, both refused before any training with a clear line.
// Runs the bundled CLI as the editor does (npm test builds dist/ first). bench/robustness/killTrials.ts runs many
// more seeded trials.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import type { ResolvedRun } from '../../core/experiment/resolvedRun';
import { checkOutputSpace, peakRunFolderBytes } from '../../core/run/outputSpace';
import { CLI, EPOCHS, prepareWorkspace, runTrials, writeExperiment, type TrialReport } from './trainerKills';

const workspace = mkdtempSync(join(tmpdir(), 'radlab-kill-trials-'));
after(() => rmSync(workspace, { recursive: true, force: true }));

function sizeOf(path: string): number {
  const stats = statSync(path);
  return stats.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + sizeOf(join(path, name)), 0) : stats.size;
}

describe('SIGKILL of the trainer, then resume', { timeout: 120_000 }, () => {
  let reports: TrialReport[];
  before(async () => {
    await prepareWorkspace(workspace);
    reports = await runTrials(workspace, [
      // Events: run-start, epoch-start, then the first batch: no checkpoint exists yet.
      { name: 'before-checkpoint', point: { kind: 'event', index: 3 } },
      { name: 'second-last-write', point: { kind: 'checkpoint', checkpoint: 'last', nth: 2, delayMs: 40 } },
      { name: 'first-best-write', point: { kind: 'checkpoint', checkpoint: 'best', nth: 1, delayMs: 0 } },
    ]);
  });

  it('kills every trial, leaves a readable folder shown as interrupted, and resumes it to completed', () => {
    for (const report of reports) {
      assert.ok(report.killed && report.runDir, `${report.name}: killed after the run folder existed`);
      assert.deepEqual(report.failures, [], `${report.name} (${report.kill})`);
      assert.equal(report.stateAfterKill, 'interrupted', report.name);
      assert.equal(report.finalStatus, 'completed', report.name);
      assert.equal(report.historyEpochs, EPOCHS, report.name);
    }
  });

  it('starts again from scratch when no checkpoint was complete, and from epoch 1 when the second was torn', () => {
    const byName = new Map(reports.map((r) => [r.name, r]));
    assert.equal(byName.get('before-checkpoint')!.resumedAfterEpoch, 0);
    assert.ok(
      !byName.get('before-checkpoint')!.checkpointsAtKill!.some((name) => name.startsWith('last')),
      'no checkpoint before the kill',
    );
    const firstWrite = byName.get('first-best-write')!;
    assert.ok(
      firstWrite.checkpointsAtKill!.includes('best.saving'),
      `killed mid-write: ${firstWrite.checkpointsAtKill}`,
    );
    assert.equal(firstWrite.resumedAfterEpoch, 0);
    const secondWrite = byName.get('second-last-write')!;
    assert.ok(
      secondWrite.checkpointsAtKill!.includes('last.saving'),
      `killed mid-write: ${secondWrite.checkpointsAtKill}`,
    );
    assert.equal(secondWrite.resumedAfterEpoch, 1);
  });

  it('learns exactly the same thing whichever point it was killed and resumed at', () => {
    const outcomes = new Set(reports.map((r) => r.outcome));
    assert.equal(outcomes.size, 1, 'every resumed run has the same history and test confusion matrix');
  });

  it('estimates a peak disk use that covers a finished run plus one checkpoint being staged', () => {
    const runDir = reports[0]!.runDir!;
    const run = parse(readFileSync(join(runDir, 'experiment.resolved.yaml'), 'utf8')) as ResolvedRun;
    const models = join(runDir, 'trained_models');
    const measuredPeak = sizeOf(models) + sizeOf(join(models, 'last'));
    const estimate = peakRunFolderBytes(run);
    assert.ok(estimate >= measuredPeak, `estimate ${estimate} covers the measured ${measuredPeak}`);
    assert.ok(estimate < measuredPeak * 1.5, `estimate ${estimate} is not wildly above the measured ${measuredPeak}`);
    // The decision with a disk that has just less, and just more, than what is still needed.
    const fresh = join(workspace, 'runs', 'elsewhere', 'x');
    assert.throws(
      () => checkOutputSpace(run, fresh, () => estimate - 1),
      /not enough free disk space .* needs about .* only .* is free/,
    );
    assert.doesNotThrow(() => checkOutputSpace(run, fresh, () => estimate));
    // A finished folder already holds almost all of its peak, so resuming it needs only the rest.
    assert.doesNotThrow(() => checkOutputSpace(run, runDir, () => estimate - sizeOf(runDir)));
  });
});

describe('an output the run cannot write to', () => {
  function experimentWithOutput(name: string, output: string): string {
    const file = writeExperiment(workspace, name);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^output: .*$/m, `output: ${output}`));
    return file;
  }

  function radlabRun(file: string) {
    return spawnSync(process.execPath, [CLI, 'run', file], { cwd: workspace, encoding: 'utf8' });
  }

  it('refuses an output under a regular file with one clear line and no stack trace', () => {
    writeFileSync(join(workspace, 'some-file.txt'), 'not a folder');
    const result = radlabRun(experimentWithOutput('under-file', 'some-file.txt/runs'));
    assert.equal(result.status, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.match(
      result.stderr,
      /^radlab run: cannot create the run folder .*some-file\.txt\/runs\/under-file\/\S+-resnet18: .*some-file\.txt is a file, not a folder\. Set output: in .*under-file\.experiment\.yaml/,
    );
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('refuses a disk too small for the checkpoints before training (a real 64 MiB tmpfs, when mounting is allowed)', (t) => {
    const mountPoint = join(workspace, 'small-disk');
    mkdirSync(mountPoint);
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64m', 'tmpfs', mountPoint], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      t.skip(`cannot mount a tmpfs here (${(mounted.stderr || mounted.error?.message || '').trim()})`);
      return;
    }
    try {
      const result = radlabRun(experimentWithOutput('small-disk', 'small-disk/runs'));
      assert.equal(result.status, 1);
      assert.match(
        result.stderr,
        /^radlab run: not enough free disk space for the run folder .*small-disk.*: a resnet18 run needs about [\d.]+ MiB for its checkpoints, but only 6\d\.\d MiB is free/,
      );
      assert.doesNotMatch(result.stderr, /\n\s+at /);
      assert.ok(!existsSync(join(mountPoint, 'runs')), 'nothing was created on the full disk');
    } finally {
      spawnSync('umount', [mountPoint]);
    }
  });
});

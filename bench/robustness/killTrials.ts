// 20 seeded SIGKILLs of the real trainer (at a time offset, after the k-th event, or inside a
// checkpoint write), each followed by `radlab run --resume`. Prints one line per trial and the tally; the seed alone
// reproduces a failure. Baseline in the same run: one uninterrupted run's wall time, against which each
// kill-plus-resume is compared (the work a kill costs). Needs `npm run build` first.
// Run: node --import tsx bench/robustness/killTrials.ts [trials=20] [seed=2024]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SeededRandom } from '../../test/robustness/seededRandom';
import { killTrial, prepareWorkspace, randomKillPoint, runTrials } from '../../test/robustness/trainerKills';

async function main(): Promise<void> {
  const trials = Number(process.argv[2] ?? 20);
  const seed = Number(process.argv[3] ?? 2024);
  const workspace = mkdtempSync(join(tmpdir(), 'radlab-kill-bench-'));
  try {
    await prepareWorkspace(workspace);
    // The baseline: a run that is never killed (its kill point lies past its end); it also builds the input cache.
    const baselineStarted = performance.now();
    const baseline = await killTrial(workspace, 'baseline', { kind: 'time', ms: 3_600_000 });
    const baselineSeconds = (performance.now() - baselineStarted) / 1000;
    if (baseline.failures.length > 0) throw new Error(`the uninterrupted run failed: ${baseline.failures.join('; ')}`);
    console.log(`baseline: one uninterrupted run, ${baselineSeconds.toFixed(1)} s`);

    const random = new SeededRandom(seed);
    const plan = Array.from({ length: trials }, (_, i) => ({ name: `trial-${i}`, point: randomKillPoint(random) }));
    const started = performance.now();
    const reports = await runTrials(workspace, plan);
    const wall = (performance.now() - started) / 1000;
    for (const r of reports) {
      const where = r.checkpointsAtKill ? `[${r.checkpointsAtKill.join(' ')}]` : '';
      const after = r.killed ? `${r.stateAfterKill ?? 'no run folder yet'} ${where}` : 'finished before the kill point';
      const resumed =
        r.resumeExit === undefined
          ? ''
          : `; resumed after epoch ${r.resumedAfterEpoch} in ${((r.resumeMs ?? 0) / 1000).toFixed(1)} s → ${r.finalStatus}`;
      console.log(
        `${r.name} (${r.kill}): ${r.eventsBeforeKill} events, ${after}${r.tornTail ? ', torn last line' : ''}${resumed}${r.failures.length ? `\n  FAILED: ${r.failures.join('\n  FAILED: ')}` : ''}`,
      );
    }
    const killed = reports.filter((r) => r.killed);
    const resumedReports = reports.filter((r) => r.resumeExit !== undefined);
    const outcomes = new Set(
      [baseline.outcome, ...resumedReports.map((r) => r.outcome)].filter((o) => o !== undefined),
    );
    const failed = reports.filter((r) => r.failures.length > 0);
    const meanResume =
      resumedReports.reduce((sum, r) => sum + (r.resumeMs ?? 0), 0) / Math.max(1, resumedReports.length) / 1000;
    console.log(
      `\n${trials} trials (seed ${seed}), ${wall.toFixed(0)} s wall, 2 at a time: ${killed.length} killed ` +
        `(${killed.filter((r) => r.checkpointsAtKill?.some((n) => n.endsWith('.saving'))).length} inside a checkpoint write, ` +
        `${killed.filter((r) => r.runDir === undefined).length} before the run folder existed), ${resumedReports.length} resumed, ` +
        `${failed.length} failed; torn last lines: ${reports.filter((r) => r.tornTail).length}`,
    );
    console.log(
      `mean resume ${meanResume.toFixed(1)} s vs uninterrupted run ${baselineSeconds.toFixed(1)} s (ratio ${(meanResume / baselineSeconds).toFixed(2)})`,
    );
    console.log(
      `distinct learned outcomes across baseline and resumed runs: ${outcomes.size} (1 means resuming never changed the result)`,
    );
    console.log(`peak RSS of this harness: ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`);
    process.exitCode = failed.length > 0 || outcomes.size > 1 ? 1 : 0;
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
}

void main();

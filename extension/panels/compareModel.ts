// Several run folders read into the compare panel's table and curves. Each row is the record the trainer's sweep
// summary holds for a run (core/run/sweepSummary.ts's SweepMember), rebuilt from the run's own files, so runs of
// different sweeps, or a single run, compare on the same columns; the parameter count comes from the model
// registry, the one place backbone facts live.
import { basename } from 'node:path';
import { backboneFacts } from '../../core/models/registry';
import type { CompareModel, CompareRow } from '../../webview/contract';
import { readRunFolder } from './runFolderModel';

export function readCompareModel(runDirs: readonly string[]): CompareModel {
  const model: CompareModel = { rows: [], curves: [], problems: [] };
  for (const runDir of runDirs) {
    const { model: run } = readRunFolder(runDir);
    const { summary, metrics } = run;
    const label = basename(runDir);
    const row: CompareRow = { label, backbone: summary.backbone, runId: summary.runId, runDir, status: summary.state };
    const params = backboneFacts(summary.backbone)?.params;
    if (params !== undefined) row.params = params;
    if (summary.durationSeconds !== null) row.durationSeconds = summary.durationSeconds;
    if (summary.error !== null) row.error = summary.error;
    if (run.bestEpoch !== null) row.bestEpoch = run.bestEpoch;
    if (metrics !== null) {
      Object.assign(row, {
        testAccuracy: metrics.test.accuracy,
        testMacroF1: metrics.test.macro.f1,
        testWeightedF1: metrics.test.weighted.f1,
        testWeightedLogLoss: metrics.test.rsna.score,
      });
    }
    // The validation score of the epoch the run kept (the one tested), as the sweep summary reports it.
    const kept = run.history.find((point) => point.epoch === run.bestEpoch);
    if (kept !== undefined) row.bestValMacroF1 = kept.val.macroF1;
    model.rows.push(row);
    model.curves.push({ runDir, label, history: run.history });
    model.problems.push(...run.problems);
  }
  return model;
}

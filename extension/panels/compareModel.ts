// Several run folders read into the compare panel's table and curves. Each row comes from the run's own files
// (readRunFolder) and the backbone's parameter count from the model registry, the one place backbone facts live.
import { basename } from 'node:path';
import { backboneFacts } from '../../core/models/registry';
import type { CompareModel, CompareRow } from '../../webview/contract';
import { readRunFolder } from './runFolderModel';

export function readCompareModel(runDirs: readonly string[]): CompareModel {
  const model: CompareModel = { rows: [], curves: [], problems: [] };
  for (const runDir of runDirs) {
    const { model: run } = readRunFolder(runDir);
    const label = basename(runDir);
    const valF1 = run.history.map((point) => point.val.macroF1);
    const row: CompareRow = {
      runDir,
      label,
      backbone: run.summary.backbone,
      parameters: backboneFacts(run.summary.backbone)?.params ?? null,
      // The best validation score of the run; from metrics.json when the history is not in the events.
      bestValF1: valF1.length > 0 ? Math.max(...valF1) : (run.val?.macroF1 ?? null),
      testAccuracy: run.test?.accuracy ?? null,
      testMacroF1: run.test?.macroF1 ?? null,
      weightedLogLoss: run.test?.weightedLogLoss ?? null,
      durationSeconds: run.summary.durationSeconds,
      state: run.summary.state,
    };
    model.rows.push(row);
    model.curves.push({ runDir, label, history: run.history });
    model.problems.push(...run.problems);
  }
  return model;
}

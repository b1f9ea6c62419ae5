// Run folders read into the Experiments table's rows (core/table/tableRun.ts), without VS Code, so the table's
// reading is unit-tested and benchmarked on its own. A finished run is read from run.json, experiment.resolved.yaml,
// results/metrics.json and annotations.json, its parameter count from the model registry (the one place backbone
// facts live); a run without metrics.json (training, stopped, failed) gets its curves from the events log through
// the run panel's reader, whose model then keeps folding the events a live run appends.
import { basename } from 'node:path';
import { backboneFacts } from '../../core/models/registry';
import { readAnnotations } from '../../core/table/annotationsFile';
import { flattenParameters } from '../../core/table/flattenParameters';
import { bestEpochMetrics, historyOf, testMetrics, type EpochRecord } from '../../core/table/runMetrics';
import type { TableRun } from '../../core/table/tableRun';
import type { RunPanelModel } from '../../webview/contract';
import type { RunRecord } from '../runs/runFolders';
import { readMetricsJson } from '../runs/runFiles';
import { readResolvedExperiment, readRunFolder, secondsBetween } from './runFolderModel';

/**
 * The row of a run the Runs view found, and, for a run without results yet, the run panel's model of its events
 * log: `followLive` keeps folding appended events into it.
 */
export function readTableRun(record: RunRecord): { run: TableRun; events: RunPanelModel | null } {
  const problems: string[] = record.problem !== undefined ? [record.problem] : [];
  const resolved = readResolvedExperiment(record.dir, problems);
  const params = resolved === undefined ? {} : flattenParameters(resolved);
  const { annotations, problem } = readAnnotations(record.dir);
  if (problem !== null) problems.push(problem);
  const fold = params['data.split.fold'];
  const run: TableRun = {
    runDir: record.dir,
    label: basename(record.dir),
    experiment: record.experiment,
    experimentDir: record.experimentDir,
    runId: record.runId,
    backbone: record.backbone,
    condition: typeof params['data.condition'] === 'string' ? params['data.condition'] : null,
    fold: typeof fold === 'number' ? fold : null,
    status: record.state,
    engine: record.engine ?? null,
    device: record.device ?? null,
    startedAt: record.startedAt ?? null,
    durationSeconds: secondsBetween(record.startedAt ?? null, record.endedAt ?? null),
    paramCount: backboneFacts(record.backbone)?.params ?? null,
    error: record.error ?? null,
    params,
    metrics: {},
    history: { epochs: [], series: {} },
    starred: annotations.starred,
    note: annotations.note,
    problems,
  };
  const metrics = readMetricsJson(record.dir);
  if ('value' in metrics) {
    run.history = historyOf(metrics.value.history);
    run.metrics = { ...bestEpochMetrics(run.history, metrics.value.bestEpoch), ...testMetrics(metrics.value) };
    return { run, events: null };
  }
  if ('problem' in metrics) problems.push(metrics.problem);
  const { model } = readRunFolder(record.dir);
  problems.push(...model.problems.filter((p) => !problems.includes(p)));
  return { run: followLive(run, model), events: model };
}

/** The row with the curves and best validation scores of the events folded into `model` so far. */
export function followLive(run: TableRun, model: RunPanelModel): TableRun {
  const history = historyOf(model.history.map((point): EpochRecord => point));
  return {
    ...run,
    history,
    metrics: bestEpochMetrics(history, model.bestEpoch),
    durationSeconds: model.summary.durationSeconds ?? run.durationSeconds,
  };
}

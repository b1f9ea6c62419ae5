// A run folder read into what the run panel shows. A run is a folder (DESIGN.md), so the panel is rebuilt from
// disk alone: run.json for the run's identity and state, events.jsonl for the curves (live while training),
// results/metrics.json for the test metrics, results/predictions.csv for the gallery, and
// experiment.resolved.yaml for the dataset the predictions refer to. run.json and metrics.json are read as the
// types the trainer writes (core/run). Missing files are normal while a run is young; unreadable ones become
// `problems` naming the file, so the panel can say what it could not show.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { withDefaults } from '../../core/experiment/resolve';
import { nodeForPath } from '../../core/experiment/schemaLookup';
import { isRecord } from '../../core/json/isRecord';
import type { EpochHistory } from '../../core/train/trainingCheckpoint';
import { EVENTS_FILE, parseEvents, type RadLabEvent } from '../../core/train/events';
import {
  confidenceOf,
  GRADE_NAMES,
  lossOf,
  type EpochPoint,
  type GalleryQuery,
  type GallerySort,
  type GradeName,
  type PredictionRow,
  type RunPanelModel,
  type RunSummary,
} from '../../webview/contract';
import {
  deviceName,
  engineName,
  METRICS_JSON,
  readMetricsJson,
  readRunJson,
  RUN_JSON,
  splitCounts,
} from '../runs/runFiles';

export const RUN_FILES = {
  runJson: RUN_JSON,
  events: EVENTS_FILE,
  metrics: METRICS_JSON,
  predictions: join('results', 'predictions.csv'),
  resolvedExperiment: 'experiment.resolved.yaml',
} as const;

export type { PredictionRow };

/** What the gallery needs from experiment.resolved.yaml to find a prediction's image. */
export interface RunDataSettings {
  /** Absolute: a relative data.root (a run folder moved between machines) is taken from the run folder. */
  root: string;
  condition: string;
  levels: string[] | undefined;
  series: string | undefined;
  window: 'auto' | 'tags' | { center: number; width: number };
  /** How the model's input was cut from the slice (data.input), so the gallery can show what the model saw. */
  input: { mode: 'crop' | 'slice'; crop_mm: number; size: number };
  /** Set when the dataset is RadLab's synthetic one, which can be generated again from these. */
  synthetic: { studies: number; seed: number } | null;
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** metrics.json's history as curve points (used when the events log has no epochs, e.g. it was deleted). */
function historyPoints(history: readonly EpochHistory[], bestEpoch: number): EpochPoint[] {
  return history.map((h) => ({
    epoch: h.epoch,
    train: h.train,
    val: { loss: h.val.loss, accuracy: h.val.accuracy, macroF1: h.val.macroF1 },
    lr: h.lr,
    best: h.epoch === bestEpoch,
  }));
}

function emptySummary(runDir: string): RunSummary {
  return {
    runDir,
    runId: '',
    experiment: '',
    backbone: '',
    engine: '',
    device: '',
    state: 'unknown',
    error: null,
    startedAt: null,
    endedAt: null,
    durationSeconds: null,
    counts: null,
    condition: null,
    datasetRoot: null,
  };
}

/** Seconds from one ISO time to another; null when either is missing or unreadable, or the end comes first. */
export function secondsBetween(start: string | null, end: string | null): number | null {
  if (start === null || end === null) return null;
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/**
 * Puts an epoch's record in epoch order. A resumed run repeats the epoch it was cut in: the later record replaces
 * the earlier one. Epochs arrive in order, so the search from the end stops at once and a log stays linear to fold
 * (rebuilding and sorting the whole history per epoch would make a 2,000-epoch log quadratic to read).
 */
function placeEpoch(history: EpochPoint[], point: EpochPoint): void {
  let at = history.length;
  while (at > 0 && history[at - 1]!.epoch > point.epoch) at--;
  if (at > 0 && history[at - 1]!.epoch === point.epoch) history[at - 1] = point;
  else history.splice(at, 0, point);
}

/** Folds trainer events into the model, in order: used for the log on disk and for each live batch alike. */
export function applyEvents(model: RunPanelModel, events: readonly RadLabEvent[]): void {
  const summary = model.summary;
  for (const event of events) {
    switch (event.type) {
      case 'run-start':
        Object.assign(summary, {
          runId: event.runId,
          experiment: event.experiment,
          backbone: event.backbone,
          engine: event.engine,
          device: event.device,
          counts: event.counts,
          startedAt: summary.startedAt ?? event.time,
        });
        if (summary.state === 'unknown') summary.state = 'running';
        break;
      case 'epoch-start':
        model.progress = {
          epoch: event.epoch,
          epochs: event.epochs,
          step: 0,
          steps: 0,
          loss: 0,
          imagesPerSecond: 0,
          etaSeconds: 0,
        };
        break;
      case 'batch':
        model.progress = {
          epoch: event.epoch,
          epochs: model.progress?.epochs ?? null,
          step: event.step,
          steps: event.steps,
          loss: event.loss,
          imagesPerSecond: event.imagesPerSecond,
          etaSeconds: event.etaSeconds,
        };
        break;
      case 'epoch-end': {
        const point: EpochPoint = {
          epoch: event.epoch,
          train: event.train,
          val: event.val,
          lr: event.lr,
          best: event.best,
        };
        placeEpoch(model.history, point);
        if (event.best) model.bestEpoch = event.epoch;
        break;
      }
      case 'run-end':
        summary.state = event.status;
        summary.error = event.error ?? null;
        summary.endedAt = event.time;
        summary.durationSeconds = secondsBetween(summary.startedAt, summary.endedAt);
        model.progress = null;
        break;
      case 'artifact':
        break;
    }
  }
}

/** experiment.resolved.yaml as parsed; undefined when the run has none yet, or it is unreadable (then a problem). */
export function readResolvedExperiment(runDir: string, problems: string[]): unknown {
  const path = join(runDir, RUN_FILES.resolvedExperiment);
  if (!existsSync(path)) return undefined;
  try {
    return parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
    return undefined;
  }
}

export function readDataSettings(runDir: string, problems: string[]): RunDataSettings | null {
  const path = join(runDir, RUN_FILES.resolvedExperiment);
  const resolved = readResolvedExperiment(runDir, problems);
  if (resolved === undefined) return null;
  const data = isRecord(resolved) && isRecord(resolved.data) ? resolved.data : undefined;
  const root = str(data?.root);
  const condition = str(data?.condition);
  if (data === undefined || root === null || condition === null) {
    problems.push(`${path}: data.root and data.condition are missing`);
    return null;
  }
  // Run folders written before a setting existed leave it out: it took the schema's default then as now.
  const inputWithDefaults = withDefaults(nodeForPath(['data', 'input'])!, data.input);
  const input = isRecord(inputWithDefaults) ? inputWithDefaults : {};
  const window = input.window;
  const [cropMm, size] = [num(input.crop_mm), num(input.size)];
  if (cropMm === null || size === null || (input.mode !== 'crop' && input.mode !== 'slice')) {
    problems.push(`${path}: data.input lacks mode, crop_mm or size, so the gallery cannot cut the model's input`);
    return null;
  }
  const synthetic = isRecord(data.synthetic) ? data.synthetic : undefined;
  const [studies, seed] = [num(synthetic?.studies), num(synthetic?.seed)];
  return {
    root: resolve(runDir, root),
    condition,
    levels: Array.isArray(data.levels) ? data.levels.filter((x): x is string => typeof x === 'string') : undefined,
    series: str(data.series) ?? undefined,
    window:
      window === 'tags' || window === 'auto'
        ? window
        : isRecord(window) && num(window.center) !== null && num(window.width) !== null
          ? { center: window.center as number, width: window.width as number }
          : 'auto',
    input: { mode: input.mode, crop_mm: cropMm, size },
    synthetic: studies !== null && seed !== null ? { studies, seed } : null,
  };
}

const LEVEL_SUFFIX = /_(l\d)_(l\d|s\d)$/;

/** `4003253_spinal_canal_stenosis_l1_l2` → study 4003253, level L1/L2. */
export function parseRowId(rowId: string): { studyId: string; level: string } | null {
  const cut = rowId.indexOf('_');
  const level = LEVEL_SUFFIX.exec(rowId);
  if (cut <= 0 || level === null) return null;
  return { studyId: rowId.slice(0, cut), level: `${level[1]!.toUpperCase()}/${level[2]!.toUpperCase()}` };
}

/** results/predictions.csv as typed rows; a bad row is a problem naming its line, and is left out. */
export function readPredictions(runDir: string, problems: string[]): PredictionRow[] {
  const path = join(runDir, RUN_FILES.predictions);
  if (!existsSync(path)) return [];
  let records: Record<string, string>[];
  try {
    records = parseCsv(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<
      string,
      string
    >[];
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
    return [];
  }
  return records.flatMap((record, i): PredictionRow[] => {
    const line = i + 2;
    const parsed = parseRowId(record.row_id ?? '');
    const trueLabel = record.true_label as GradeName;
    const predictedLabel = record.predicted_label as GradeName;
    const probabilities = [record.prob_normal_mild, record.prob_moderate, record.prob_severe].map(Number) as [
      number,
      number,
      number,
    ];
    if (
      parsed === null ||
      !GRADE_NAMES.includes(trueLabel) ||
      !GRADE_NAMES.includes(predictedLabel) ||
      !probabilities.every(Number.isFinite)
    ) {
      problems.push(
        `${path} line ${line}: expected row_id <study>_<condition>_<level>, grades ${GRADE_NAMES.join('/')} and three probabilities`,
      );
      return [];
    }
    return [{ rowId: record.row_id!, ...parsed, trueLabel, predictedLabel, probabilities }];
  });
}

/** Everything the run panel shows, read from the folder as it is now. */
export function readRunFolder(runDir: string): {
  model: RunPanelModel;
  predictions: PredictionRow[];
  data: RunDataSettings | null;
} {
  const problems: string[] = [];
  const model: RunPanelModel = {
    summary: emptySummary(runDir),
    history: [],
    progress: null,
    bestEpoch: null,
    metrics: null,
    predictions: { total: 0, mistakes: 0, levels: [] },
    problems,
  };
  const eventsPath = join(runDir, RUN_FILES.events);
  if (existsSync(eventsPath)) {
    const parsed = parseEvents(readFileSync(eventsPath, 'utf8'));
    applyEvents(model, parsed.events);
    for (const problem of parsed.problems) problems.push(`${eventsPath} line ${problem.line}: ${problem.message}`);
  }

  // run.json is rewritten by the trainer at every change of state; where it and the log disagree it is the later word.
  const runJson = readRunJson(runDir);
  if ('problem' in runJson) problems.push(runJson.problem);
  if ('value' in runJson) {
    const record = runJson.value;
    const s = model.summary;
    Object.assign(s, {
      runId: record.runId,
      experiment: record.experiment,
      backbone: record.backbone,
      state: record.status,
      engine: engineName(record) ?? s.engine,
      device: deviceName(record) ?? s.device,
      startedAt: record.startedAt,
      endedAt: record.endedAt ?? s.endedAt,
      error: record.error ?? s.error,
      counts: splitCounts(record) ?? s.counts,
    });
    s.durationSeconds = record.timings.totalSeconds ?? secondsBetween(s.startedAt, s.endedAt) ?? s.durationSeconds;
    model.bestEpoch = record.bestEpoch ?? model.bestEpoch;
  }

  const metrics = readMetricsJson(runDir);
  if ('problem' in metrics) problems.push(metrics.problem);
  if ('value' in metrics) {
    model.metrics = metrics.value;
    model.bestEpoch = metrics.value.bestEpoch;
    if (model.history.length === 0) model.history = historyPoints(metrics.value.history, metrics.value.bestEpoch);
  }
  if (model.bestEpoch !== null) for (const point of model.history) point.best = point.epoch === model.bestEpoch;

  const data = readDataSettings(runDir, problems);
  model.summary.condition = data?.condition ?? null;
  model.summary.datasetRoot = data?.root ?? null;

  const predictions = readPredictions(runDir, problems);
  model.predictions = {
    total: predictions.length,
    mistakes: predictions.filter((p) => p.trueLabel !== p.predictedLabel).length,
    levels: [...new Set(predictions.map((p) => p.level))].sort(),
  };
  return { model, predictions, data };
}

const SORT_KEYS: Record<Exclude<GallerySort, 'file'>, (row: PredictionRow) => number> = {
  confidence: confidenceOf,
  loss: lossOf,
};

/**
 * Rows on one gallery page: those the query's filters let through, in its order (highest first; equal keys keep
 * the file's order), `pageSize` of them from `page * pageSize`.
 */
export function galleryRows(
  predictions: readonly PredictionRow[],
  query: GalleryQuery,
  pageSize: number,
): { total: number; rows: PredictionRow[] } {
  const matching = predictions.filter(
    (p) =>
      (!query.mistakesOnly || p.trueLabel !== p.predictedLabel) &&
      (query.trueGrade === null || p.trueLabel === query.trueGrade) &&
      (query.predictedGrade === null || p.predictedLabel === query.predictedGrade) &&
      (query.level === null || p.level === query.level),
  );
  if (query.sort !== 'file') {
    const key = SORT_KEYS[query.sort];
    matching.sort((a, b) => key(b) - key(a));
  }
  return { total: matching.length, rows: matching.slice(query.page * pageSize, (query.page + 1) * pageSize) };
}

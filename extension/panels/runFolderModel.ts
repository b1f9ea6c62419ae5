// A run folder read into what the run panel shows. A run is a folder (DESIGN.md), so the panel is rebuilt from
// disk alone: run.json for the run's identity and state, events.jsonl for the curves (live while training),
// results/metrics.json for the test and validation metrics, results/predictions.csv for the gallery, and
// experiment.resolved.yaml for the dataset the predictions refer to. Missing files are normal while a run is
// young; unreadable ones become `problems` naming the file, so the panel can say what it could not show.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseYaml } from 'yaml';
import { normaliseRows } from '../../core/metrics/classification';
import { parseEvents, type RadLabEvent } from '../../core/train/events';
import {
  GRADE_NAMES,
  type ClassRow,
  type ConfusionPair,
  type EpochPoint,
  type GradeName,
  type RocSeries,
  type RunPanelModel,
  type RunState,
  type RunSummary,
  type SplitMetrics,
} from '../../webview/contract';

export const RUN_FILES = {
  runJson: 'run.json',
  events: 'events.jsonl',
  metrics: join('results', 'metrics.json'),
  predictions: join('results', 'predictions.csv'),
  resolvedExperiment: 'experiment.resolved.yaml',
} as const;

export interface PredictionRow {
  rowId: string;
  studyId: string;
  level: string;
  trueLabel: GradeName;
  predictedLabel: GradeName;
  probabilities: [number, number, number];
}

/** What the gallery needs from experiment.resolved.yaml to find a prediction's image. */
export interface RunDataSettings {
  root: string;
  condition: string;
  levels: string[] | undefined;
  series: string | undefined;
  window: 'auto' | 'tags' | { center: number; width: number };
}

type Json = Record<string, unknown>;

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function readJson(path: string, problems: string[]): Json | undefined {
  if (!existsSync(path)) return undefined;
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (isRecord(value)) return value;
    problems.push(`${path}: expected a JSON object`);
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
  }
  return undefined;
}

function isMatrix(value: unknown): value is number[][] {
  return (
    Array.isArray(value) &&
    value.length === GRADE_NAMES.length &&
    value.every((row) => Array.isArray(row) && row.length === GRADE_NAMES.length && row.every((x) => num(x) !== null))
  );
}

function confusionPair(source: Json, where: string, problems: string[]): ConfusionPair | null {
  if (!isMatrix(source.confusion)) {
    problems.push(`${where}.confusion: expected a 3x3 array of numbers`);
    return null;
  }
  const normalised = isMatrix(source.confusionNormalized) ? source.confusionNormalized : normaliseRows(source.confusion);
  return { counts: source.confusion, normalised };
}

function rocSeries(value: unknown, where: string, problems: string[]): RocSeries[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push(`${where}.roc: expected one curve per grade`);
    return [];
  }
  return value.flatMap((curve, k): RocSeries[] => {
    const points = isRecord(curve) && Array.isArray(curve.points) ? curve.points : null;
    if (points === null || k >= GRADE_NAMES.length || !points.every((p) => Array.isArray(p) && p.length === 2 && num(p[0]) !== null && num(p[1]) !== null)) {
      problems.push(`${where}.roc[${k}]: expected {auc, points: [[fpr, tpr], …]}`);
      return [];
    }
    return [{ grade: GRADE_NAMES[k]!, auc: num((curve as Json).auc), points: points as [number, number][] }];
  });
}

export function splitMetrics(value: unknown, where: string, problems: string[]): SplitMetrics | null {
  if (value === undefined) return null;
  if (!isRecord(value)) {
    problems.push(`${where}: expected an object`);
    return null;
  }
  const accuracy = num(value.accuracy);
  const macroF1 = num(value.macroF1);
  const confusion = confusionPair(value, where, problems);
  if (accuracy === null || macroF1 === null || confusion === null) {
    if (accuracy === null || macroF1 === null) problems.push(`${where}: accuracy and macroF1 must be numbers`);
    return null;
  }
  const perClass: ClassRow[] = (Array.isArray(value.perClass) ? value.perClass : []).flatMap((row, k): ClassRow[] => {
    if (!isRecord(row) || k >= GRADE_NAMES.length) return [];
    const [precision, recall, f1, support] = [num(row.precision), num(row.recall), num(row.f1), num(row.support)];
    if (precision === null || recall === null || f1 === null || support === null) {
      problems.push(`${where}.perClass[${k}]: precision, recall, f1 and support must be numbers`);
      return [];
    }
    return [{ grade: GRADE_NAMES[k]!, precision, recall, f1, support }];
  });
  const perLevel: Record<string, ConfusionPair> = {};
  if (isRecord(value.perLevel)) {
    for (const [level, levelMetrics] of Object.entries(value.perLevel)) {
      const pair = isRecord(levelMetrics) ? confusionPair(levelMetrics, `${where}.perLevel.${level}`, problems) : null;
      if (pair !== null) perLevel[level] = pair;
    }
  }
  return {
    accuracy,
    macroF1,
    weightedF1: num(value.weightedF1),
    weightedLogLoss: num(value.weightedLogLoss),
    perClass,
    confusion,
    perLevel,
    roc: rocSeries(value.roc, where, problems),
  };
}

function scores(value: unknown): EpochPoint['train'] | null {
  if (!isRecord(value)) return null;
  const [loss, accuracy, macroF1] = [num(value.loss), num(value.accuracy), num(value.macroF1)];
  return loss === null || accuracy === null || macroF1 === null ? null : { loss, accuracy, macroF1 };
}

function historyFromMetrics(value: unknown): EpochPoint[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((entry): EpochPoint[] => {
    if (!isRecord(entry)) return [];
    const epoch = num(entry.epoch);
    const train = scores(entry.train);
    const val = scores(entry.val);
    return epoch === null || train === null || val === null ? [] : [{ epoch, train, val, lr: num(entry.lr), best: false }];
  });
}

const RUN_STATES: readonly RunState[] = ['running', 'completed', 'failed', 'cancelled'];

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

function secondsBetween(start: string | null, end: string | null): number | null {
  if (start === null || end === null) return null;
  const seconds = (Date.parse(end) - Date.parse(start)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
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
        model.progress = { epoch: event.epoch, epochs: event.epochs, step: 0, steps: 0, loss: 0, imagesPerSecond: 0, etaSeconds: 0 };
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
        const point: EpochPoint = { epoch: event.epoch, train: event.train, val: event.val, lr: event.lr, best: event.best };
        // A resumed run repeats the epoch it was cut in: the later record replaces the earlier one.
        model.history = [...model.history.filter((p) => p.epoch !== event.epoch), point].sort((a, b) => a.epoch - b.epoch);
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

export function readDataSettings(runDir: string, problems: string[]): RunDataSettings | null {
  const path = join(runDir, RUN_FILES.resolvedExperiment);
  if (!existsSync(path)) return null;
  let resolved: unknown;
  try {
    resolved = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
    return null;
  }
  const data = isRecord(resolved) && isRecord(resolved.data) ? resolved.data : undefined;
  const root = str(data?.root);
  const condition = str(data?.condition);
  if (data === undefined || root === null || condition === null) {
    problems.push(`${path}: data.root and data.condition are missing`);
    return null;
  }
  const input = isRecord(data.input) ? data.input : {};
  const window = input.window;
  return {
    root,
    condition,
    levels: Array.isArray(data.levels) ? data.levels.filter((x): x is string => typeof x === 'string') : undefined,
    series: str(data.series) ?? undefined,
    window:
      window === 'tags' || window === 'auto'
        ? window
        : isRecord(window) && num(window.center) !== null && num(window.width) !== null
          ? { center: window.center as number, width: window.width as number }
          : 'auto',
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
    records = parseCsv(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  } catch (error) {
    problems.push(`${path}: ${(error as Error).message}`);
    return [];
  }
  return records.flatMap((record, i): PredictionRow[] => {
    const line = i + 2;
    const parsed = parseRowId(record.row_id ?? '');
    const trueLabel = record.true_label as GradeName;
    const predictedLabel = record.predicted_label as GradeName;
    const probabilities = [record.prob_normal_mild, record.prob_moderate, record.prob_severe].map(Number) as [number, number, number];
    if (parsed === null || !GRADE_NAMES.includes(trueLabel) || !GRADE_NAMES.includes(predictedLabel) || !probabilities.every(Number.isFinite)) {
      problems.push(`${path} line ${line}: expected row_id <study>_<condition>_<level>, grades ${GRADE_NAMES.join('/')} and three probabilities`);
      return [];
    }
    return [{ rowId: record.row_id!, ...parsed, trueLabel, predictedLabel, probabilities }];
  });
}

/** Everything the run panel shows, read from the folder as it is now. */
export function readRunFolder(runDir: string): { model: RunPanelModel; predictions: PredictionRow[]; data: RunDataSettings | null } {
  const problems: string[] = [];
  const model: RunPanelModel = {
    summary: emptySummary(runDir),
    history: [],
    progress: null,
    bestEpoch: null,
    test: null,
    val: null,
    predictions: { total: 0, mistakes: 0 },
    problems,
  };
  const eventsPath = join(runDir, RUN_FILES.events);
  if (existsSync(eventsPath)) {
    const parsed = parseEvents(readFileSync(eventsPath, 'utf8'));
    applyEvents(model, parsed.events);
    for (const problem of parsed.problems) problems.push(`${eventsPath} line ${problem.line}: ${problem.message}`);
  }

  // run.json is written by the trainer at start and end; where it and the log disagree it is the later word.
  const runJsonPath = join(runDir, RUN_FILES.runJson);
  const runJson = readJson(runJsonPath, problems);
  if (runJson !== undefined) {
    const s = model.summary;
    s.runId = str(runJson.runId) ?? s.runId;
    s.experiment = str(runJson.experiment) ?? s.experiment;
    s.backbone = str(runJson.backbone) ?? s.backbone;
    s.engine = str(runJson.engine) ?? s.engine;
    s.device = str(runJson.device) ?? s.device;
    s.startedAt = str(runJson.startedAt) ?? s.startedAt;
    s.endedAt = str(runJson.endedAt) ?? s.endedAt;
    if (RUN_STATES.includes(runJson.status as RunState)) s.state = runJson.status as RunState;
    s.error = str(runJson.error) ?? s.error;
    const counts = runJson.counts;
    if (isRecord(counts) && num(counts.train) !== null && num(counts.val) !== null && num(counts.test) !== null) {
      s.counts = { train: counts.train as number, val: counts.val as number, test: counts.test as number };
    }
    s.durationSeconds = secondsBetween(s.startedAt, s.endedAt) ?? s.durationSeconds;
  }

  const metricsPath = join(runDir, RUN_FILES.metrics);
  const metrics = readJson(metricsPath, problems);
  if (metrics !== undefined) {
    model.test = splitMetrics(metrics.test, `${metricsPath}: test`, problems);
    model.val = splitMetrics(metrics.val, `${metricsPath}: val`, problems);
    model.bestEpoch = num(metrics.bestEpoch) ?? model.bestEpoch;
    if (model.history.length === 0) model.history = historyFromMetrics(metrics.history);
  }
  if (model.bestEpoch !== null) for (const point of model.history) point.best = point.epoch === model.bestEpoch;

  const data = readDataSettings(runDir, problems);
  model.summary.condition = data?.condition ?? null;
  model.summary.datasetRoot = data?.root ?? null;

  const predictions = readPredictions(runDir, problems);
  model.predictions = { total: predictions.length, mistakes: predictions.filter((p) => p.trueLabel !== p.predictedLabel).length };
  return { model, predictions, data };
}

/** Rows on one gallery page: `pageSize` rows from `page * pageSize`, optionally only the wrong ones. */
export function galleryRows(predictions: readonly PredictionRow[], page: number, pageSize: number, mistakesOnly: boolean): { total: number; rows: PredictionRow[] } {
  const matching = mistakesOnly ? predictions.filter((p) => p.trueLabel !== p.predictedLabel) : predictions;
  return { total: matching.length, rows: matching.slice(page * pageSize, (page + 1) * pageSize) };
}

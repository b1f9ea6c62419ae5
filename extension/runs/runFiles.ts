// Reads the two JSON files of a run folder that the trainer writes, run.json and results/metrics.json, as the
// types core defines for them (core/run/runRecord.ts, core/run/metricsFile.ts): the trainer and every reader share
// one definition. A file on disk may still be old, foreign or cut by a crash, so each is checked for the fields the
// editor reads before it is typed; a file that fails says which field, so the user learns what is wrong.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLASS_COUNT } from '../../core/metrics/classification';
import { isRecord } from '../../core/json/isRecord';
import { METRICS_FILE, type RunMetricsFile } from '../../core/run/metricsFile';
import type { RunRecord, RunState } from '../../core/run/runRecord';

export const RUN_JSON = 'run.json';
export const METRICS_JSON = join('results', METRICS_FILE);

export const RUN_STATES: readonly RunState[] = ['queued', 'running', 'completed', 'failed', 'cancelled'];

/** A file's content as its type, or why it could not be read; `absent` when the file does not exist (yet). */
export type RunFileRead<T> = { value: T } | { problem: string } | { absent: true };

type Json = Record<string, unknown>;

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** Parses a JSON object file; the check returns the first field that does not fit, or null. */
function readChecked<T>(path: string, check: (value: Json) => string | null): RunFileRead<T> {
  if (!existsSync(path)) return { absent: true };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const reason = error instanceof SyntaxError ? `is not valid JSON (${error.message})` : `could not be read (${(error as Error).message})`;
    return { problem: `${path} ${reason}` };
  }
  if (!isRecord(value)) return { problem: `${path}: expected a JSON object` };
  const wrong = check(value);
  return wrong === null ? { value: value as T } : { problem: `${path}: ${wrong}` };
}

function checkRunRecord(value: Json): string | null {
  if (!RUN_STATES.includes(value.status as RunState)) {
    return `status is ${JSON.stringify(value.status)}, expected one of ${RUN_STATES.join(', ')}`;
  }
  for (const field of ['runId', 'experiment', 'backbone', 'startedAt'] as const) {
    if (typeof value[field] !== 'string') return `${field} must be a string`;
  }
  if (!isRecord(value.timings)) return 'timings must be an object';
  return null;
}

export function readRunJson(dir: string): RunFileRead<RunRecord> {
  return readChecked<RunRecord>(join(dir, RUN_JSON), checkRunRecord);
}

/** The engine that trained the run (run.json's engine report names it `chosen`). */
export function engineName(record: RunRecord): string | undefined {
  return isRecord(record.engine) && typeof record.engine.chosen === 'string' ? record.engine.chosen : undefined;
}

/** The device the run trained on: the GPU when it used one, otherwise the CPU model. */
export function deviceName(record: RunRecord): string | undefined {
  const device = record.device;
  if (!isRecord(device)) return undefined;
  if (typeof device.gpu === 'string') return device.gpu;
  return typeof device.cpuModel === 'string' ? device.cpuModel : undefined;
}

/** The train/val/test sample counts of run.json, when the dataset was built. */
export function splitCounts(record: RunRecord): { train: number; val: number; test: number } | null {
  const counts = record.counts;
  return isRecord(counts) && isNumber(counts.train) && isNumber(counts.val) && isNumber(counts.test)
    ? { train: counts.train, val: counts.val, test: counts.test }
    : null;
}

// ---- results/metrics.json -----------------------------------------------------------------------------------

function numbersAt(value: unknown, where: string, fields: readonly string[]): string | null {
  if (!isRecord(value)) return `${where} must be an object with ${fields.join(', ')}`;
  const bad = fields.find((field) => !isNumber(value[field]));
  return bad === undefined ? null : `${where}.${bad} must be a number`;
}

function squareMatrix(value: unknown, where: string): string | null {
  const ok = Array.isArray(value) && value.length === CLASS_COUNT && value.every((row) => Array.isArray(row) && row.length === CLASS_COUNT && row.every(isNumber));
  return ok ? null : `${where} must be a ${CLASS_COUNT}x${CLASS_COUNT} array of numbers`;
}

function firstProblem(...checks: (() => string | null)[]): string | null {
  for (const check of checks) {
    const problem = check();
    if (problem !== null) return problem;
  }
  return null;
}

/** A ClassificationSummary: the test split as a whole, or one level of it. */
function checkSummary(value: unknown, where: string): string | null {
  if (!isRecord(value)) return `${where} must be an object`;
  return firstProblem(
    () => numbersAt(value, where, ['samples', 'accuracy']),
    () =>
      Array.isArray(value.perClass) && value.perClass.length === CLASS_COUNT
        ? value.perClass.map((row, k) => numbersAt(row, `${where}.perClass[${k}]`, ['precision', 'recall', 'f1', 'support'])).find((p) => p !== null) ?? null
        : `${where}.perClass must list ${CLASS_COUNT} grades`,
    () => numbersAt(value.macro, `${where}.macro`, ['precision', 'recall', 'f1']),
    () => numbersAt(value.weighted, `${where}.weighted`, ['precision', 'recall', 'f1']),
    () => (isRecord(value.confusion) ? null : `${where}.confusion must be an object with counts and normalised`),
    () => squareMatrix((value.confusion as Json).counts, `${where}.confusion.counts`),
    () => squareMatrix((value.confusion as Json).normalised, `${where}.confusion.normalised`),
  );
}

function checkRoc(value: unknown, where: string): string | null {
  if (!isRecord(value) || !Array.isArray(value.curves)) return `${where}.curves must be a list`;
  const bad = value.curves.findIndex(
    (curve) =>
      !isRecord(curve) ||
      typeof curve.className !== 'string' ||
      !(curve.auc === null || isNumber(curve.auc)) ||
      !Array.isArray(curve.fpr) ||
      !Array.isArray(curve.tpr) ||
      curve.fpr.length !== curve.tpr.length ||
      !curve.fpr.every(isNumber) ||
      !curve.tpr.every(isNumber),
  );
  return bad < 0 ? null : `${where}.curves[${bad}] must have className, auc (a number or null) and equally long fpr and tpr lists`;
}

function checkMetrics(value: Json): string | null {
  const test = value.test;
  return firstProblem(
    () => (typeof value.condition === 'string' && typeof value.backbone === 'string' && typeof value.selectedBy === 'string' ? null : 'condition, backbone and selectedBy must be strings'),
    () => (isNumber(value.bestEpoch) ? null : 'bestEpoch must be a number'),
    () => checkSummary(test, 'test'),
    () => {
      const perLevel = (test as Json).perLevel;
      if (perLevel === undefined) return null;
      if (!isRecord(perLevel)) return 'test.perLevel must be an object keyed by level';
      return Object.entries(perLevel).map(([level, summary]) => checkSummary(summary, `test.perLevel["${level}"]`)).find((p) => p !== null) ?? null;
    },
    () => checkRoc((test as Json).roc, 'test.roc'),
    () => numbersAt((test as Json).rsna, 'test.rsna', ['score', 'conditionLoss']),
    () =>
      Array.isArray(value.history)
        ? value.history
            .map((entry, i) =>
              firstProblem(
                () => numbersAt(entry, `history[${i}]`, ['epoch', 'lr', 'seconds']),
                () => numbersAt((entry as Json).train, `history[${i}].train`, ['loss', 'accuracy', 'macroF1']),
                () => numbersAt((entry as Json).val, `history[${i}].val`, ['loss', 'accuracy', 'macroF1', 'weightedLogLoss']),
              ),
            )
            .find((p) => p !== null) ?? null
        : 'history must be a list of epochs',
  );
}

export function readMetricsJson(dir: string): RunFileRead<RunMetricsFile> {
  return readChecked<RunMetricsFile>(join(dir, METRICS_JSON), checkMetrics);
}

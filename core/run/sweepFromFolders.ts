// A sweep's members read back from their run folders (run.json, experiment.resolved.yaml, results/metrics.json),
// for writing the sweep summary (and the competition score) after the runs ended in separate processes, e.g. the
// tasks of a Slurm job array.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ResolvedRun } from '../experiment/resolvedRun';
import { backboneFacts } from '../models/registry';
import { METRICS_FILE, type RunMetricsFile } from './metricsFile';
import { RUN_ID, runPaths } from './runFolder';
import type { RunRecord } from './runRecord';
import type { SweepMember } from './sweepSummary';

/** The run ids that have run folders in an experiment folder (<output>/<name>), oldest first. */
export function runIdsIn(experimentFolder: string): string[] {
  if (!existsSync(experimentFolder)) return [];
  const ids = readdirSync(experimentFolder, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(experimentFolder, entry.name, 'run.json')))
    .map((entry) => entry.name.slice(0, 15))
    .filter((id) => RUN_ID.test(id));
  return [...new Set(ids)].sort();
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (error) {
    throw new Error(`${path} could not be read: ${(error as Error).message}`);
  }
}

function memberFromFolder(runDir: string, runId: string): { member: SweepMember; sweepIndex: number } {
  const paths = runPaths(runDir, runId);
  const record = readJson<RunRecord>(paths.runJson);
  const resolved = existsSync(paths.resolvedExperiment)
    ? (parse(readFileSync(paths.resolvedExperiment, 'utf8')) as ResolvedRun)
    : undefined;
  const member: SweepMember = {
    backbone: record.backbone,
    ...(resolved ? { condition: resolved.data.condition, fold: resolved.data.split.fold ?? null } : {}),
    runId: record.runId,
    runDir,
    status: record.status,
    params: backboneFacts(record.backbone)?.params,
    durationSeconds: record.timings.totalSeconds,
    ...(record.error !== undefined ? { error: record.error } : {}),
  };
  const metricsPath = join(paths.results, METRICS_FILE);
  if (record.status === 'completed' && existsSync(metricsPath)) {
    const metrics = readJson<RunMetricsFile>(metricsPath);
    Object.assign(member, {
      bestEpoch: metrics.bestEpoch,
      bestValMacroF1: metrics.history.find((h) => h.epoch === metrics.bestEpoch)?.val.macroF1,
      testAccuracy: metrics.test.accuracy,
      testMacroF1: metrics.test.macro.f1,
      testWeightedF1: metrics.test.weighted.f1,
      testWeightedLogLoss: metrics.test.rsna.score,
    });
  }
  return { member, sweepIndex: resolved?.sweepIndex ?? Number.MAX_SAFE_INTEGER };
}

/** The members of run `runId`, in sweep order. */
export function sweepMembersFromFolders(experimentFolder: string, runId: string): SweepMember[] {
  const folders = readdirSync(experimentFolder, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        entry.name.startsWith(`${runId}-`) &&
        existsSync(join(experimentFolder, entry.name, 'run.json')),
    )
    .map((entry) => join(experimentFolder, entry.name));
  return folders
    .map((dir) => memberFromFolder(dir, runId))
    .sort((a, b) => a.sweepIndex - b.sweepIndex || a.member.backbone.localeCompare(b.member.backbone))
    .map(({ member }) => member);
}

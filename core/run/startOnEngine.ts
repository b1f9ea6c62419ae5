// The moment a run (grader or localizer) has its data and picks its engine: the choice goes into run.json, the
// event log's run-start and one line for the user, the same way for every kind of run.
import type { ResolvedRun } from '../experiment/resolvedRun';
import { engineLine, selectEngine, type EngineReport } from '../engine/selectEngine';
import type { EventWriter, SplitCounts } from '../train/events';
import type { RunPaths } from './runFolder';
import { writeRunRecord, type RunRecord } from './runRecord';
import type { ProgressDisplay } from './terminalProgress';

export async function startOnEngine(
  run: ResolvedRun,
  record: RunRecord,
  paths: RunPaths,
  events: EventWriter,
  counts: SplitCounts,
  display: ProgressDisplay,
): Promise<EngineReport> {
  const engine = await selectEngine({
    engine: run.train.engine,
    ...(run.train.threads > 0 ? { threads: run.train.threads } : {}),
  });
  record.engine = {
    chosen: engine.chosen,
    backend: engine.backend,
    threads: engine.threads,
    ladder: engine.ladder,
    kernels: engine.kernels,
  };
  record.device = engine.device;
  writeRunRecord(paths.runJson, record);
  events.emit({
    type: 'run-start',
    runId: paths.runId,
    runDir: paths.dir,
    experiment: run.name,
    backbone: run.model.backbone,
    engine: engine.chosen,
    device: engine.device.gpu ?? `${engine.device.cpuModel} (${engine.threads} threads)`,
    counts,
  });
  display.note(engineLine(engine));
  return engine;
}

// One run of one backbone: dataset → engine → model → epochs with validation → test with the best checkpoint →
// results, plots and the trained model, all in the run folder, with events along the way. A failure at any point
// ends the run as `failed` with its logs and last checkpoint kept; a stop request ends it as `cancelled`, and
// `radlab run --resume <run dir>` continues from the last completed epoch.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { indexTables } from '../data/datasetIndex';
import { readDatasetTables } from '../data/datasetTables';
import { GRADES } from '../data/lsdcVocabulary';
import { SampleCache } from '../data/sampleCache';
import { SPLIT_FILE, splitCsv, splitDataset, type SplitName } from '../data/splits';
import { ensureSyntheticDataset } from '../data/synthetic/dataset';
import type { EngineReport } from '../engine/selectEngine';
import type { ResolvedRun } from '../experiment/resolvedRun';
import type { StepPlan } from '../experiment/stepPlan';
import { classificationReport } from '../metrics/classification';
import { rsnaConditionScore } from '../metrics/rsnaLogLoss';
import { LevelClassifier } from '../models/classifier';
import { loadClassifier } from '../models/checkpoint';
import { freezeModel } from '../models/freezing';
import { backboneFacts } from '../models/registry';
import { EventWriter } from '../train/events';
import { makeOptimizer } from '../train/makeOptimizer';
import { resolveClassWeights } from '../train/loss';
import { predict, type Predictions } from '../train/predict';
import { makeSchedule } from '../train/schedule';
import type { SlotOptimizer } from '../train/slotOptimizer';
import { NonFiniteLossError, trainEpoch } from '../train/trainEpoch';
import {
  hasTrainingCheckpoint,
  loadTrainingCheckpoint,
  saveBestModel,
  saveTrainingCheckpoint,
  type EpochHistory,
  type TrainingProgress,
} from '../train/trainingCheckpoint';
import { slurmTaskFromEnvironment } from './slurmTaskEnvironment';
import type { Cancellation } from './cancellation';
import { writeEpochPredictions } from './epochPredictions';
import { localizerRun } from './localizerRun';
import { classifierFor } from './runClassifier';
import { loadPretrained } from './pretrained';
import { BEST_MODEL_FILE, gradedSamples, writeResults } from './results';
import { explainMemoryFault, planRunStep } from './stepMemory';
import { isNewBest, selectionScore } from './selection';
import type { RunPaths } from './runFolder';
import { readRunRecordIfAny, softwareVersions, trainerFields, writeRunRecord, type RunRecord } from './runRecord';
import { finishRun, seconds } from './runEnd';
import { startOnEngine } from './startOnEngine';
import { storedInputSettings } from './storedInputs';
import { currentTrainerProcess } from './trainerProcess';
import type { SweepMember } from './sweepSummary';
import type { ProgressDisplay } from './terminalProgress';

export interface RunContext {
  paths: RunPaths;
  events: EventWriter;
  cancellation: Cancellation;
  display: ProgressDisplay;
  radlabVersion: string;
  /** Set when continuing an interrupted run from its last checkpoint. */
  resuming: boolean;
}

function scores(run: ResolvedRun, cache: SampleCache, predictions: Predictions) {
  const report = classificationReport(predictions.grades, predictions.probabilities);
  const rsna = rsnaConditionScore(run.data.condition, gradedSamples(cache, predictions));
  return { loss: predictions.loss, accuracy: report.accuracy, macroF1: report.macro.f1, weightedLogLoss: rsna.score };
}

async function prepareData(run: ResolvedRun, context: RunContext) {
  if (run.data.synthetic && !existsSync(run.data.root)) {
    context.display.note(
      `Generating the synthetic dataset (${run.data.synthetic.studies} studies) at ${run.data.root}`,
    );
    await ensureSyntheticDataset(run.data.root, run.data.synthetic);
  }
  const tables = await readDatasetTables(run.data.root);
  const index = indexTables(tables, {
    condition: run.data.condition,
    levels: run.data.levels,
    series: run.data.series,
  });
  // The dataset's split, not the condition's: every condition and backbone of this seed tests on the same studies.
  const split = splitDataset(tables, run.data.split);
  writeFileSync(join(context.paths.dir, SPLIT_FILE), splitCsv(split));
  // Stored inputs reach into the slice around each crop as far as rotation and jitter can move it.
  const cache = await SampleCache.open(index, storedInputSettings(run), {
    threads: run.train.threads,
    onProgress: (done, total) => context.display.stage('Preparing inputs', done, total),
  });
  const positions: Record<SplitName, number[]> = { train: [], val: [], test: [] };
  cache.samples.forEach((sample, position) => positions[split.splitOf.get(sample.studyId)!].push(position));
  for (const name of ['train', 'val', 'test'] as const) {
    if (positions[name].length === 0) {
      throw new Error(
        `the ${name} split has no samples (${index.samples.length} samples in all): use more studies or change data.split.`,
      );
    }
  }
  const skipped = [...index.skipped, ...cache.skipped];
  return { cache, positions, split, skipped, notes: index.notes };
}

export async function trainRun(run: ResolvedRun, context: RunContext): Promise<SweepMember> {
  if (run.model.task === 'localizer') return localizerRun(run, context);
  const { paths, events } = context;
  const started = performance.now();
  const record: RunRecord = {
    status: 'running',
    runId: paths.runId,
    experiment: run.name,
    experimentFile: run.experimentFile,
    backbone: run.model.backbone,
    ...trainerFields(currentTrainerProcess()),
    startedAt: new Date().toISOString(),
    versions: softwareVersions(context.radlabVersion, tf.version_core),
    timings: {},
  };
  const previous = readRunRecordIfAny(paths.runJson);
  if (context.resuming && previous) {
    record.startedAt = previous.startedAt;
    record.resumedFrom = previous.resumedFrom ?? [];
  }
  // A run submitted to Slurm keeps its task record, completed with what Slurm tells the task about itself; the
  // same run resumed on this machine (no Slurm job around it) is a local run from then on.
  if (previous?.slurm && process.env.SLURM_JOB_ID)
    record.slurm = { ...previous.slurm, ...slurmTaskFromEnvironment(process.env) };
  writeRunRecord(paths.runJson, record);
  const member: SweepMember = {
    backbone: run.model.backbone,
    runId: paths.runId,
    runDir: paths.dir,
    status: 'running',
  };
  let cache: SampleCache | undefined;
  let model: LevelClassifier | undefined;
  let plan: StepPlan | undefined;
  // Both are released when the run ends, so the next member of a sweep starts with nothing of this one's in memory.
  let optimizer: SlotOptimizer | undefined;
  try {
    const dataStarted = performance.now();
    const data = await prepareData(run, context);
    cache = data.cache;
    record.timings.datasetSeconds = seconds(dataStarted);
    const counts = {
      train: data.positions.train.length,
      val: data.positions.val.length,
      test: data.positions.test.length,
    };
    record.counts = {
      ...counts,
      skipped: data.skipped.length,
      skippedReasons: tally(data.skipped.map((s) => s.reason)),
      // Irregularities handled by a documented choice (radlab dataset lists each), e.g. several series of a type.
      notedReasons: tally(data.notes.map((note) => note.reason)),
      cacheBuilt: data.cache.built,
    };

    const engine: EngineReport = await startOnEngine(run, record, paths, events, counts, context.display);

    model = classifierFor(run);
    const freeze = { freezeBackbone: run.model.freeze_backbone, unfreezeLastN: run.model.unfreeze_last_n };
    const trainable = freezeModel(model, freeze);
    // Refuses a step that cannot fit before anything is trained, or plans it in micro-batches that do. Evaluation
    // runs in the same micro-batches: its forward pass keeps no more per image than a training pass.
    plan = await planRunStep(
      run,
      engine,
      model,
      trainable.map((p) => p.variable),
      () => makeOptimizer(run.train.optimizer),
    );
    if (plan.note) context.display.note(plan.note);
    // A run killed before its first checkpoint resumes from scratch, so it needs its pretrained weights like a new
    // run; only a run continuing from a checkpoint takes every weight from there.
    const fromCheckpoint = context.resuming && hasTrainingCheckpoint(paths.lastCheckpoint);
    if (run.model.pretrained !== null && !fromCheckpoint) {
      const loaded = await loadPretrained(model.backbone, {
        pretrained: run.model.pretrained,
        weightsCache: run.model.weights_cache,
        onDownload: (done, total) => context.display.stage('Downloading ImageNet weights', done, total ?? done),
      });
      events.emit({ type: 'artifact', kind: 'pretrained-weights', path: loaded.file });
      context.display.note(loaded.summary);
    }
    optimizer = makeOptimizer(run.train.optimizer);
    const trainGrades = data.positions.train.map((p) => data.cache.samples[p]!.gradeIndex);
    const { weights: classWeights, absentGrades } = resolveClassWeights(run.train.loss.class_weights, trainGrades);
    for (const grade of absentGrades) {
      warn(
        `No ${GRADES[grade]} sample is in the training split (${trainGrades.length} samples): the model cannot ` +
          'learn that grade. Use more studies, or another data.split seed.',
      );
    }
    const stepsPerEpoch = Math.ceil(data.positions.train.length / run.train.batch_size);
    const { name: scheduleName, warmup_epochs: warmupEpochs } = run.train.schedule;
    const totalSteps = stepsPerEpoch * run.train.epochs;
    const warmupSteps = Math.round(warmupEpochs * stepsPerEpoch);
    const rate = makeSchedule(
      scheduleName === 'cosine' || warmupSteps > 0
        ? {
            name: 'cosine',
            peak: run.train.optimizer.lr,
            warmupSteps,
            totalSteps,
            ...(scheduleName === 'constant' ? { floor: run.train.optimizer.lr } : {}),
          }
        : { name: 'constant', peak: run.train.optimizer.lr },
    );

    let progress: TrainingProgress = {
      completedEpochs: 0,
      globalStep: 0,
      history: [],
      bestEpoch: 0,
      bestScore: -Infinity,
      epochsWithoutImprovement: 0,
    };
    if (fromCheckpoint) {
      progress = await loadTrainingCheckpoint(paths.lastCheckpoint, model, optimizer);
      record.resumedFrom = [
        ...(record.resumedFrom ?? []),
        { epoch: progress.completedEpochs, at: new Date().toISOString() },
      ];
      context.display.note(`Resuming after epoch ${progress.completedEpochs} of ${run.train.epochs}`);
    }
    const variables = trainable.map((p) => p.variable);
    const trainStarted = performance.now();
    for (let epoch = progress.completedEpochs + 1; epoch <= run.train.epochs; epoch++) {
      if (context.cancellation.requested) break;
      const epochStarted = performance.now();
      events.emit({ type: 'epoch-start', epoch, epochs: run.train.epochs });
      model.backbone.reseed(run.train.seed * 1000 + epoch);
      model.head.reseed(run.train.seed * 1000 + epoch);
      let lastEmit = 0;
      const outcome = await trainEpoch(
        model,
        optimizer,
        variables,
        data.cache,
        data.positions.train,
        {
          epoch,
          seed: run.train.seed,
          batchSize: run.train.batch_size,
          microBatch: plan.microBatch,
          classWeights,
          labelSmoothing: run.train.loss.label_smoothing,
          gradClip: run.train.grad_clip,
          augment: {
            hflip: run.train.augment.hflip,
            rotateDeg: run.train.augment.rotate_deg,
            jitterPx: run.train.augment.jitter_px,
            brightness: run.train.augment.brightness,
            contrast: run.train.augment.contrast,
          },
          normalize: run.train.normalize,
        },
        { rate, firstStep: progress.globalStep },
        {
          shouldStop: () => context.cancellation.requested,
          onBatch: (batch) => {
            const elapsed = seconds(trainStarted);
            const done = (epoch - 1 - progress.completedEpochs) * stepsPerEpoch + batch.step;
            const remaining = (run.train.epochs - progress.completedEpochs) * stepsPerEpoch - done;
            const etaSeconds = done > 0 ? (elapsed / done) * remaining : 0;
            context.display.batch(epoch, run.train.epochs, batch, etaSeconds);
            // Throttled: a fast CPU run makes many steps a second; the log needs a few.
            if (performance.now() - lastEmit > 500 || batch.step === batch.steps) {
              lastEmit = performance.now();
              events.emit({
                type: 'batch',
                epoch,
                step: batch.step,
                steps: batch.steps,
                loss: batch.loss,
                imagesPerSecond: batch.imagesPerSecond,
                etaSeconds,
              });
            }
          },
        },
      );
      if (outcome.stopped) break;
      const valPredictions = await predict(model, data.cache, data.positions.val, plan.microBatch, run.train.normalize);
      const val = scores(run, data.cache, valPredictions);
      writeEpochPredictions(paths.dir, run.data.condition, epoch, gradedSamples(data.cache, valPredictions));
      const score = selectionScore(run.train.select_best, val);
      const best = isNewBest(score, progress.bestScore);
      const improved = score > progress.bestScore;
      const history: EpochHistory = {
        epoch,
        lr: optimizer.learningRate,
        seconds: seconds(epochStarted),
        train: { loss: outcome.loss, accuracy: outcome.accuracy, macroF1: outcome.macroF1 },
        val,
      };
      progress = {
        completedEpochs: epoch,
        globalStep: progress.globalStep + outcome.steps,
        history: [...progress.history, history],
        bestEpoch: best ? epoch : progress.bestEpoch,
        bestScore: best ? score : progress.bestScore,
        epochsWithoutImprovement: improved ? 0 : progress.epochsWithoutImprovement + 1,
      };
      if (best) {
        await saveBestModel(join(paths.trainedModels, BEST_MODEL_FILE), model, epoch);
        await saveTrainingCheckpoint(paths.bestCheckpoint, model, optimizer, progress);
      }
      await saveTrainingCheckpoint(paths.lastCheckpoint, model, optimizer, progress);
      events.emit({
        type: 'epoch-end',
        epoch,
        train: history.train,
        val: { loss: val.loss, accuracy: val.accuracy, macroF1: val.macroF1 },
        lr: history.lr,
        best,
      });
      context.display.epoch(history, best, outcome.dataWaitShare);
      const patience = run.train.early_stopping.patience;
      if (patience > 0 && progress.epochsWithoutImprovement >= patience) {
        context.display.note(`Early stopping: no improvement of ${run.train.select_best} for ${patience} epochs`);
        break;
      }
    }
    record.timings.trainSeconds = seconds(trainStarted);
    record.bestEpoch = progress.bestEpoch;
    if (context.cancellation.requested) {
      return finish(
        'cancelled',
        `${context.cancellation.why}; the checkpoint after epoch ${progress.completedEpochs} is kept`,
      );
    }

    const testStarted = performance.now();
    await loadClassifier(join(paths.trainedModels, BEST_MODEL_FILE), model);
    const testPredictions = await predict(model, data.cache, data.positions.test, plan.microBatch, run.train.normalize);
    const calibrationPredictions =
      run.train.calibrate === 'temperature'
        ? await predict(model, data.cache, data.positions.val, plan.microBatch, run.train.normalize)
        : undefined;
    const metrics = writeResults(run, data.cache, testPredictions, progress, paths, events, calibrationPredictions);
    record.timings.testSeconds = seconds(testStarted);
    Object.assign(member, {
      params: backboneFacts(run.model.backbone)?.params,
      bestEpoch: progress.bestEpoch,
      bestValMacroF1: progress.history.find((h) => h.epoch === progress.bestEpoch)?.val.macroF1,
      testAccuracy: metrics.accuracy,
      testMacroF1: metrics.macroF1,
      testWeightedF1: metrics.weightedF1,
      testWeightedLogLoss: metrics.weightedLogLoss,
    });
    return finish('completed', undefined, metrics);
  } catch (thrown) {
    const error = explainMemoryFault(thrown, {
      backbone: run.model.backbone,
      inputSize: run.data.input.size,
      batchSize: run.train.batch_size,
      microBatch: plan?.microBatch ?? run.train.batch_size,
    });
    const message = error instanceof NonFiniteLossError || error instanceof Error ? error.message : String(error);
    if (process.env.RADLAB_DEBUG && error instanceof Error && error.stack !== undefined)
      record.errorStack = error.stack;
    return finish('failed', message);
  } finally {
    await cache?.close();
    model?.dispose();
    optimizer?.dispose();
  }

  /** A problem that does not stop the run: in the log, the events and run.json. */
  function warn(message: string): void {
    record.warnings = [...(record.warnings ?? []), message];
    writeRunRecord(paths.runJson, record);
    events.emit({ type: 'warning', message });
    context.display.warning(message);
  }

  function finish(
    status: 'completed' | 'failed' | 'cancelled',
    error?: string,
    metrics?: Record<string, unknown>,
  ): SweepMember {
    return finishRun({ record, paths, events, member, started }, status, error, metrics);
  }
}

function tally(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

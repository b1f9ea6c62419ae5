// Whether each backbone's training step fits the engine's memory at the file's input size and batch, estimated
// from the model registry (stepMemoryEstimate) and planned as a run plans it (stepPlan). A step that does not fit
// even one image at a time is refused before anything starts, with what to change: an error for `engine: wasm` (its
// 4 GiB heap) and tfjs-node (the machine's memory), a warning for `auto`, which runs on wasm only where no
// tfjs-node or GPU engine is installed. A batch that needs more micro-batches than train.accumulate_steps asks for
// is told the plan the run will use where the engine is certain; for `auto` the backbone's hover shows it, so that a
// file whose run would simply split its batches is not marked. A GPU engine's memory is not known here.
import { GRADES, LEVELS } from '../data/lsdcVocabulary';
import { backboneFacts } from '../models/registry';
import { backbonesOf } from './checkRules';
import { valueOrDefault } from './checkTraining';
import { fieldAt } from './fieldAt';
import type { ParsedExperiment } from './parse';
import type { ExperimentDiagnostic, Severity } from './positions';
import { estimateStepMemory, type StepShape } from './stepMemoryEstimate';
import {
  engineMemoryLimit,
  optimizerSlots,
  planStep,
  type MemoryLimit,
  type PlanRequest,
  type StepPlan,
} from './stepPlan';

function whole(value: unknown, min: number): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= min ? value : undefined;
}

/** The file's training settings a step's memory depends on, besides the backbone. */
export interface StepSettings {
  inputSize: number;
  batchSize: number;
  accumulateSteps: number;
  trainableTensors: number;
  head: StepShape['head'];
  optimizerSlots: number;
}

/** The file's step settings, with defaults for what it leaves out; undefined while one is not valid yet. */
export function stepSettingsOf(parsed: ParsedExperiment): StepSettings | undefined {
  const value = (...path: string[]) => valueOrDefault(parsed, path).value;
  const inputSize = whole(value('data', 'input', 'size'), 1);
  const batchSize = whole(value('train', 'batch_size'), 1);
  const accumulateSteps = whole(value('train', 'accumulate_steps'), 1);
  const unfreeze = whole(value('model', 'unfreeze_last_n'), 0);
  const embedding = whole(value('model', 'level_embedding'), 1);
  const hidden = value('model', 'head', 'hidden');
  const freeze = value('model', 'freeze_backbone');
  const optimizer = value('train', 'optimizer', 'name');
  const momentum = value('train', 'optimizer', 'momentum');
  if (
    inputSize === undefined ||
    batchSize === undefined ||
    accumulateSteps === undefined ||
    unfreeze === undefined ||
    embedding === undefined ||
    typeof freeze !== 'boolean' ||
    !Array.isArray(hidden) ||
    !hidden.every((width) => whole(width, 1) !== undefined) ||
    (optimizer !== 'adamw' && optimizer !== 'sgd') ||
    typeof momentum !== 'number'
  ) {
    return undefined;
  }
  return {
    inputSize,
    batchSize,
    accumulateSteps,
    trainableTensors: freeze ? unfreeze : Infinity,
    head: { levels: LEVELS.length, embedding, hidden: hidden as number[], classes: GRADES.length },
    optimizerSlots: optimizerSlots({ name: optimizer, momentum }),
  };
}

/** One backbone's step under the file's settings, without the limit; undefined for a backbone not in the registry. */
export function stepRequestFor(settings: StepSettings, backbone: string): Omit<PlanRequest, 'limit'> | undefined {
  if (!backboneFacts(backbone)) return undefined;
  const { inputSize, batchSize, accumulateSteps } = settings;
  return { backbone, inputSize, batchSize, accumulateSteps, ...estimateStepMemory({ backbone, ...settings }) };
}

/** The limit the file's engine sets, and whether that engine is certain (`auto` may find a GPU). */
export function engineLimitOf(parsed: ParsedExperiment): { limit: MemoryLimit; certain: boolean } | undefined {
  const engine = valueOrDefault(parsed, ['train', 'engine']).value;
  if (engine === 'auto') return { limit: engineMemoryLimit({ chosen: 'wasm' })!, certain: false };
  if (engine !== 'wasm' && engine !== 'tfjs-node') return undefined;
  const limit = engineMemoryLimit({ chosen: engine });
  return limit && { limit, certain: true };
}

export type StepFit = { plan: StepPlan } | { refused: string };

/** How the step of `request` fits `limit`: the plan, or why not. */
export function stepFit(request: Omit<PlanRequest, 'limit'>, limit: MemoryLimit): StepFit {
  try {
    return { plan: planStep({ ...request, limit }) };
  } catch (error) {
    return { refused: error instanceof Error ? error.message : String(error) };
  }
}

export function checkStepMemory(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  if (valueOrDefault(parsed, ['model', 'task']).value === 'localizer') return [];
  const engine = engineLimitOf(parsed);
  const range = fieldAt(parsed, ['model', 'backbones']).range;
  const settings = stepSettingsOf(parsed);
  if (!engine || !range || !settings) return [];
  const onAuto = engine.certain ? '' : 'With engine: auto on the wasm engine (no tfjs-node or GPU engine installed): ';
  return backbonesOf(parsed).flatMap((backbone): ExperimentDiagnostic[] => {
    const request = stepRequestFor(settings, backbone);
    if (!request) return [];
    const fit = stepFit(request, engine.limit);
    const diagnostic = (severity: Severity, message: string): ExperimentDiagnostic[] => [
      { range, severity, code: 'step-memory', message: `${onAuto}${message} (estimated)`, fixes: [] },
    ];
    if ('refused' in fit) return diagnostic(engine.certain ? 'error' : 'warning', fit.refused);
    return fit.plan.note && engine.certain ? diagnostic('information', fit.plan.note) : [];
  });
}

// Pretrained weights into a backbone: read the file (.pth / .bin from torch.save, or .safetensors), rename to the
// model's names, compare with what the model declares, resize position tables, and assign.
import { extname } from 'node:path';
import { ModelState, type Backbone } from '../module';
import { backboneFacts, type BackboneFamily } from '../registry';
import { readSafetensors, type SafetensorsDtype } from '../safetensors';
import { importState, type TorchTensor } from '../stateDict';
import { formatKeyReport, isCompleteLoad, planWeightLoad, type KeyReport, type LoadPlan } from './keyReport';
import { renameCheckpoint } from './mapping';
import type { CheckpointDType, CheckpointTensor } from './tensorData';
import { readTorchStateDict, type LoadedStateDict } from './torchZip';

const SAFETENSORS_DTYPES: Readonly<Record<SafetensorsDtype, CheckpointDType>> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  I32: 'int32',
  I16: 'int16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

async function readSafetensorsStateDict(file: string): Promise<LoadedStateDict> {
  const { tensors } = await readSafetensors(file);
  const converted = new Map<string, CheckpointTensor>();
  for (const [name, tensor] of tensors) {
    converted.set(name, {
      dtype: SAFETENSORS_DTYPES[tensor.dtype],
      shape: tensor.shape,
      values: tensor.data instanceof Float32Array ? tensor.data : Float32Array.from(tensor.data),
    });
  }
  return { file, location: '', strippedPrefix: '', tensors: converted };
}

/** Reads the state_dict of a weights file: `.safetensors` by name, anything else as a torch.save checkpoint. */
export async function readStateDict(file: string): Promise<LoadedStateDict> {
  return extname(file).toLowerCase() === '.safetensors' ? readSafetensorsStateDict(file) : readTorchStateDict(file);
}

export class WeightLoadError extends Error {
  constructor(readonly report: KeyReport) {
    super(
      `${report.file}: the weights do not match the model (strict loading):\n${formatKeyReport(report)}` +
        'Use a checkpoint of this architecture, or load non-strictly to keep the initial values of what is missing.',
    );
  }
}

export interface LoadOptions {
  /** Fail (and assign nothing) unless every entry loads and nothing is left unexplained. */
  strict: boolean;
}

export function familyOf(backbone: Backbone): BackboneFamily {
  const facts = backboneFacts(backbone.name);
  if (facts === undefined) {
    throw new RangeError(`'${backbone.name}' is not a registry backbone; pass its family explicitly`);
  }
  return facts.family;
}

/** Plans the load of a state_dict into a backbone's declared entries (nothing is assigned). */
export function planBackboneLoad(stateDict: LoadedStateDict, backbone: Backbone, family: BackboneFamily): LoadPlan {
  const { file, location, strippedPrefix } = stateDict;
  return planWeightLoad(
    renameCheckpoint(stateDict.tensors, family),
    { file, location, strippedPrefix },
    backbone.state.entries,
    family,
  );
}

/** Assigns a plan's values to the backbone's variables; entries the plan lacks keep their current values. */
export function applyLoadPlan(backbone: Backbone, plan: LoadPlan): void {
  if (!backbone.state.initialized) {
    throw new Error(`${backbone.name}: initialise the backbone (with its seed) before loading weights into it`);
  }
  // importState loads every entry of the state it is given; handing it only the planned entries lets entries the
  // checkpoint lacks keep their initial values in a non-strict load.
  const planned = new ModelState();
  const tensors = new Map<string, TorchTensor>();
  for (const entry of backbone.state.entries) {
    const values = plan.values.get(entry.name);
    if (values !== undefined) {
      planned.add(entry);
      tensors.set(entry.name, { shape: entry.torchShape, data: values });
    }
  }
  importState(planned, tensors, { source: plan.report.file });
}

/** Loads a weights file into a backbone and reports how its keys matched. */
export async function loadBackboneWeights(
  backbone: Backbone,
  file: string,
  options: LoadOptions & { family?: BackboneFamily },
): Promise<KeyReport> {
  const family = options.family ?? familyOf(backbone);
  const plan = planBackboneLoad(await readStateDict(file), backbone, family);
  if (options.strict && !isCompleteLoad(plan.report)) {
    throw new WeightLoadError(plan.report);
  }
  applyLoadPlan(backbone, plan);
  return plan.report;
}

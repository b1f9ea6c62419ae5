// Rules that keep an experiment from training something other than what it seems to: a frozen backbone needs
// learned weights, `imagenet` needs a backbone with published weights, and a horizontal flip must not turn a left
// finding into a right one.
import { imagenetWeights, isBackboneName } from '../models/registry';
import { backbonesOf } from './checkRules';
import { conditionsOf, isSidedCondition } from './conditions';
import { fieldAt, type FieldValue } from './fieldAt';
import type { ParsedExperiment } from './parse';
import type { ExperimentDiagnostic, Range } from './positions';
import { experimentSchema } from './schema';
import type { ObjectNode } from './schemaNodes';

/** A field's value as written, or the schema's default when absent. */
export function valueOrDefault(
  parsed: ParsedExperiment,
  path: readonly string[],
): { field: FieldValue; value: unknown } {
  const field = fieldAt(parsed, path);
  if (field.present) return { field, value: field.value };
  let node: ObjectNode = experimentSchema;
  let fallback: unknown;
  for (const [index, key] of path.entries()) {
    const spec = node.fields[key];
    if (index === path.length - 1) fallback = spec?.default;
    else node = spec?.node as ObjectNode;
  }
  return { field, value: fallback };
}

function firstRange(parsed: ParsedExperiment, ...fields: FieldValue[]): Range | undefined {
  return fields.find((f) => f.range)?.range ?? fieldAt(parsed, ['model']).keyRange;
}

/** `freeze_backbone: true` with `pretrained: none` would train the last tensors of a random backbone. */
export function checkFrozenRandom(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const freeze = valueOrDefault(parsed, ['model', 'freeze_backbone']);
  const pretrained = valueOrDefault(parsed, ['model', 'pretrained']);
  if (freeze.value !== true || pretrained.value !== 'none') return [];
  const range = firstRange(parsed, pretrained.field, freeze.field);
  if (!range) return [];
  const fixes = [
    ...(freeze.field.range
      ? [
          {
            title: 'Train the whole backbone (freeze_backbone: false)',
            edit: { range: freeze.field.range, newText: 'false' },
          },
        ]
      : []),
    ...(pretrained.field.range
      ? [{ title: 'Start from ImageNet weights', edit: { range: pretrained.field.range, newText: 'imagenet' } }]
      : []),
  ];
  return [
    {
      range,
      severity: 'error',
      code: 'frozen-random',
      message:
        'model.freeze_backbone is true but model.pretrained is none: the frozen backbone would keep its random ' +
        'weights. Set pretrained to imagenet (or a weights file or folder), or freeze_backbone: false to train it all.',
      fixes,
    },
  ];
}

/** `pretrained: imagenet` names the backbone's official weights; some configurations have none. */
export function checkImagenetWeights(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const pretrained = valueOrDefault(parsed, ['model', 'pretrained']);
  if (pretrained.value !== 'imagenet') return [];
  const range = firstRange(parsed, pretrained.field, fieldAt(parsed, ['model', 'backbones']));
  // Unknown names are reported where they are written.
  const without = backbonesOf(parsed).filter((name) => isBackboneName(name) && imagenetWeights(name) === undefined);
  if (!range || without.length === 0) return [];
  return [
    {
      range,
      severity: 'error',
      code: 'no-imagenet-weights',
      message:
        `model.pretrained is imagenet, but no official ImageNet weights are published for ${without.join(', ')}. ` +
        'Give a weights file or folder, or pretrained: none with freeze_backbone: false.',
      fixes: [],
    },
  ];
}

/**
 * A horizontal flip mirrors the patient's left and right, so a flipped left foramen or subarticular zone looks
 * like a right one while keeping the left label. A flip the file asks for is refused for those conditions; the
 * default flip applies only to conditions without a side (resolve turns it off for the sided ones).
 */
export function checkSidedFlip(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const hflip = valueOrDefault(parsed, ['train', 'augment', 'hflip']);
  if (!hflip.field.present || typeof hflip.value !== 'number' || hflip.value === 0) return [];
  const sided = conditionsOf(fieldAt(parsed, ['data', 'condition']).value).filter(isSidedCondition);
  const range = firstRange(parsed, hflip.field, fieldAt(parsed, ['data', 'condition']));
  if (sided.length === 0 || !range) return [];
  return [
    {
      range,
      severity: 'error',
      code: 'flip-swaps-side',
      message:
        `train.augment.hflip is ${hflip.value}, but ${sided.join(', ')} ` +
        'is graded on one side: a horizontal flip shows the other side under the same label. Set train.augment.hflip: 0.',
      fixes: hflip.field.range
        ? [{ title: 'No horizontal flip', edit: { range: hflip.field.range, newText: '0' } }]
        : [],
    },
  ];
}

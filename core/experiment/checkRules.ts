// Rules that tie several fields together, checked once each field is individually valid.
import { backboneFacts } from '../models/registry';
import { fieldAt } from './fieldAt';
import { offsetAt, rangeOf, type ParsedExperiment } from './parse';
import type { ExperimentDiagnostic, QuickFix } from './positions';
import { experimentSchema } from './schema';
import type { ObjectNode } from './schemaNodes';

/** The backbones an experiment names, as a list whether it wrote one name or a sweep. */
export function backbonesOf(parsed: ParsedExperiment): string[] {
  const { value } = fieldAt(parsed, ['model', 'backbones']);
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function defaultOf(section: string, key: string, inner?: string): unknown {
  const sectionNode = experimentSchema.fields[section]?.node as ObjectNode;
  const field = sectionNode.fields[key];
  if (inner === undefined) return field?.default;
  return (field?.node as ObjectNode).fields[inner]?.default;
}

export function checkSplitSum(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const split = fieldAt(parsed, ['data', 'split']);
  if (!split.present || !split.keyRange) return [];
  const parts = (['train', 'val', 'test'] as const).map((part) => {
    const given = fieldAt(parsed, ['data', 'split', part]);
    return given.present ? given.value : defaultOf('data', 'split', part);
  });
  if (!parts.every((p) => typeof p === 'number' && Number.isFinite(p))) return [];
  const [train, val, test] = parts as number[];
  const sum = train! + val! + test!;
  if (Math.abs(sum - 1) <= 1e-6) return [];
  // Test takes what train and validation leave, when that is a fraction and test is written out to be changed.
  const testField = fieldAt(parsed, ['data', 'split', 'test']);
  const rest = Number((1 - train! - val!).toFixed(6));
  const fixes: QuickFix[] = [
    ...rescaleSplitFix(parsed, sum),
    ...(testField.present && testField.range && rest >= 0 && rest <= 1
      ? [{ title: `Set test to ${rest} (1 - train - val)`, edit: { range: testField.range, newText: String(rest) } }]
      : []),
  ];
  return [
    {
      range: split.keyRange,
      severity: 'error',
      code: 'split-sum',
      message: `data.split fractions must sum to 1, but train ${train} + val ${val} + test ${test} = ${Number(sum.toFixed(6))}.`,
      fixes,
    },
  ];
}

/**
 * Fractions divided by their sum and written with `decimals` digits, rounded by largest remainder so that they add
 * up to exactly 1: 0.7, 0.15, 0.2 (sum 1.05) become 0.67, 0.14, 0.19.
 */
function rescaledFractions(values: readonly number[], decimals: number): string[] {
  const unit = 10 ** decimals;
  const sum = values.reduce((a, b) => a + b, 0);
  const exact = values.map((value) => (value / sum) * unit);
  const units = exact.map(Math.floor);
  const byRemainder = exact
    .map((value, i) => ({ i, remainder: value - units[i]! }))
    .sort((a, b) => b.remainder - a.remainder);
  const missing = unit - units.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) units[byRemainder[k]!.i]! += 1;
  return units.map((n) => String(Number((n / unit).toFixed(decimals))));
}

/** Digits after the point in a number as written ("0.125" has 3). */
function writtenDecimals(text: string): number {
  return /\.(\d+)/.exec(text)?.[1]?.length ?? 0;
}

/**
 * The fix that divides each written fraction by their sum, in hundredths or as finely as the file writes them. One
 * edit spans the three values and keeps the text between them (keys, comments, line breaks) as it is. Offered only
 * when all three are written: a default left out could not be rescaled in place.
 */
function rescaleSplitFix(parsed: ParsedExperiment, sum: number): QuickFix[] {
  if (!(sum > 0)) return [];
  const fields = (['train', 'val', 'test'] as const).map((part) => fieldAt(parsed, ['data', 'split', part]));
  if (!fields.every((field) => field.present && field.range && typeof field.value === 'number')) return [];
  const spans = fields.map((field) => ({
    start: offsetAt(parsed, field.range!.start),
    end: offsetAt(parsed, field.range!.end),
  }));
  const texts = spans.map((span) => parsed.text.slice(span.start, span.end));
  const decimals = Math.min(6, Math.max(2, ...texts.map(writtenDecimals)));
  const rescaled = rescaledFractions(
    fields.map((field) => field.value as number),
    decimals,
  );
  const from = Math.min(...spans.map((span) => span.start));
  const to = Math.max(...spans.map((span) => span.end));
  // Replaced from the last value back, so the earlier offsets still hold.
  let newText = parsed.text.slice(from, to);
  for (const i of [0, 1, 2].sort((a, b) => spans[b]!.start - spans[a]!.start)) {
    newText = newText.slice(0, spans[i]!.start - from) + rescaled[i]! + newText.slice(spans[i]!.end - from);
  }
  return [
    {
      title: `Rescale the fractions to sum to 1 (train ${rescaled[0]}, val ${rescaled[1]}, test ${rescaled[2]})`,
      edit: { range: rangeOf(parsed, from, to), newText },
    },
  ];
}

/** split.fold names test folds, so it needs split.folds of at least 2 and each fold below it. */
export function checkFolds(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const fold = fieldAt(parsed, ['data', 'split', 'fold']);
  if (!fold.present || !fold.range) return [];
  const given = fieldAt(parsed, ['data', 'split', 'folds']);
  const folds = given.present ? given.value : defaultOf('data', 'split', 'folds');
  if (typeof folds !== 'number') return [];
  const wanted = (Array.isArray(fold.value) ? fold.value : [fold.value]).filter(
    (f): f is number => typeof f === 'number',
  );
  const message =
    folds < 2
      ? `data.split.fold picks a test fold, but data.split.folds is ${folds}: set folds to 2 or more for cross-validation, or remove fold.`
      : wanted.some((f) => f >= folds)
        ? `data.split.fold ${wanted.filter((f) => f >= folds).join(', ')} does not exist: with folds: ${folds} the folds are 0 to ${folds - 1}.`
        : undefined;
  return message === undefined
    ? []
    : [{ range: fold.range, severity: 'error', code: 'out-of-range', message, fixes: [] }];
}

export function checkUnfreeze(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const freeze = fieldAt(parsed, ['model', 'freeze_backbone']);
  if ((freeze.present ? freeze.value : defaultOf('model', 'freeze_backbone')) !== true) return [];
  const unfreeze = fieldAt(parsed, ['model', 'unfreeze_last_n']);
  const n = unfreeze.present ? unfreeze.value : defaultOf('model', 'unfreeze_last_n');
  if (typeof n !== 'number') return [];
  const range = unfreeze.range ?? fieldAt(parsed, ['model', 'backbones']).range;
  if (!range) return [];
  return backbonesOf(parsed).flatMap((name): ExperimentDiagnostic[] => {
    const facts = backboneFacts(name);
    if (!facts || n <= facts.paramTensors) return [];
    return [
      {
        range,
        severity: 'error',
        code: 'unfreeze-too-many',
        message: `model.unfreeze_last_n is ${n}, but ${name} has only ${facts.paramTensors} parameter tensors. Use at most ${facts.paramTensors}, or set freeze_backbone: false to train all of it.`,
        fixes: [],
      },
    ];
  });
}

/** The backbones take 3-channel images: one slice repeated, or three neighbouring slices. */
export function checkSlices(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const slices = fieldAt(parsed, ['data', 'input', 'slices']);
  if (typeof slices.value !== 'number' || slices.value === 1 || slices.value === 3 || !slices.range) return [];
  return [
    {
      range: slices.range,
      severity: 'error',
      code: 'out-of-range',
      message: `data.input.slices is ${slices.value}, but the backbones take 3-channel images: use 1 (the slice repeated) or 3 (the slice and its two neighbours).`,
      fixes: [{ title: 'Change to 3', edit: { range: slices.range, newText: '3' } }],
    },
  ];
}

/** Transformers with learned position embeddings (ViT, BEiT) run at the input size they were built for. */
export function checkFixedInputSize(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const size = fieldAt(parsed, ['data', 'input', 'size']);
  const value = size.present
    ? size.value
    : (((experimentSchema.fields.data!.node as ObjectNode).fields.input!.node as ObjectNode).fields.size!
        .default as number);
  const range = size.range ?? fieldAt(parsed, ['model', 'backbones']).range;
  if (typeof value !== 'number' || !range) return [];
  return backbonesOf(parsed).flatMap((name): ExperimentDiagnostic[] => {
    const facts = backboneFacts(name);
    if (!facts || (facts.family !== 'vit' && facts.family !== 'beit') || facts.inputSize === value) return [];
    return [
      {
        range,
        severity: 'error',
        code: 'out-of-range',
        message: `${name} takes ${facts.inputSize}×${facts.inputSize} images (its position embeddings fix the size), but data.input.size is ${value}. Set data.input.size: ${facts.inputSize}.`,
        fixes: size.range
          ? [{ title: `Change to ${facts.inputSize}`, edit: { range: size.range, newText: String(facts.inputSize) } }]
          : [],
      },
    ];
  });
}

/**
 * model.refine: only a localizer has a refinement stage; its training squares must keep the marked point inside
 * (jitter under half the side); and a transformer backbone takes only the input size it was built for.
 */
export function checkRefine(parsed: ParsedExperiment): ExperimentDiagnostic[] {
  const refine = fieldAt(parsed, ['model', 'refine']);
  if (!refine.present || !refine.keyRange) return [];
  const task = fieldAt(parsed, ['model', 'task']);
  if ((task.present ? task.value : defaultOf('model', 'task')) !== 'localizer') {
    return [
      {
        range: refine.keyRange,
        severity: 'warning',
        code: 'refine-without-localizer',
        message:
          "model.refine is a localizer's refinement stage; this experiment grades (model.task: classifier), so it is ignored.",
        fixes: [],
      },
    ];
  }
  const written = (key: string) => {
    const field = fieldAt(parsed, ['model', 'refine', key]);
    return { ...field, value: field.present ? field.value : defaultOf('model', 'refine', key) };
  };
  const [crop, jitter, size] = [written('crop_mm'), written('jitter_mm'), written('size')];
  const diagnostics: ExperimentDiagnostic[] = [];
  if (typeof crop.value === 'number' && typeof jitter.value === 'number' && jitter.value >= crop.value / 2) {
    diagnostics.push({
      range: jitter.range ?? refine.keyRange,
      severity: 'warning',
      code: 'out-of-range',
      message: `model.refine.jitter_mm is ${jitter.value}, half of crop_mm (${crop.value}) or more: a training square can leave its marked point outside. Keep it under ${crop.value / 2}.`,
      fixes: [],
    });
  }
  for (const name of backbonesOf(parsed)) {
    const facts = backboneFacts(name);
    if (!facts || (facts.family !== 'vit' && facts.family !== 'beit') || facts.inputSize === size.value) continue;
    diagnostics.push({
      range: size.range ?? refine.keyRange,
      severity: 'error',
      code: 'out-of-range',
      message: `${name} takes ${facts.inputSize}×${facts.inputSize} images (its position embeddings fix the size), but model.refine.size is ${String(size.value)}. Set model.refine.size: ${facts.inputSize}.`,
      fixes: [],
    });
  }
  return diagnostics;
}

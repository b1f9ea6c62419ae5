// Hover for experiment files: a key shows its meaning, type, default and range; a value shows what it means,
// and a backbone shows its facts from the model registry with the memory it needs at this batch size.
import { backboneFacts, describeUnfrozen } from '../models/registry';
import { engineLimitOf, stepFit, stepRequestFor, stepSettingsOf } from './checkMemory';
import { backbonesOf } from './checkRules';
import { fieldAt } from './fieldAt';
import { formatBytes, formatCount } from './format';
import { markdownText } from './markdownText';
import { nodeRange, offsetAt, pairsAt, wholeTextParser, type ExperimentParser, type ParsedExperiment } from './parse';
import type { HoverInfo, Position } from './positions';
import { experimentSchema } from './schema';
import { predictedPeak } from './stepPlan';
import { fieldForPath } from './schemaLookup';
import { describeNode, enumValuesOf, type FieldSpec, type ObjectNode } from './schemaNodes';

function fieldMarkdown(path: string[], field: FieldSpec): string {
  const lines = [
    `**${markdownText(path.join('.'))}** — ${markdownText(field.description)}`,
    '',
    `Type: ${markdownText(describeNode(field.node))}`,
  ];
  if (field.required) lines.push('', 'Required.');
  if (field.default !== undefined) lines.push('', `Default: \`${JSON.stringify(field.default)}\``);
  const values = enumValuesOf(field.node);
  if (values.length > 0 && values.length <= 16 && field.node.kind !== 'boolean') {
    lines.push('', `Values: ${values.map((v) => `\`${v}\``).join(', ')}`);
  }
  return lines.join('\n');
}

function unfreezeOf(parsed: ParsedExperiment): number {
  const given = fieldAt(parsed, ['model', 'unfreeze_last_n']).value;
  const fallback = (experimentSchema.fields.model!.node as ObjectNode).fields.unfreeze_last_n!.default as number;
  return typeof given === 'number' && Number.isInteger(given) && given >= 0 ? given : fallback;
}

/**
 * The engine's memory for a training step of this backbone under the file's settings (estimated, as validation
 * does), and how it fits the file's engine: one table row, or none while a setting it needs is not valid.
 */
function stepMemoryRow(name: string, parsed: ParsedExperiment): string[] {
  const settings = stepSettingsOf(parsed);
  const request = settings && stepRequestFor(settings, name);
  if (!request) return [];
  const asked = Math.ceil(request.batchSize / request.accumulateSteps);
  const passes = asked < request.batchSize ? ` in passes of ${asked}` : '';
  let cell = `≈ ${formatBytes(predictedPeak(request, asked))}`;
  const engine = engineLimitOf(parsed);
  if (engine) {
    const fit = stepFit(request, engine.limit);
    cell +=
      'refused' in fit
        ? `: does not fit ${engine.limit.what} even one image at a time`
        : fit.plan.microBatch < asked
          ? `: more than ${engine.limit.what}, so ${fit.plan.passes} micro-batches of at most ${fit.plan.microBatch} (≈ ${formatBytes(fit.plan.peakBytes!)})`
          : `: fits ${engine.limit.what}`;
  }
  return [
    `| Training step at batch ${request.batchSize}${passes}, ${request.inputSize} px (engine estimate) | ${cell} |`,
  ];
}

function backboneMarkdown(name: string, parsed: ParsedExperiment): string | undefined {
  const facts = backboneFacts(name);
  if (!facts) return undefined;
  const unfreeze = unfreezeOf(parsed);
  return [
    `**${markdownText(name)}** — ${markdownText(facts.description)}`,
    '',
    '| | |',
    '|---|---|',
    `| Parameters (without head) | ${facts.params.toLocaleString('en-US')} (${formatCount(facts.params)}) |`,
    `| Parameter tensors | ${facts.paramTensors} |`,
    `| Input size | ${facts.inputSize}×${facts.inputSize} |`,
    `| Feature width | ${facts.featureWidth} |`,
    `| Compute | ${facts.gflops} GFLOPs per image |`,
    `| Weights | ${markdownText(facts.source)} |`,
    ...stepMemoryRow(name, parsed),
    '',
    `Unfrozen with unfreeze_last_n: ${unfreeze}: ${markdownText(describeUnfrozen(name, unfreeze))}`,
  ].join('\n');
}

export function hoverExperiment(
  text: string,
  position: Position,
  _filePath: string,
  parser: ExperimentParser = wholeTextParser,
): HoverInfo | null {
  const parsed = parser.parse(text);
  const offset = offsetAt(parsed, position);
  const { steps, onKey, leaf } = pairsAt(parsed, offset);
  if (steps.length === 0) return null;
  const path = steps.map((step) => step.key);
  const last = steps[steps.length - 1]!;
  const field = fieldForPath(path);
  if (!field) return null;
  if (onKey) {
    const range = nodeRange(parsed, last.pair);
    if (!range) return null;
    let markdown = fieldMarkdown(path, field);
    if (path.join('.') === 'model.unfreeze_last_n') {
      // A backbone name not in the registry is a diagnostic already; the hover describes the known ones.
      markdown += `\n\n${backbonesOf(parsed)
        .filter((b) => backboneFacts(b) !== undefined)
        .map((b) => `${markdownText(b)}: ${markdownText(describeUnfrozen(b, unfreezeOf(parsed)))}`)
        .join('\n\n')}`;
    }
    return { markdown, range };
  }
  if (!leaf || typeof leaf.value !== 'string') return null;
  const range = nodeRange(parsed, leaf);
  if (!range) return null;
  const backbone = backboneMarkdown(leaf.value, parsed);
  if (backbone) return { markdown: backbone, range };
  const doc = valueDoc(field, leaf.value);
  return doc ? { markdown: `**${markdownText(leaf.value)}** — ${markdownText(doc)}`, range } : null;
}

function valueDoc(field: FieldSpec, value: string): string | undefined {
  const nodes = field.node.kind === 'oneOf' ? field.node.options : [field.node];
  for (const node of nodes) {
    const inner = node.kind === 'list' ? node.items : node;
    if (inner.kind === 'enum' && inner.valueDocs?.[value]) return inner.valueDocs[value];
  }
  return undefined;
}

// The commented experiments written by "RadLab: New Experiment", generated from the schema so every line shows its
// field's meaning and current default. Two templates: "quick start", a short file that trains in a minute or two on
// a CPU, and "full", every field at its default (the published configuration).
import { stringify } from 'yaml';
import { experimentSchema } from './schema';
import type { FieldSpec, ObjectNode } from './schemaNodes';

export type TemplateKind = 'quick-start' | 'full';

export interface TemplateOptions {
  name: string;
  /** Dataset folder as it should appear in the file (relative to the file, or absolute). */
  dataRoot: string;
  /** Write a data.synthetic block, so the demo dataset is generated at dataRoot on the first run. */
  synthetic?: boolean;
  /** Which template; the full one unless told. */
  kind?: TemplateKind;
}

/** The fields a template writes: `true` takes the field with everything under it. */
interface Selection {
  [key: string]: true | Selection;
}

/**
 * The quick start trains every layer of a small backbone from random weights on 64-pixel crops, the way the demo
 * does: no download, nothing frozen, and about 1.5 minutes for 8 epochs on 40 synthetic studies with 2 CPU cores.
 */
const quickStart: { selection: Selection; values: Record<string, unknown> } = {
  selection: {
    name: true,
    description: true,
    data: { root: true, synthetic: true, condition: true, levels: true, input: { mode: true, size: true } },
    model: { backbones: true, pretrained: true, freeze_backbone: true },
    train: { optimizer: { name: true, lr: true }, schedule: true, batch_size: true, epochs: true, seed: true },
    output: true,
  },
  values: {
    description:
      'Quick start: ResNet-18 trained from scratch on 64-pixel crops for 8 epochs (a minute or two on a CPU).',
    data: { input: { size: 64 } },
    model: { backbones: 'resnet18', pretrained: 'none', freeze_backbone: false },
    // Decaying the rate after a warm-up epoch lets BatchNorm's running statistics settle before the best epoch is
    // picked; a higher peak rate than the default suits training from scratch.
    train: { optimizer: { lr: 1.0e-3 }, schedule: { name: 'cosine', warmup_epochs: 1 }, epochs: 8 },
  },
};

function scalarText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(scalarText).join(', ')}]`;
  return stringify(value, { lineWidth: 0 }).trim();
}

function writeFields(
  object: ObjectNode,
  values: Record<string, unknown>,
  selection: Selection | 'all',
  indent: string,
  out: string[],
): void {
  for (const [key, field] of Object.entries(object.fields)) {
    const selected = selection === 'all' ? 'all' : selection[key] === true ? 'all' : selection[key];
    if (selected === undefined) continue;
    const given = values[key];
    if (field.node.kind === 'object') {
      if (field.enables && given === undefined) continue;
      out.push(`${indent}# ${field.description}`, `${indent}${key}:`);
      writeFields(field.node, (given as Record<string, unknown>) ?? {}, selected, `${indent}  `, out);
      continue;
    }
    const value = given ?? valueFor(field);
    out.push(`${indent}# ${field.description}`);
    out.push(value === undefined ? `${indent}# ${key}:` : `${indent}${key}: ${scalarText(value)}`);
  }
}

function valueFor(field: FieldSpec): unknown {
  return field.default ?? field.example;
}

/** Merges `extra` into `base`, section by section. */
function mergeValues(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = merged[key];
    const bothSections =
      typeof value === 'object' && value !== null && !Array.isArray(value) && typeof current === 'object';
    merged[key] = bothSections
      ? mergeValues(current as Record<string, unknown>, value as Record<string, unknown>)
      : value;
  }
  return merged;
}

export function experimentTemplate(options: TemplateOptions): string {
  const kind = options.kind ?? 'full';
  const lines = [
    '# RadLab experiment. Hover a key for its meaning and range, press Ctrl+Space for the values it accepts.',
    '# Run it with "RadLab: Run Experiment" or `radlab run <this file>`.',
  ];
  if (kind === 'quick-start') {
    lines.push('# Every field left out takes its default: hover a section and press Ctrl+Space to add one.');
  }
  const data: Record<string, unknown> = { root: options.dataRoot };
  if (options.synthetic) data.synthetic = {};
  const own = { name: options.name, data };
  if (kind === 'full') {
    writeFields(experimentSchema, own, 'all', '', lines);
  } else {
    writeFields(experimentSchema, mergeValues(own, quickStart.values), quickStart.selection, '', lines);
  }
  return `${lines.join('\n')}\n`;
}

// The commented experiment written by "RadLab: New Experiment", generated from the schema so it always shows
// every field with its current default and meaning.
import { stringify } from 'yaml';
import { experimentSchema } from './schema';
import type { FieldSpec, ObjectNode } from './schemaNodes';

export interface TemplateOptions {
  name: string;
  /** Dataset folder as it should appear in the file (relative to the file, or absolute). */
  dataRoot: string;
  /** Write a data.synthetic block, so the demo dataset is generated at dataRoot on the first run. */
  synthetic?: boolean;
}

function scalarText(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(scalarText).join(', ')}]`;
  return stringify(value).trim();
}

function writeFields(object: ObjectNode, values: Record<string, unknown>, indent: string, out: string[]): void {
  for (const [key, field] of Object.entries(object.fields)) {
    const given = values[key];
    if (field.node.kind === 'object') {
      if (field.enables && given === undefined) continue;
      out.push(`${indent}# ${field.description}`, `${indent}${key}:`);
      writeFields(field.node, (given as Record<string, unknown>) ?? {}, `${indent}  `, out);
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

export function experimentTemplate(options: TemplateOptions): string {
  const lines = [
    '# RadLab experiment. Hover a key for its meaning and range, press Ctrl+Space for the values it accepts.',
    '# Run it with "RadLab: Run Experiment" or `radlab run <this file>`.',
  ];
  const data: Record<string, unknown> = { root: options.dataRoot };
  if (options.synthetic) data.synthetic = {};
  writeFields(experimentSchema, { name: options.name, data }, '', lines);
  return `${lines.join('\n')}\n`;
}

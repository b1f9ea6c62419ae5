// `radlab docs [--write README.md]`: prints the experiment file reference, or updates it inside a README.
import { readFileSync, writeFileSync } from 'node:fs';
import { stdout } from 'node:process';
import { parseArgs } from 'node:util';
import { experimentReferenceMarkdown, spliceReference } from '../experiment/reference';

export async function run(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { write: { type: 'string' } } });
  if (values.write === undefined) {
    stdout.write(`${experimentReferenceMarkdown()}\n`);
    return 0;
  }
  writeFileSync(values.write, spliceReference(readFileSync(values.write, 'utf8')));
  stdout.write(`Updated the experiment reference in ${values.write}\n`);
  return 0;
}

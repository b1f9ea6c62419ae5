// `radlab validate <file> [--json]`: the language server's diagnostics on the command line.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { stderr, stdout } from 'node:process';
import type { ExperimentDiagnostic } from '../experiment/positions';
import { validateExperiment } from '../experiment/validate';
import { parseCommandArgs } from './commandArgs';

const USAGE = 'Usage: radlab validate <file.experiment.yaml> [--json] [--no-dataset-check]';

function formatHuman(file: string, diagnostics: ExperimentDiagnostic[]): string {
  if (diagnostics.length === 0) return `${file}: no problems\n`;
  const lines = diagnostics.map(
    (d) => `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity} [${d.code}] ${d.message}`,
  );
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  return `${lines.join('\n')}\n${errors} error(s), ${diagnostics.length - errors} other problem(s)\n`;
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseCommandArgs('validate', USAGE, args, {
    json: { type: 'boolean', default: false },
    'no-dataset-check': { type: 'boolean', default: false },
  });
  if (parsed === undefined) return 2;
  const [file, ...extra] = parsed.positionals;
  if (file === undefined || extra.length > 0) {
    stderr.write(`radlab validate: give exactly one experiment file.\n${USAGE}\n`);
    return 2;
  }
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    stderr.write(
      `radlab validate: cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}\n`,
    );
    return 2;
  }
  const diagnostics = validateExperiment(text, {
    filePath: absolute,
    checkDataset: !parsed.values['no-dataset-check'],
  });
  if (parsed.values.json) {
    const records = diagnostics.map((d) => ({
      file: absolute,
      range: d.range,
      severity: d.severity,
      message: d.message,
      code: d.code,
    }));
    stdout.write(`${JSON.stringify(records, null, 2)}\n`);
  } else {
    stdout.write(formatHuman(file, diagnostics));
  }
  return diagnostics.some((d) => d.severity === 'error') ? 1 : 0;
}

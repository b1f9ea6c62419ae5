// `radlab model`: what the registry knows about a backbone, for people choosing one and for scripts (--json).
import { BACKBONE_NAMES, backboneFacts, suggestBackbone, type BackboneFacts } from '../models/registry';

const USAGE = 'usage: radlab model <backbone> [--json]\n       radlab model --list [--json]\n';

// How many cumulative block boundaries the readable view lists for choosing `unfreeze_last_n`.
const BOUNDARIES_SHOWN = 4;

export interface CommandOutput {
  out(text: string): void;
  err(text: string): void;
}

/** Writes to the process's stdout and stderr: the commands' default output. */
export const processOutput: CommandOutput = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The machine-readable summary; `params` and `tensors` are without the classification head. */
export interface BackboneSummary {
  name: string;
  params: number;
  tensors: number;
  inputSize: number;
  featureWidth: number;
  gflops: number;
}

function summaryOf(facts: BackboneFacts): BackboneSummary {
  return {
    name: facts.name,
    params: facts.params,
    tensors: facts.paramTensors,
    inputSize: facts.inputSize,
    featureWidth: facts.featureWidth,
    gflops: facts.gflops,
  };
}

const grouped = (value: number): string => value.toLocaleString('en-US');

function blockBoundaries(facts: BackboneFacts): string {
  let cumulative = 0;
  return facts.tail
    .slice(0, BOUNDARIES_SHOWN)
    .map((group) => {
      cumulative += group.tensors;
      return `${cumulative} (to ${group.block})`;
    })
    .join(', ');
}

function describe(facts: BackboneFacts): string {
  const rows: [string, string][] = [
    ['parameters (no head)', grouped(facts.params)],
    ['parameter tensors', String(facts.paramTensors)],
    ['input size', `${facts.inputSize} x ${facts.inputSize}`],
    ['feature width', String(facts.featureWidth)],
    ['GFLOPs', `${facts.gflops.toFixed(2)} (multiply-adds per image, torchvision's convention)`],
    ['unfreeze_last_n', `whole blocks at ${blockBoundaries(facts)}, ...`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}\n`);
  return `${facts.name}: ${facts.description}\n${lines.join('')}`;
}

function listTable(): string {
  const header = ['backbone', 'params (no head)', 'tensors', 'input', 'features', 'GFLOPs', 'description'];
  const rows = BACKBONE_NAMES.map((name) => {
    const facts = backboneFacts(name);
    return [
      name,
      grouped(facts.params),
      String(facts.paramTensors),
      String(facts.inputSize),
      String(facts.featureWidth),
      facts.gflops.toFixed(2),
      facts.description,
    ];
  });
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  // Text columns align left, numbers right; the last column is not padded.
  const format = (row: string[]): string =>
    row
      .map((cell, column) =>
        column === 0 ? cell.padEnd(widths[column]!) : column === row.length - 1 ? cell : cell.padStart(widths[column]!),
      )
      .join('  ');
  const note = "GFLOPs are multiply-adds per image at the input size, torchvision's convention.";
  return `${[header, ...rows].map(format).join('\n')}\n${note}\n`;
}

export async function run(args: string[], io: CommandOutput = processOutput): Promise<number> {
  let json = false;
  let list = false;
  const names: string[] = [];
  for (const arg of args) {
    if (arg === '--json') {
      json = true;
    } else if (arg === '--list') {
      list = true;
    } else if (arg === '--help' || arg === '-h') {
      io.out(USAGE);
      return 0;
    } else if (arg.startsWith('-')) {
      io.err(`radlab model: unknown option '${arg}'\n${USAGE}`);
      return 2;
    } else {
      names.push(arg);
    }
  }
  if (list ? names.length > 0 : names.length !== 1) {
    io.err(`radlab model: give one backbone name, or --list\n${USAGE}`);
    return 2;
  }
  if (list) {
    const summaries = BACKBONE_NAMES.map((name) => summaryOf(backboneFacts(name)));
    io.out(json ? `${JSON.stringify(summaries, null, 2)}\n` : listTable());
    return 0;
  }
  const name = names[0]!;
  const facts = backboneFacts(name);
  if (facts === undefined) {
    const suggestion = suggestBackbone(name);
    io.err(
      `radlab model: unknown backbone '${name}'.${suggestion ? ` Did you mean '${suggestion}'?` : ''}\n` +
        `Known backbones: ${BACKBONE_NAMES.join(', ')} (radlab model --list shows their facts).\n`,
    );
    return 1;
  }
  io.out(json ? `${JSON.stringify(summaryOf(facts), null, 2)}\n` : describe(facts));
  return 0;
}

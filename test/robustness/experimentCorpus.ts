// The fuzz corpus for the language server and `radlab validate`: seeded random edits of valid experiment files,
// random YAML, random bytes, very long lines and deep nesting. The same generator feeds the test (a few dozen
// documents) and bench/robustness/lspFuzz.ts (10,000), so the bench measures what the test checks.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SeededRandom } from './seededRandom';

const root = resolve(__dirname, '../..');

/** Valid experiment files written by hand elsewhere in the repository; every mutation starts from one of them. */
export const validExperiments: readonly string[] = [
  'test/fixtures/lsp/valid.experiment.yaml',
  'test/fixtures/experiment/valid.experiment.yaml',
  'examples/demo.experiment.yaml',
].map((path) => readFileSync(resolve(root, path), 'utf8'));

export type DocumentKind = 'edited' | 'random-yaml' | 'random-bytes' | 'long-line' | 'deep-nesting';

export interface FuzzDocument {
  kind: DocumentKind;
  text: string;
}

// Keys and values the schema knows, YAML syntax that changes structure, and characters editors mishandle.
const TOKENS = [
  'name',
  'data',
  'root',
  'condition',
  'levels',
  'series',
  'input',
  'split',
  'model',
  'backbones',
  'pretrained',
  'train',
  'epochs',
  'batch_size',
  'optimizer',
  'lr',
  'output',
  'engine',
  'synthetic',
  'head',
  'hidden',
  'resnet18',
  'convnext_base',
  'spinal_canal_stenosis',
  'L1/L2',
  'L5/S1',
  'auto',
  'wasm',
  'adamw',
  'none',
  '0',
  '-1',
  '1e999',
  '.nan',
  '-.inf',
  '0x1F',
  '999999999999999999999',
  'true',
  'null',
  '~',
  '""',
  "''",
  ':',
  ': ',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '#',
  '&anchor ',
  '*anchor',
  '*missing',
  '!!binary ',
  '!!str ',
  '!custom ',
  '? ',
  '|',
  '>-',
  '---',
  '...',
  '%YAML 1.2',
  '<<: *anchor',
  '"unterminated',
  "'also",
  '\\',
  '\t',
  '\r',
  '\r\n',
  '\n',
  '\n  ',
  '\u0000',
  '\ufeff',
  '\u2028',
  '😀',
  'é',
  '\ud800',
  '../../../../etc/passwd',
  '/dev/zero',
  'C:\\x',
];

function mutateOnce(text: string, random: SeededRandom): string {
  const at = random.int(0, text.length);
  const lines = text.split('\n');
  const line = random.int(0, Math.max(0, lines.length - 1));
  switch (random.int(0, 6)) {
    case 0: // insert a token
      return text.slice(0, at) + random.pick(TOKENS) + text.slice(at);
    case 1: // delete a span
      return text.slice(0, at) + text.slice(Math.min(text.length, at + random.int(1, 40)));
    case 2: // duplicate a line (duplicate keys, repeated list items)
      lines.splice(line, 0, lines[line] ?? '');
      return lines.join('\n');
    case 3: {
      // swap two lines (a child under the wrong parent)
      const other = random.int(0, lines.length - 1);
      [lines[line], lines[other]] = [lines[other]!, lines[line]!];
      return lines.join('\n');
    }
    case 4: // re-indent a line
      lines[line] = random.pick(['', ' ', '   ', '\t', '        ']) + (lines[line] ?? '').trimStart();
      return lines.join('\n');
    case 5: {
      // replace a value
      const colon = (lines[line] ?? '').indexOf(':');
      if (colon >= 0) lines[line] = `${lines[line]!.slice(0, colon + 1)} ${random.pick(TOKENS)}`;
      return lines.join('\n');
    }
    default: // flip one character's code
      return at >= text.length
        ? text
        : text.slice(0, at) + String.fromCharCode(random.int(0, 0xffff)) + text.slice(at + 1);
  }
}

export function editedExperiment(random: SeededRandom): string {
  let text = random.pick(validExperiments);
  for (let edits = random.int(1, 6); edits > 0; edits--) text = mutateOnce(text, random);
  return text;
}

function randomScalar(random: SeededRandom): string {
  return random.chance(0.5) ? random.pick(TOKENS).trim() || 'x' : String(random.int(-1e6, 1e6) / random.int(1, 100));
}

function randomYamlNode(random: SeededRandom, depth: number, indent: string): string {
  if (depth === 0 || random.chance(0.3)) return ` ${randomScalar(random)}`;
  const items = random.int(1, 4);
  const parts: string[] = [];
  if (random.chance(0.2)) {
    for (let i = 0; i < items; i++) parts.push(randomScalar(random));
    return random.chance(0.5)
      ? ` [${parts.join(', ')}]`
      : ` {${parts.map((p) => `${p}: ${randomScalar(random)}`).join(', ')}}`;
  }
  const sequence = random.chance(0.3);
  for (let i = 0; i < items; i++) {
    const key = sequence ? '-' : `${random.pick(TOKENS).trim() || 'k'}:`;
    parts.push(`\n${indent}${key}${randomYamlNode(random, depth - 1, `${indent}  `)}`);
  }
  return parts.join('');
}

export function randomYaml(random: SeededRandom): string {
  const lines: string[] = [];
  for (let i = random.int(1, 8); i > 0; i--)
    lines.push(`${random.pick(TOKENS).trim() || 'k'}:${randomYamlNode(random, random.int(0, 4), '  ')}`);
  return `${lines.join('\n')}\n`;
}

export function longLine(random: SeededRandom, length: number): string {
  const base = random.pick(validExperiments).split('\n');
  const filler = random
    .pick(['x', 'ab ', '[1, ', '{a: ', '"', '# ', 'L1/L2, '])
    .repeat(Math.ceil(length / 3))
    .slice(0, length);
  base.splice(random.int(0, base.length), 0, random.chance(0.5) ? `description: ${filler}` : filler);
  return base.join('\n');
}

export function deepNesting(random: SeededRandom, depth: number): string {
  // Indentation grows the text with the square of the depth: block nesting stops at 1,000 levels (0.5 MB).
  const blockDepth = Math.min(depth, 1_000);
  switch (random.int(0, 3)) {
    case 0:
      return `name: deep\ndata: ${'['.repeat(depth)}${']'.repeat(depth)}\n`;
    case 1:
      return `name: deep\nmodel: ${'{a: '.repeat(depth)}1${'}'.repeat(random.chance(0.5) ? depth : 0)}\n`;
    case 2:
      return `name: deep\n${Array.from({ length: blockDepth }, (_, i) => `${' '.repeat(i)}train:`).join('\n')} 1\n`;
    default:
      return `name: deep\nlevels:\n${Array.from({ length: blockDepth }, (_, i) => `${' '.repeat(i + 2)}-`).join('\n')} L1/L2\n`;
  }
}

export interface CorpusSizes {
  /** Characters of the long lines. */
  longLine: number;
  /** Nesting depth of the deep documents. */
  depth: number;
}

/** The i-th document of the corpus for `seed`: each document depends only on (seed, i), so any one is reproducible. */
export function fuzzDocument(seed: number, index: number, sizes: CorpusSizes): FuzzDocument {
  const random = new SeededRandom(seed * 100_003 + index);
  const roll = random.next();
  if (roll < 0.6) return { kind: 'edited', text: editedExperiment(random) };
  if (roll < 0.75) return { kind: 'random-yaml', text: randomYaml(random) };
  if (roll < 0.85) {
    const bytes = random.bytes(random.int(0, 4096));
    return { kind: 'random-bytes', text: random.chance(0.5) ? bytes.toString('latin1') : bytes.toString('utf8') };
  }
  if (roll < 0.93) return { kind: 'long-line', text: longLine(random, random.int(sizes.longLine / 4, sizes.longLine)) };
  return { kind: 'deep-nesting', text: deepNesting(random, random.int(sizes.depth / 4, sizes.depth)) };
}

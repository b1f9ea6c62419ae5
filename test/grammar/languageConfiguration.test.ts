// syntaxes/language-configuration.json: it must parse, its regexes must compile as VS Code compiles them (JS
// RegExp), and the editing behaviour they encode must hold on typical experiment lines.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';

const repoRoot = join(__dirname, '..', '..');

interface OnEnterRule {
  beforeText: string;
  afterText?: string;
  action: { indent: string; appendText?: string };
}

interface LanguageConfiguration {
  comments: { lineComment: string };
  brackets: [string, string][];
  autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
  surroundingPairs: [string, string][];
  folding: { offSide: boolean; markers: { start: string; end: string } };
  indentationRules: { increaseIndentPattern: string; decreaseIndentPattern: string };
  onEnterRules: OnEnterRule[];
  wordPattern: string;
}

const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const language = manifest.contributes.languages.find((l: { id: string }) => l.id === 'radlab-experiment');
const config = JSON.parse(readFileSync(join(repoRoot, language.configuration), 'utf8')) as LanguageConfiguration;

/** The word VS Code selects at `column`: the match of wordPattern that contains it. */
function wordAt(line: string, column: number): string | undefined {
  for (const match of line.matchAll(new RegExp(config.wordPattern, 'g'))) {
    if (match.index <= column && column < match.index + match[0].length) return match[0];
  }
  return undefined;
}

function firstEnterRule(before: string, after = ''): OnEnterRule | undefined {
  return config.onEnterRules.find(
    (rule) =>
      new RegExp(rule.beforeText).test(before) &&
      (rule.afterText === undefined || new RegExp(rule.afterText).test(after)),
  );
}

describe('language configuration', () => {
  test('comments, brackets and pairs', () => {
    assert.equal(config.comments.lineComment, '#');
    assert.deepEqual(config.brackets, [
      ['{', '}'],
      ['[', ']'],
    ]);
    const closing = Object.fromEntries(config.autoClosingPairs.map((p) => [p.open, p.close]));
    assert.deepEqual(closing, { '{': '}', '[': ']', '"': '"', "'": "'" });
    assert.deepEqual(config.surroundingPairs.map((p) => p.join('')).sort(), ['""', "''", '[]', '{}']);
  });

  test('folding follows indentation', () => {
    assert.equal(config.folding.offSide, true);
    assert.match('  # region data', new RegExp(config.folding.markers.start));
    assert.match('# endregion', new RegExp(config.folding.markers.end));
  });

  test('indentation increases after a line ending in ":" and after an open bracket', () => {
    const increase = new RegExp(config.indentationRules.increaseIndentPattern);
    for (const line of [
      'data:',
      '  input:',
      '  split:   # how studies are divided',
      '- window:',
      'description: |',
      '  levels: [',
    ]) {
      assert.match(line, increase);
    }
    for (const line of ['name: canal', '  lr: 1.0e-4', '# note:', '  root: "c:"', '  - L4/L5']) {
      assert.doesNotMatch(line, increase);
    }
    const decrease = new RegExp(config.indentationRules.decreaseIndentPattern);
    assert.match('  ]', decrease);
    assert.match('}', decrease);
    assert.doesNotMatch('  levels: []', decrease);
  });

  test('Enter indents after a key that opens a block, and between brackets', () => {
    assert.equal(firstEnterRule('model:')?.action.indent, 'indent');
    assert.equal(firstEnterRule('  head:  # the MLP head')?.action.indent, 'indent');
    assert.equal(firstEnterRule('description: >-')?.action.indent, 'indent');
    assert.equal(firstEnterRule('  input: {', '}')?.action.indent, 'indentOutdent');
    assert.equal(firstEnterRule('  epochs: 30'), undefined);
  });

  test('Enter after "- key: value" lines up the next line with the key', () => {
    const rule = firstEnterRule('    - name: study-1');
    assert.equal(rule?.action.indent, 'none');
    assert.equal(rule?.action.appendText, '  ');
    assert.equal(firstEnterRule('    - L4/L5'), undefined);
  });

  test('words: levels, numbers in exponent form, backbone names and paths stay whole', () => {
    const check = (line: string, word: string, offset = 1) => {
      const column = line.indexOf(word) + offset;
      assert.equal(wordAt(line, column), word, `word at ${column} of ${JSON.stringify(line)}`);
    };
    check('  levels: [L1/L2, L4/L5]', 'L4/L5');
    check('  levels: [L1/L2, L4/L5]', 'L4/L5', 3);
    check('  optimizer: { lr: 1.0e-4, weight_decay: 0.02 }', '1.0e-4');
    check('  optimizer: { lr: 1.0e-4, weight_decay: 0.02 }', '1.0e-4', 4);
    check('  optimizer: { lr: 1.0e-4, weight_decay: 0.02 }', 'weight_decay');
    check('  backbones: [convnext_base, efficientnet_v2_m]', 'efficientnet_v2_m', 14);
    check('  root: ../data/rsna-2024-lsdc  # dataset', '../data/rsna-2024-lsdc', 10);
    check('  engine: tfjs-node-gpu', 'tfjs-node-gpu', 6);
    check('  grad_clip: -0.5', '-0.5');
    check('  root: x', 'root', 3);
    assert.equal(wordAt('  root: x', 6), undefined, 'the colon is not part of a word');
    assert.doesNotMatch('', new RegExp(config.wordPattern), 'a pattern matching the empty string hangs VS Code');
  });
});

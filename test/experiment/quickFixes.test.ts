// Quick fixes the validator offers where the fix is known, applied to the text and validated again: the fixed file
// must no longer carry the problem, and a string that is not a number gets no fix.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateExperiment } from '../../core/experiment/languageService';
import type { Range } from '../../core/experiment/positions';

const file = join(__dirname, '..', 'fixtures', 'experiment', 'inline.experiment.yaml');

function applyEdit(text: string, range: Range, newText: string): string {
  const lines = text.split('\n');
  const offset = (line: number, character: number) =>
    lines.slice(0, line).reduce((sum, l) => sum + l.length + 1, 0) + character;
  return (
    text.slice(0, offset(range.start.line, range.start.character)) +
    newText +
    text.slice(offset(range.end.line, range.end.character))
  );
}

const experiment = (lr: string) =>
  [
    'name: quick-fix',
    'data:',
    '  root: .',
    '  condition: spinal_canal_stenosis',
    'model:',
    '  backbones: resnet18',
    '  pretrained: none',
    '  freeze_backbone: false',
    'train:',
    `  optimizer: { name: adamw, lr: ${lr} }`,
    '',
  ].join('\n');

const wrongTypes = (text: string) =>
  validateExperiment(text, { filePath: file, checkDataset: false }).filter((d) => d.code === 'wrong-type');

describe('quick fix: a number written as a string', () => {
  for (const [written, expected] of [
    ['"1e-4"', '1e-4'],
    ["'0.001'", '0.001'],
    ['" 3.0e-4 "', '3.0e-4'],
  ]) {
    it(`turns lr: ${written} into the number`, () => {
      const text = experiment(written!);
      const [problem] = wrongTypes(text);
      assert.ok(problem !== undefined, 'the quoted number is reported');
      assert.equal(problem.fixes.length, 1);
      const fix = problem.fixes[0]!;
      const fixed = applyEdit(text, fix.edit.range, fix.edit.newText);
      assert.equal(fixed.split('\n')[9], `  optimizer: { name: adamw, lr: ${expected} }`);
      assert.deepEqual(wrongTypes(fixed), [], 'the fixed file has no wrong-type problem');
    });
  }

  it('offers nothing for a string that is not a number', () => {
    const [problem] = wrongTypes(experiment('"fast"'));
    assert.ok(problem !== undefined);
    assert.deepEqual(problem.fixes, []);
  });
});

describe('quick fix: split fractions that do not sum to 1', () => {
  const withSplit = (split: string) =>
    [
      'name: quick-fix',
      'data:',
      '  root: .',
      '  condition: spinal_canal_stenosis',
      `  split: ${split}`,
      'model:',
      '  backbones: resnet18',
      '  pretrained: none',
      '  freeze_backbone: false',
      '',
    ].join('\n');
  const splitSums = (text: string) =>
    validateExperiment(text, { filePath: file, checkDataset: false }).filter((d) => d.code === 'split-sum');

  it('sets test to what train and val leave: 1 - 0.7 - 0.15 = 0.15', () => {
    const text = withSplit('{ train: 0.7, val: 0.15, test: 0.2 }');
    const [problem] = splitSums(text);
    assert.ok(problem !== undefined);
    const fix = problem.fixes[0]!;
    assert.equal(fix.title, 'Set test to 0.15 (1 - train - val)');
    const fixed = applyEdit(text, fix.edit.range, fix.edit.newText);
    assert.equal(fixed.split('\n')[4], '  split: { train: 0.7, val: 0.15, test: 0.15 }');
    assert.deepEqual(splitSums(fixed), []);
  });

  it('offers nothing when train and val alone exceed 1', () => {
    const [problem] = splitSums(withSplit('{ train: 0.9, val: 0.2, test: 0.1 }'));
    assert.ok(problem !== undefined);
    assert.deepEqual(problem.fixes, []);
  });
});

describe('quick fix: a data root that does not exist', () => {
  const text = [
    'name: quick-fix',
    'data:',
    '  root: ../not-there-yet  # a new dataset',
    '  condition: spinal_canal_stenosis',
    'model:',
    '  backbones: resnet18',
    '  pretrained: none',
    '  freeze_backbone: false',
    '',
  ].join('\n');
  const missing = (source: string) =>
    validateExperiment(source, { filePath: file, checkDataset: true }).filter((d) => d.code === 'path-missing');

  it('adds data.synthetic under data.root, after which the missing folder is no error', () => {
    const [problem] = missing(text);
    assert.ok(problem !== undefined, 'the missing root is reported');
    const fix = problem.fixes.find((f) => /synthetic/.test(f.title));
    assert.ok(fix !== undefined, 'a synthetic-dataset fix is offered');
    const fixed = applyEdit(text, fix.edit.range, fix.edit.newText);
    assert.deepEqual(fixed.split('\n').slice(2, 4), ['  root: ../not-there-yet  # a new dataset', '  synthetic: {}']);
    assert.deepEqual(missing(fixed), []);
  });

  it('offers nothing when data is written on one line', () => {
    const flow =
      'name: q\ndata: { root: ../not-there-yet, condition: spinal_canal_stenosis }\nmodel:\n  backbones: resnet18\n';
    const [problem] = missing(flow);
    assert.ok(problem !== undefined);
    assert.deepEqual(problem.fixes, []);
  });
});

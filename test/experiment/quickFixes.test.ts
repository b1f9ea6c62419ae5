// Quick fixes the validator offers where the fix is known, applied to the text and validated again: the fixed file
// must no longer carry the problem, and a string that is not a number gets no fix.
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
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

  const fixed = (text: string, title: RegExp) => {
    const [problem] = splitSums(text);
    assert.ok(problem !== undefined, 'the sum is reported');
    const fix = problem.fixes.find((f) => title.test(f.title));
    assert.ok(fix !== undefined, `a fix titled ${title} among ${problem.fixes.map((f) => f.title).join(' | ')}`);
    return { title: fix.title, text: applyEdit(text, fix.edit.range, fix.edit.newText) };
  };

  it('sets test to what train and val leave: 1 - 0.7 - 0.15 = 0.15', () => {
    const text = withSplit('{ train: 0.7, val: 0.15, test: 0.2 }');
    const result = fixed(text, /^Set test/);
    assert.equal(result.title, 'Set test to 0.15 (1 - train - val)');
    assert.equal(result.text.split('\n')[4], '  split: { train: 0.7, val: 0.15, test: 0.15 }');
    assert.deepEqual(splitSums(result.text), []);
  });

  it('rescales 0.7 + 0.15 + 0.2 = 1.05 to 0.67 + 0.14 + 0.19 (largest remainder: 66.7, 14.3, 19.0 hundredths)', () => {
    const result = fixed(withSplit('{ train: 0.7, val: 0.15, test: 0.2 }'), /^Rescale/);
    assert.equal(result.title, 'Rescale the fractions to sum to 1 (train 0.67, val 0.14, test 0.19)');
    assert.equal(result.text.split('\n')[4], '  split: { train: 0.67, val: 0.14, test: 0.19 }');
    assert.deepEqual(splitSums(result.text), []);
  });

  it('rescales a block written in another order and keeps the comment between the values', () => {
    // 0.4 / 1.2, 0.6 / 1.2, 0.2 / 1.2 = 33.3, 50, 16.7 hundredths: the missing hundredth goes to val (.67 left over).
    const text = withSplit('').replace(
      '  split: \n',
      '  split:\n    test: 0.4   # held out\n    train: 0.6\n    val: 0.2\n    seed: 3\n',
    );
    const result = fixed(text, /^Rescale/);
    assert.deepEqual(result.text.split('\n').slice(4, 9), [
      '  split:',
      '    test: 0.33   # held out',
      '    train: 0.5',
      '    val: 0.17',
      '    seed: 3',
    ]);
    assert.deepEqual(splitSums(result.text), []);
  });

  it('rescales in thousandths when the file writes them: 0.625, 0.125, 0.375 become 0.556, 0.111, 0.333', () => {
    const result = fixed(withSplit('{ train: 0.625, val: 0.125, test: 0.375 }'), /^Rescale/);
    assert.equal(result.text.split('\n')[4], '  split: { train: 0.556, val: 0.111, test: 0.333 }');
    assert.deepEqual(splitSums(result.text), []);
  });

  it('offers only the rescale when train and val alone exceed 1 (0.9, 0.2, 0.1 become 0.75, 0.17, 0.08)', () => {
    const [problem] = splitSums(withSplit('{ train: 0.9, val: 0.2, test: 0.1 }'));
    assert.ok(problem !== undefined);
    assert.deepEqual(
      problem.fixes.map((f) => f.title),
      ['Rescale the fractions to sum to 1 (train 0.75, val 0.17, test 0.08)'],
    );
  });

  it('offers no fix when test is left at its default (0.2): neither can be written in place', () => {
    const [problem] = splitSums(withSplit('{ train: 0.7, val: 0.15 }'));
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

  it('offers each dataset folder found, written relative to the experiment file, before data.synthetic', () => {
    // Nothing needs to exist: the folders are given, and the root is missing wherever the workspace is.
    const workspace = join(tmpdir(), 'radlab-quick-fix-workspace');
    const experimentFile = join(workspace, 'experiments', 'a.experiment.yaml');
    const folders = [join(workspace, 'data', 'rsna mini'), join(workspace, 'data', 'synth')];
    const problems = validateExperiment(text, {
      filePath: experimentFile,
      checkDataset: true,
      datasetFolders: () => folders,
    }).filter((d) => d.code === 'path-missing');
    assert.deepEqual(
      problems[0]?.fixes.map((f) => [f.title, f.edit.newText]),
      [
        ['Use dataset folder ../data/rsna mini', '"../data/rsna mini"'],
        ['Use dataset folder ../data/synth', '../data/synth'],
        ['Generate a synthetic dataset there on the first run (add data.synthetic)', '\n  synthetic: {}'],
      ],
    );
    const fix = problems[0]!.fixes[1]!;
    assert.equal(
      applyEdit(text, fix.edit.range, fix.edit.newText).split('\n')[2],
      '  root: ../data/synth  # a new dataset',
    );
  });

  it('offers the dataset folders for a root that exists but is not a dataset, leaving that folder out', () => {
    const folder = join(__dirname, '..', 'fixtures', 'experiment');
    const elsewhere = join(folder, '..', 'datasets-elsewhere');
    const incomplete = validateExperiment(text.replace('../not-there-yet  # a new dataset', '.'), {
      filePath: file,
      checkDataset: true,
      datasetFolders: () => [folder, elsewhere],
    }).filter((d) => d.code === 'dataset-incomplete');
    assert.deepEqual(
      incomplete[0]?.fixes.map((f) => [f.title, f.edit.newText]),
      [['Use dataset folder ../datasets-elsewhere', '../datasets-elsewhere']],
    );
  });

  it('offers nothing when data is written on one line', () => {
    const flow =
      'name: q\ndata: { root: ../not-there-yet, condition: spinal_canal_stenosis }\nmodel:\n  backbones: resnet18\n';
    const [problem] = missing(flow);
    assert.ok(problem !== undefined);
    assert.deepEqual(problem.fixes, []);
  });
});

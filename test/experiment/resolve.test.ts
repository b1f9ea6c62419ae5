import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { validateExperiment } from '../../core/experiment/languageService';
import { spliceReference } from '../../core/experiment/reference';
import { resolveExperiment } from '../../core/experiment/resolve';
import { experimentSchema } from '../../core/experiment/schema';
import type { ObjectNode } from '../../core/experiment/schemaNodes';
import { experimentTemplate } from '../../core/experiment/template';

const repo = join(__dirname, '..', '..');
const fixtures = join(repo, 'test', 'fixtures', 'experiment');

describe('resolving an experiment', () => {
  const file = join(fixtures, 'valid.experiment.yaml');
  const result = resolveExperiment(readFileSync(file, 'utf8'), file);

  it('expands a backbone list into one run per backbone, in order', () => {
    assert.ok(result.ok);
    assert.deepEqual(
      result.runs.map((r) => [r.model.backbone, r.sweepIndex, r.sweepSize]),
      [
        ['convnext_base', 0, 3],
        ['efficientnet_v2_m', 1, 3],
        ['resnet152', 2, 3],
      ],
    );
  });

  it('makes paths absolute from the experiment file and places runs under <output>/<name>', () => {
    assert.ok(result.ok);
    const run = result.runs[0]!;
    assert.equal(run.data.root, join(fixtures, 'lsdc-min'));
    assert.equal(run.output, join(fixtures, 'runs', 'canal-stenosis-sweep'));
    assert.equal(run.model.pretrained, 'imagenet');
  });

  it('keeps written values and fills the rest with the defaults of the mission', () => {
    assert.ok(result.ok);
    const run = result.runs[0]!;
    assert.equal(run.train.optimizer.lr, 1e-4);
    assert.equal(run.train.optimizer.weight_decay, 0.02);
    assert.equal(run.train.schedule.name, 'constant');
    assert.deepEqual(run.model.head, { hidden: [512, 256], dropout: 0.1 });
    assert.equal(run.train.augment.jitter_px, 0);
    assert.equal(run.data.synthetic, undefined, 'an optional block stays off unless written');
  });

  it('fills every key the schema defines (the resolved type and the schema stay in step)', () => {
    assert.ok(result.ok);
    const run = result.runs[0] as unknown as Record<string, unknown>;
    const missing: string[] = [];
    const walk = (object: ObjectNode, value: Record<string, unknown>, prefix: string) => {
      for (const [key, field] of Object.entries(object.fields)) {
        if (field.enables || key === 'description') continue;
        const name = prefix === 'model.' && key === 'backbones' ? 'backbone' : key;
        if (!(name in value)) missing.push(prefix + key);
        else if (field.node.kind === 'object')
          walk(field.node, value[name] as Record<string, unknown>, `${prefix}${key}.`);
      }
    };
    walk(experimentSchema, run, '');
    assert.deepEqual(missing, []);
  });

  it('refuses an invalid experiment with its diagnostics', () => {
    const broken = join(fixtures, 'broken.experiment.yaml');
    const refused = resolveExperiment(readFileSync(broken, 'utf8'), broken);
    assert.equal(refused.ok, false);
    assert.ok(refused.diagnostics.length >= 9);
  });
});

describe('resolving a sweep over conditions and folds', () => {
  const file = join(fixtures, 'valid.experiment.yaml');
  // Left and right conditions are graded on one side, so a flip would swap their labels: hflip 0.
  const withData = (lines: string) =>
    [
      'name: conditions-and-folds',
      'data:',
      '  root: lsdc-min',
      lines.trimEnd(),
      '  levels: [L1/L2, L2/L3, L3/L4, L4/L5, L5/S1]',
      '  input: { mode: crop, crop_mm: 60, slices: 1, size: 224, window: auto }',
      '  split: { train: 0.65, val: 0.15, test: 0.20, stratify: true, seed: 42 }',
      'model:',
      '  backbones: [resnet18, resnet50]',
      '  freeze_backbone: false',
      'train:',
      '  augment: { hflip: 0 }',
      '',
    ].join('\n');
  const resolve = (lines: string) => resolveExperiment(withData(lines), file, { checkDataset: false });

  it('runs every backbone for each condition of `all`, on one split, naming each run folder', () => {
    const result = resolve('  condition: all\n');
    assert.ok(result.ok, JSON.stringify(result.diagnostics));
    assert.equal(result.runs.length, 10);
    assert.deepEqual(
      result.runs.slice(0, 6).map((r) => [r.sweepIndex, r.model.backbone, r.data.condition, r.memberName]),
      [
        [0, 'resnet18', 'spinal_canal_stenosis', 'resnet18-spinal_canal_stenosis'],
        [1, 'resnet18', 'left_neural_foraminal_narrowing', 'resnet18-left_neural_foraminal_narrowing'],
        [2, 'resnet18', 'right_neural_foraminal_narrowing', 'resnet18-right_neural_foraminal_narrowing'],
        [3, 'resnet18', 'left_subarticular_stenosis', 'resnet18-left_subarticular_stenosis'],
        [4, 'resnet18', 'right_subarticular_stenosis', 'resnet18-right_subarticular_stenosis'],
        [5, 'resnet50', 'spinal_canal_stenosis', 'resnet50-spinal_canal_stenosis'],
      ],
    );
    for (const run of result.runs) {
      assert.equal(run.sweepSize, 10);
      assert.deepEqual(
        run.data.split,
        { ...result.runs[0]!.data.split },
        'every condition gets the same split settings',
      );
    }
  });

  it('expands folds into one run per test fold, or the folds listed', () => {
    const fiveFolds = resolveExperiment(
      withData('  condition: spinal_canal_stenosis\n').replace('seed: 42 }', 'seed: 42, folds: 5 }'),
      file,
      { checkDataset: false },
    );
    assert.ok(fiveFolds.ok, JSON.stringify(fiveFolds.diagnostics));
    assert.deepEqual(
      fiveFolds.runs.map((r) => r.memberName),
      ['resnet18', 'resnet50'].flatMap((backbone) => [0, 1, 2, 3, 4].map((i) => `${backbone}-fold${i}`)),
    );
    assert.deepEqual(
      fiveFolds.runs.map((r) => r.data.split.fold),
      [0, 1, 2, 3, 4, 0, 1, 2, 3, 4],
    );
    const listed = resolveExperiment(
      withData('  condition: [spinal_canal_stenosis, left_subarticular_stenosis]\n').replace(
        'seed: 42 }',
        'seed: 42, folds: 5, fold: [1, 3] }',
      ),
      file,
      { checkDataset: false },
    );
    assert.ok(listed.ok, JSON.stringify(listed.diagnostics));
    assert.deepEqual(
      listed.runs.slice(0, 4).map((r) => r.memberName),
      [
        'resnet18-spinal_canal_stenosis-fold1',
        'resnet18-spinal_canal_stenosis-fold3',
        'resnet18-left_subarticular_stenosis-fold1',
        'resnet18-left_subarticular_stenosis-fold3',
      ],
    );
  });

  it('keeps <run id>-<backbone> for a single condition without folds', () => {
    const result = resolve('  condition: spinal_canal_stenosis\n');
    assert.ok(result.ok);
    assert.deepEqual(
      result.runs.map((r) => [r.memberName, r.data.split.fold]),
      [
        ['resnet18', null],
        ['resnet50', null],
      ],
    );
  });

  it('refuses a fold that does not exist, or a fold without folds, at the fold', () => {
    for (const [split, message] of [
      ['seed: 42, folds: 3, fold: [0, 3] }', /data\.split\.fold 3 does not exist: with folds: 3 the folds are 0 to 2/],
      ['seed: 42, fold: 1 }', /data\.split\.folds is 1: set folds to 2 or more/],
    ] as const) {
      const refused = resolveExperiment(
        withData('  condition: spinal_canal_stenosis\n').replace('seed: 42 }', split),
        file,
        { checkDataset: false },
      );
      assert.equal(refused.ok, false);
      const error = refused.diagnostics.find((d) => d.severity === 'error')!;
      assert.match(error.message, message);
      assert.equal(error.range.start.line, 6, 'on the split line');
    }
  });

  it("names a listed condition the dataset's train.csv lacks", () => {
    const result = resolveExperiment(withData('  condition: all\n'), file);
    assert.equal(result.ok, false);
    const missing = result.diagnostics.filter((d) => d.code === 'condition-missing').map((d) => d.message);
    assert.equal(missing.length, 4, missing.join('\n'));
    assert.match(missing[0]!, /no column for left_neural_foraminal_narrowing at L1\/L2/);
  });
});

describe('the New Experiment template', () => {
  it('validates clean with a synthetic dataset to be generated', () => {
    const text = experimentTemplate({ name: 'demo', dataRoot: 'data/not-yet-there', synthetic: true });
    assert.deepEqual(
      validateExperiment(text, { filePath: join(fixtures, 'new.experiment.yaml'), checkDataset: true }),
      [],
    );
  });

  it('validates clean on an existing RSNA-layout folder and comments every field', () => {
    const text = experimentTemplate({ name: 'demo', dataRoot: 'lsdc-min' });
    assert.deepEqual(
      validateExperiment(text, { filePath: join(fixtures, 'new.experiment.yaml'), checkDataset: true }),
      [],
    );
    const document = parse(text) as Record<string, Record<string, unknown>>;
    assert.equal(document.train!.batch_size, 32);
    assert.equal(document.model!.unfreeze_last_n, 32);
    assert.match(text, /# Decoupled weight decay \(AdamW\)/);
  });
});

describe('the README reference', () => {
  it('is the one generated from the schema (run `npm run docs` after changing the schema)', () => {
    const readme = readFileSync(join(repo, 'README.md'), 'utf8');
    assert.equal(spliceReference(readme), readme);
  });
});

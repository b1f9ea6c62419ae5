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
    assert.equal(run.model.pretrained, null);
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

// The two New Experiment templates, read back the way the trainer reads them (resolveExperiment fills every default
// from the schema). The expected values are the quick start's promise written out by hand: ResNet-18 from random
// weights with every layer trained, 64-pixel crops, 8 epochs, the demo's learning rate and schedule.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { resolveExperiment } from '../../core/experiment/resolve';
import { experimentTemplate } from '../../core/experiment/template';

const fixtures = join(__dirname, '..', 'fixtures', 'experiment');
const file = join(fixtures, 'new.experiment.yaml');

function resolvedRun(kind: 'quick-start' | 'full') {
  const text = experimentTemplate({ name: 'first', dataRoot: 'data/not-yet-there', synthetic: true, kind });
  const result = resolveExperiment(text, file);
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  assert.equal(result.runs.length, 1);
  return { text, run: result.runs[0]! };
}

describe('the quick start template', () => {
  const { text, run } = resolvedRun('quick-start');

  it('trains every layer of ResNet-18 from random weights on 64-pixel crops for 8 epochs', () => {
    assert.equal(run.model.backbone, 'resnet18');
    assert.equal(run.model.pretrained, null, 'no pretrained weights');
    assert.equal(run.model.freeze_backbone, false);
    assert.equal(run.data.input.size, 64);
    assert.equal(run.data.input.mode, 'crop');
    assert.equal(run.train.epochs, 8);
    assert.equal(run.train.optimizer.lr, 1e-3);
    assert.deepEqual(run.train.schedule, { name: 'cosine', warmup_epochs: 1 });
  });

  it('generates the 40-study synthetic dataset on the first run', () => {
    const { synthetic } = (parse(text) as { data: { synthetic: { studies: number; seed: number } } }).data;
    assert.deepEqual([synthetic.studies, synthetic.seed], [40, 7]);
  });

  it('is short, with a comment above every key and no Slurm block', () => {
    const lines = text.trimEnd().split('\n');
    assert.ok(lines.length <= 60, `${lines.length} lines`);
    assert.doesNotMatch(text, /slurm|executor/);
    lines.forEach((line, index) => {
      if (/^\s*[a-z_]+:/.test(line)) assert.match(lines[index - 1]!, /^\s*# /, `no comment above '${line}'`);
    });
  });
});

describe('the full template', () => {
  const { text, run } = resolvedRun('full');

  it('writes every section, the Slurm settings included, at the published sizes', () => {
    assert.match(text, /^executor:/m);
    assert.ok(text.split('\n').length > 100);
    assert.equal(run.data.input.size, 224);
    assert.equal(run.train.epochs, 30);
  });

  it('never freezes a backbone that has random weights', () => {
    assert.ok(
      !(run.model.freeze_backbone && run.model.pretrained === null),
      `freeze_backbone ${run.model.freeze_backbone} with pretrained ${run.model.pretrained}`,
    );
  });
});

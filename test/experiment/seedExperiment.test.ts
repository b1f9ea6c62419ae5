// examples/rsna-seed.experiment.yaml states the published configuration and validates clean. On a machine without
// the RSNA download its one problem is the missing dataset folder, an error (nothing can train without the data);
// pointed at an RSNA-layout folder it has no problem at all and resolves to the six published runs.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { validateExperiment } from '../../core/experiment/languageService';
import { resolveExperiment } from '../../core/experiment/resolve';

const repo = join(__dirname, '..', '..');
const seedFile = join(repo, 'examples', 'rsna-seed.experiment.yaml');
const seedText = readFileSync(seedFile, 'utf8');
const rsnaLayout = join(repo, 'test', 'fixtures', 'experiment', 'lsdc-min');
const scratch = mkdtempSync(join(tmpdir(), 'radlab-seed-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The seed file with data.root pointed at another folder, written beside nothing else. */
function seedWithRoot(root: string): string {
  const text = seedText.replace(/^ {2}root: .*$/m, `  root: ${root}`);
  assert.notEqual(text, seedText, 'the seed file has a data.root line');
  const file = join(scratch, 'rsna-seed.experiment.yaml');
  writeFileSync(file, text);
  return file;
}

test('without the RSNA download, the only problem is the missing dataset folder, as an error on data.root', () => {
  const diagnostics = validateExperiment(seedText, { filePath: seedFile, checkDataset: true });
  assert.deepEqual(
    diagnostics.map((d) => [d.severity, d.code, d.range.start.line + 1]),
    [['error', 'path-missing', 9]],
    JSON.stringify(diagnostics, null, 1),
  );
  assert.match(diagnostics[0]!.message, /data\.root: '\.\.\/data\/rsna-2024-lsdc' does not exist/);
});

test('pointed at an RSNA-layout folder, it validates with no problem at all', () => {
  const file = seedWithRoot(rsnaLayout);
  assert.deepEqual(validateExperiment(readFileSync(file, 'utf8'), { filePath: file, checkDataset: true }), []);
});

test('it resolves to the published configuration: six full-size ImageNet backbones, one run each', () => {
  const file = seedWithRoot(rsnaLayout);
  const result = resolveExperiment(readFileSync(file, 'utf8'), file);
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  assert.deepEqual(
    result.runs.map((run) => run.model.backbone),
    ['vit_b_16', 'swin_b', 'beit_b_16', 'efficientnet_v2_m', 'resnet152', 'convnext_base'],
  );
  for (const run of result.runs) {
    assert.equal(run.data.condition, 'spinal_canal_stenosis');
    assert.equal(run.data.input.size, 224);
    assert.deepEqual(
      [run.model.pretrained, run.model.level_embedding, run.model.head, run.model.freeze_backbone],
      ['imagenet', 256, { hidden: [512, 256], dropout: 0.1 }, true],
    );
    assert.equal(run.model.unfreeze_last_n, 32);
    assert.deepEqual(
      [run.train.optimizer.name, run.train.optimizer.lr, run.train.optimizer.weight_decay],
      ['adamw', 1e-4, 0.02],
    );
    assert.deepEqual([run.train.batch_size, run.train.epochs], [32, 30]);
    assert.deepEqual([run.train.augment.hflip, run.train.augment.rotate_deg], [0.5, 15]);
    assert.equal(run.train.normalize, 'imagenet');
  }
});

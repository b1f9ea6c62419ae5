// Experiments that would train something other than they seem to are errors, in the editor (the validator the
// language server runs) and in `radlab validate` (the bundled CLI; npm test builds dist/ first).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateExperiment, type ExperimentDiagnostic } from '../../core/experiment/languageService';
import { resolveExperiment } from '../../core/experiment/resolve';

const repo = join(__dirname, '..', '..');
const fixtures = join(repo, 'test', 'fixtures', 'experiment');

function experiment(model: string[], extra: string[] = [], condition = 'spinal_canal_stenosis'): string {
  return [
    'name: t',
    'data:',
    '  root: lsdc-min',
    `  condition: ${condition}`,
    'model:',
    '  backbones: resnet18',
    ...model.map((line) => `  ${line}`),
    ...extra,
    '',
  ].join('\n');
}

function diagnostics(text: string): ExperimentDiagnostic[] {
  return validateExperiment(text, { filePath: join(fixtures, 'inline.experiment.yaml'), checkDataset: false });
}

function codes(text: string): string[] {
  return diagnostics(text).map((d) => d.code);
}

describe('a frozen backbone needs learned weights', () => {
  it('refuses freeze_backbone: true with pretrained: none, on the pretrained line, with both fixes', () => {
    const [problem, ...rest] = diagnostics(experiment(['pretrained: none', 'freeze_backbone: true']));
    assert.equal(rest.length, 0);
    assert.equal(problem!.code, 'frozen-random');
    assert.equal(problem!.severity, 'error');
    assert.equal(problem!.range.start.line, 6);
    assert.match(problem!.message, /frozen backbone would keep its random weights/);
    assert.deepEqual(
      problem!.fixes.map((f) => f.edit.newText),
      ['false', 'imagenet'],
    );
  });

  it('counts freeze_backbone left at its default (true) as frozen', () => {
    assert.deepEqual(codes(experiment(['pretrained: none'])), ['frozen-random']);
  });

  it('accepts random weights trained whole, and frozen ImageNet weights (the default)', () => {
    assert.deepEqual(codes(experiment(['pretrained: none', 'freeze_backbone: false'])), []);
    assert.deepEqual(codes(experiment([])), []);
  });
});

describe('pretrained: imagenet', () => {
  it('is refused for a configuration nobody publishes ImageNet weights for', () => {
    const text = experiment(['pretrained: imagenet']).replace('backbones: resnet18', 'backbones: [resnet18, vit_s_16]');
    const found = diagnostics(text).filter((d) => d.code === 'no-imagenet-weights');
    assert.equal(found.length, 1);
    assert.match(found[0]!.message, /no official ImageNet weights are published for vit_s_16\./);
  });
});

describe('horizontal flips and sided conditions', () => {
  it('refuses a flip the file asks for on a left or right condition', () => {
    for (const condition of ['left_neural_foraminal_narrowing', 'right_subarticular_stenosis', 'all']) {
      const written = experiment([], ['train:', '  augment: { hflip: 0.5 }'], condition);
      assert.deepEqual(codes(written), ['flip-swaps-side'], condition);
      assert.deepEqual(codes(experiment([], ['train:', '  augment: { hflip: 0 }'], condition)), []);
    }
  });

  it('trains sided conditions without the default flip and keeps it for the central canal', () => {
    const text = experiment(['pretrained: none', 'freeze_backbone: false'], [], 'all');
    assert.deepEqual(codes(text), []);
    const resolved = resolveExperiment(text, join(fixtures, 'inline.experiment.yaml'), { checkDataset: false });
    assert.ok(resolved.ok);
    const flips = Object.fromEntries(resolved.runs.map((run) => [run.data.condition, run.train.augment.hflip]));
    assert.deepEqual(flips, {
      spinal_canal_stenosis: 0.5,
      left_neural_foraminal_narrowing: 0,
      right_neural_foraminal_narrowing: 0,
      left_subarticular_stenosis: 0,
      right_subarticular_stenosis: 0,
    });
  });

  it('keeps flips for the central canal', () => {
    assert.deepEqual(codes(experiment([], ['train:', '  augment: { hflip: 0.5 }'])), []);
  });
});

describe('radlab validate', () => {
  it('exits 1 naming the frozen-random combination with its line', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'radlab-validate-'));
    try {
      const file = join(workspace, 'frozen.experiment.yaml');
      writeFileSync(file, experiment(['pretrained: none', 'freeze_backbone: true']).replace('lsdc-min', '.'));
      const result = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), 'validate', file], {
        encoding: 'utf8',
      });
      assert.equal(result.status, 1, result.stdout + result.stderr);
      assert.match(
        result.stdout,
        /frozen\.experiment\.yaml:7:\d+: error \[frozen-random\] model\.freeze_backbone is true/,
      );
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  });
});

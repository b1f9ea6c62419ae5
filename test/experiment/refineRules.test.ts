// model.refine's cross-field rules, at the ranges counted by hand: ignored (a warning) outside a localizer, a
// jitter of half the square or more (a warning: a training square could leave its point outside), and a
// transformer's fixed input size (an error, as for data.input.size).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateExperiment, type ExperimentDiagnostic } from '../../core/experiment/languageService';

const fixtures = join(__dirname, '..', 'fixtures', 'experiment');

function diagnostics(model: string): [string, string, number, number, number][] {
  const text = `name: t\ndata:\n  root: lsdc-min\n  condition: spinal_canal_stenosis\nmodel:\n${model}`;
  return validateExperiment(text, { filePath: join(fixtures, 'inline.experiment.yaml'), checkDataset: false }).map(
    (d: ExperimentDiagnostic) => [
      d.severity,
      d.code,
      d.range.start.line,
      d.range.start.character,
      d.range.end.character,
    ],
  );
}

describe('model.refine rules', () => {
  it('accepts a localizer with a refinement stage, written or all defaults', () => {
    const localizer = '  task: localizer\n  backbones: resnet18\n  pretrained: none\n  freeze_backbone: false\n';
    assert.deepEqual(diagnostics(`${localizer}  refine: { crop_mm: 40, size: 32, jitter_mm: 10 }\n`), []);
    assert.deepEqual(diagnostics(`${localizer}  refine: {}\n`), []);
  });

  it('warns that a classifier ignores it, at the key', () => {
    assert.deepEqual(diagnostics('  backbones: resnet18\n  refine: { size: 32 }\n'), [
      ['warning', 'refine-without-localizer', 6, 2, 8],
    ]);
  });

  it('warns when the jitter reaches half the square, at the jitter', () => {
    const text =
      '  task: localizer\n  backbones: resnet18\n  pretrained: none\n  freeze_backbone: false\n  refine:\n    crop_mm: 30\n    jitter_mm: 15\n';
    assert.deepEqual(diagnostics(text), [['warning', 'out-of-range', 11, 15, 17]]);
    // The default square (40 mm) against a written jitter.
    const byDefault = text.replace('    crop_mm: 30\n', '').replace('jitter_mm: 15', 'jitter_mm: 19.5');
    assert.deepEqual(diagnostics(byDefault), []);
  });

  it('refuses a square size a transformer backbone cannot take', () => {
    const text =
      '  task: localizer\n  backbones: vit_b_16\n  pretrained: none\n  freeze_backbone: false\n  refine:\n    size: 32\n';
    const found = diagnostics(text).filter(([severity]) => severity === 'error');
    assert.deepEqual(found, [['error', 'out-of-range', 10, 10, 12]]);
  });
});

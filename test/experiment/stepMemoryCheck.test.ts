// Before anything starts, validation says when a backbone's training step cannot fit the engine's memory, and the
// backbone's hover shows the engine's figure, both from the registry-based estimate. The truth they are held to is
// the wasm engine's own step memory, measured by bench/seed/stepMemoryFactors.ts (AdamW, a 32-wide level
// embedding and one hidden layer of 64, as the files below) and planned by the run's own planStep.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { hoverExperiment } from '../../core/experiment/hover';
import { validateExperiment } from '../../core/experiment/languageService';
import { engineMemoryLimit, planStep, type PlanRequest } from '../../core/experiment/stepPlan';

const file = join(__dirname, '..', 'fixtures', 'experiment', 'inline.experiment.yaml');
const MiB = 2 ** 20;
const wasm = engineMemoryLimit({ chosen: 'wasm' })!;

function experiment(options: { backbone: string; engine: string; freeze?: boolean; size?: number }): string {
  return [
    'name: t',
    'data:',
    '  root: lsdc-min',
    `  input: { size: ${options.size ?? 224} }`,
    'model:',
    `  backbones: ${options.backbone}`,
    '  pretrained: imagenet',
    '  level_embedding: 32',
    '  head: { hidden: [64] }',
    `  freeze_backbone: ${options.freeze ?? true}`,
    'train:',
    '  batch_size: 32',
    `  engine: ${options.engine}`,
    '',
  ].join('\n');
}

function memoryDiagnostics(text: string) {
  return validateExperiment(text, { filePath: file, checkDataset: false }).filter((d) => d.code === 'step-memory');
}

// ViT-B/16 at 224 px, its last 32 tensors trainable: the engine's measured step.
const vitB16: PlanRequest = {
  backbone: 'vit_b_16',
  inputSize: 224,
  batchSize: 32,
  accumulateSteps: 1,
  memory: { fixed: 170_510_764, perImage: 389_662_480, update: 614_562_072 },
  residentBytes: 343_401_612,
  trainableBytes: 75_811_980,
  optimizerSlots: 2,
  limit: wasm,
};

// ConvNeXt-B trained whole, measured at 64 px; its per-image part grows with the pixels (as measured across sizes).
const convnextBaseWhole: PlanRequest = {
  backbone: 'convnext_base',
  inputSize: 224,
  batchSize: 32,
  accumulateSteps: 1,
  memory: { fixed: 668.8 * MiB, perImage: 200.6 * MiB * (224 / 64) ** 2, update: 1071.7 * MiB },
  residentBytes: 350_538_380,
  trainableBytes: 350_538_380,
  optimizerSlots: 2,
  limit: wasm,
};

describe('a step that needs micro-batches', () => {
  const measured = planStep(vitB16);

  it('is told, on the wasm engine, with as many micro-batches as the measured step needs', () => {
    assert.equal(measured.passes, 6, 'the measured step splits batch 32 in six');
    const [diagnostic, ...rest] = memoryDiagnostics(experiment({ backbone: 'vit_b_16', engine: 'wasm' }));
    assert.equal(rest.length, 0);
    assert.equal(diagnostic!.severity, 'information');
    assert.match(
      diagnostic!.message,
      /^vit_b_16 at 224 px: a batch of 32 needs about .* more than the 3 GiB the wasm engine's 4 GiB heap leaves for tensors; training in 6 micro-batches of at most 6 /,
    );
  });

  it('is not marked with engine: auto, which may find a GPU; the hover shows the plan instead', () => {
    const text = experiment({ backbone: 'vit_b_16', engine: 'auto' });
    assert.deepEqual(memoryDiagnostics(text), []);
    const line = text.split('\n').findIndex((l) => l.includes('backbones:'));
    const hover = hoverExperiment(text, { line, character: 14 }, file);
    assert.match(
      hover!.markdown,
      /\| Training step at batch 32, 224 px \(engine estimate\) \| ≈ [\d.]+ GiB: more than the 3 GiB the wasm engine's 4 GiB heap leaves for tensors, so 6 micro-batches of at most 6 /,
    );
  });
});

describe('a step that does not fit even one image at a time', () => {
  it('does not fit by the measured step either', () => {
    assert.throws(
      () => planStep(convnextBaseWhole),
      /does not fit the 3 GiB the wasm engine's 4 GiB heap leaves for tensors even one image/,
    );
  });

  it('is an error on the wasm engine, naming the limit and what to change', () => {
    const [diagnostic, ...rest] = memoryDiagnostics(
      experiment({ backbone: 'convnext_base', engine: 'wasm', freeze: false }),
    );
    assert.equal(rest.length, 0);
    assert.equal(diagnostic!.severity, 'error');
    assert.match(
      diagnostic!.message,
      /^convnext_base at 224 px does not fit the 3 GiB the wasm engine's 4 GiB heap leaves for tensors even one image at a time: a step needs about [\d.]+ GiB\. Lower data\.input\.size or model\.unfreeze_last_n, or use a smaller backbone\. \(estimated\)$/,
    );
  });

  it('is a warning with engine: auto, which runs on wasm without a tfjs-node or GPU engine', () => {
    const diagnostics = memoryDiagnostics(experiment({ backbone: 'convnext_base', engine: 'auto', freeze: false }));
    assert.deepEqual(
      diagnostics.map((d) => [d.severity, /^With engine: auto on the wasm engine/.test(d.message)]),
      [['warning', true]],
    );
  });

  it('is not judged for a GPU engine, whose memory is not known before it starts', () => {
    assert.deepEqual(
      memoryDiagnostics(experiment({ backbone: 'convnext_base', engine: 'tfjs-node-gpu', freeze: false })),
      [],
    );
  });
});

it('a step that fits in one pass is not marked', () => {
  assert.deepEqual(memoryDiagnostics(experiment({ backbone: 'resnet18', engine: 'wasm', size: 64 })), []);
});

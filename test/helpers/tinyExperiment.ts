// The smallest experiment that still runs end to end (10 synthetic studies, 32-pixel crops, wasm on one thread),
// written into a test's workspace. Tests add the keys they exercise.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TinyExperiment {
  backbones?: string;
  epochs?: number;
  /** The data.input flow mapping; default 32-pixel crops of 60 mm. */
  input?: string;
  /** Extra lines under model: (indented by the caller's two spaces), e.g. a pretrained entry. */
  model?: string[];
  /** Extra top-level blocks appended before output:, e.g. an executor section. */
  extra?: string[];
}

export function writeTinyExperiment(workspace: string, name: string, options: TinyExperiment = {}): string {
  const file = join(workspace, `${name}.experiment.yaml`);
  const lines = [
    `name: ${name}`,
    'data:',
    '  root: dataset',
    '  synthetic: { studies: 10, seed: 5 }',
    '  condition: spinal_canal_stenosis',
    `  input: ${options.input ?? '{ mode: crop, crop_mm: 60, size: 32 }'}`,
    '  split: { train: 0.6, val: 0.2, test: 0.2, seed: 1 }',
    'model:',
    `  backbones: ${options.backbones ?? 'resnet18'}`,
    ...(options.model ?? []).map((line) => `  ${line}`),
    // Random weights trained whole, so nothing is downloaded.
    ...((options.model ?? []).some((line) => line.startsWith('pretrained:')) ? [] : ['  pretrained: none']),
    '  freeze_backbone: false',
    'train:',
    '  batch_size: 8',
    `  epochs: ${options.epochs ?? 2}`,
    '  optimizer: { lr: 1.0e-3 }',
    '  engine: wasm',
    '  threads: 1',
    ...(options.extra ?? []),
    'output: runs/',
    '',
  ];
  writeFileSync(file, lines.join('\n'));
  return file;
}

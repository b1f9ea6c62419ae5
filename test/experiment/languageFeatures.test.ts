import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  completeExperiment,
  hoverExperiment,
  outlineExperiment,
  referencedPaths,
  type Position,
} from '../../core/experiment/languageService';

const fixtures = join(__dirname, '..', 'fixtures', 'experiment');
const file = join(fixtures, 'inline.experiment.yaml');

/** Splits a text at its `|` cursor marker. */
function atCursor(marked: string): { text: string; position: Position } {
  const offset = marked.indexOf('|');
  const before = marked.slice(0, offset);
  const lines = before.split('\n');
  return {
    text: before + marked.slice(offset + 1),
    position: { line: lines.length - 1, character: lines[lines.length - 1]!.length },
  };
}

function labels(marked: string): string[] {
  const { text, position } = atCursor(marked);
  return completeExperiment(text, position, file).map((entry) => entry.label);
}

describe('completion', () => {
  it('offers the keys of the section the cursor is in, minus those already written', () => {
    const keys = labels('name: t\ntrain:\n  epochs: 3\n  |\n  seed: 1\n');
    assert.ok(keys.includes('batch_size') && keys.includes('optimizer') && keys.includes('engine'));
    assert.ok(!keys.includes('epochs') && !keys.includes('seed'), 'written keys are not offered again');
    assert.ok(!keys.includes('root'), "another section's keys are not offered");
  });

  it('offers nested keys two levels down, filtered by what is typed', () => {
    assert.deepEqual(labels('train:\n  optimizer:\n    name: adamw\n    we|\n'), ['weight_decay']);
  });

  it('offers top-level sections at column 0', () => {
    assert.deepEqual(labels('name: x\n|').sort(), ['data', 'description', 'executor', 'model', 'output', 'train']);
  });

  it('offers enum values after a key, and backbones with their size', () => {
    assert.deepEqual(labels('data:\n  condition: left_|'), [
      'left_neural_foraminal_narrowing',
      'left_subarticular_stenosis',
    ]);
    const { text, position } = atCursor('model:\n  backbones: resnet|');
    const entries = completeExperiment(text, position, file);
    assert.deepEqual(
      entries.map((e) => e.label),
      ['resnet18', 'resnet50', 'resnet152'],
    );
    assert.match(entries[2]!.detail!, /58\.1M params/);
  });

  it('offers list items in flow and block lists', () => {
    assert.deepEqual(labels('data:\n  levels: [L1/L2, L4|'), ['L4/L5']);
    assert.ok(labels('model:\n  backbones:\n    - conv|').includes('convnext_tiny'));
  });

  it('offers folders for a folder path, relative to the experiment file', () => {
    assert.deepEqual(labels('data:\n  root: lsdc|').sort(), ['lsdc-min/']);
    assert.deepEqual(labels('data:\n  root: lsdc-min/train_|'), ['train_images/']);
  });

  it('offers booleans for a boolean field', () => {
    assert.deepEqual(labels('data:\n  split:\n    stratify: |').sort(), ['false', 'true']);
  });

  it('returns nothing rather than failing on garbage', () => {
    assert.deepEqual(completeExperiment('\u0000\u0001: [', { line: 0, character: 80 }, file), []);
  });
});

describe('hover', () => {
  it("shows a key's meaning, type, default and range", () => {
    const { text, position } = atCursor('train:\n  batch_si|ze: 8\n');
    const hover = hoverExperiment(text, position, file)!;
    assert.match(hover.markdown, /\*\*train\.batch_size\*\* — Images per training step\./);
    assert.match(hover.markdown, /an integer \(≥ 1 and ≤ 4096\)/);
    assert.match(hover.markdown, /Default: `32`/);
    assert.deepEqual(hover.range, { start: { line: 1, character: 2 }, end: { line: 1, character: 12 } });
  });

  it("shows a backbone's registry facts and which blocks unfreeze_last_n reaches", () => {
    const { text, position } = atCursor(
      'model:\n  backbones: [resnet1|52]\n  unfreeze_last_n: 9\ntrain:\n  batch_size: 16\n',
    );
    const hover = hoverExperiment(text, position, file)!;
    // 60,192,808 parameters with torchvision's head, minus the 2048×1000 + 1000 head.
    assert.match(hover.markdown, /58,143,808/);
    assert.match(hover.markdown, /2048/);
    assert.match(hover.markdown, /224×224/);
    assert.match(hover.markdown, /batch 16/);
    assert.match(hover.markdown, /layer4\.2/);
  });

  it('explains an enum value', () => {
    const { text, position } = atCursor('data:\n  input:\n    mode: sl|ice\n');
    assert.match(hoverExperiment(text, position, file)!.markdown, /The whole labelled slice/);
  });

  it('is null off any key', () => {
    assert.equal(hoverExperiment('# just a comment\n', { line: 0, character: 3 }, file), null);
  });
});

describe('outline', () => {
  it('lists sections with their fields', () => {
    const symbols = outlineExperiment(
      'name: t\ndata:\n  root: x\n  levels: [L1/L2, L2/L3]\nmodel:\n  backbones: resnet18\n',
    );
    assert.deepEqual(
      symbols.map((s) => [s.name, s.kind, s.range.start.line, s.range.end.line]),
      [
        ['name', 'field', 0, 0],
        ['data', 'section', 1, 3],
        ['model', 'section', 4, 5],
      ],
    );
    assert.deepEqual(
      symbols[1]!.children.map((c) => [c.name, c.detail]),
      [
        ['root', 'x'],
        ['levels', 'L1/L2, L2/L3'],
      ],
    );
  });
});

describe('referenced paths', () => {
  it('names the dataset files and the weights an experiment depends on', () => {
    const paths = referencedPaths(
      'data:\n  root: lsdc-min\nmodel:\n  backbones: resnet18\n  pretrained: weights/\n',
      file,
    );
    assert.ok(paths.includes(join(fixtures, 'lsdc-min', 'train.csv')));
    assert.ok(paths.includes(join(fixtures, 'lsdc-min', 'train_images')));
    assert.ok(paths.includes(join(fixtures, 'weights', 'resnet18.safetensors')));
  });
});

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { validateExperiment, type ExperimentDiagnostic } from '../../core/experiment/languageService';

const fixtures = join(__dirname, '..', 'fixtures', 'experiment');

function validateFixture(name: string, checkDataset = true): ExperimentDiagnostic[] {
  const filePath = join(fixtures, name);
  return validateExperiment(readFileSync(filePath, 'utf8'), { filePath, checkDataset });
}

function validateText(text: string, checkDataset = true): ExperimentDiagnostic[] {
  return validateExperiment(text, { filePath: join(fixtures, 'inline.experiment.yaml'), checkDataset });
}

/** [code, line, startChar, endChar] with 0-based lines, as counted by hand in the fixture. */
function where(d: ExperimentDiagnostic): [string, number, number, number] {
  return [d.code, d.range.start.line, d.range.start.character, d.range.end.character];
}

const minimal = (extra = '') =>
  `name: t\ndata:\n  root: lsdc-min\n  condition: spinal_canal_stenosis\nmodel:\n  backbones: resnet18\n${extra}`;

describe('experiment validation', () => {
  it('accepts the sketch from the design document', () => {
    assert.deepEqual(validateFixture('valid.experiment.yaml'), []);
  });

  it('reports each error of the broken fixture at its exact range', () => {
    const found = validateFixture('broken.experiment.yaml').map(where);
    assert.deepEqual(
      found.sort(),
      [
        ['duplicate-item', 4, 25, 30],
        ['bad-enum', 6, 10, 15],
        ['wrong-type', 7, 10, 14],
        ['unknown-key', 17, 4, 16],
        ['out-of-range', 18, 14, 15],
        ['wrong-type', 19, 10, 13],
        ['bad-enum', 20, 10, 14],
        ['split-sum', 8, 2, 7],
        ['unfreeze-too-many', 14, 19, 22],
      ].sort(),
    );
  });

  it('offers did-you-mean fixes for a misspelt key (through its alias) and enum value', () => {
    const diagnostics = validateFixture('broken.experiment.yaml');
    const key = diagnostics.find((d) => d.code === 'unknown-key')!;
    assert.match(key.message, /Did you mean 'lr'\?/);
    assert.equal(key.fixes[0]?.edit.newText, 'lr');
    const mode = diagnostics.find((d) => d.code === 'bad-enum' && d.range.start.line === 6)!;
    assert.equal(mode.fixes[0]?.edit.newText, 'crop');
    const engine = diagnostics.find((d) => d.code === 'bad-enum' && d.range.start.line === 20)!;
    assert.deepEqual(engine.fixes, [], 'cuda is not close to any engine name, so no fix is guessed');
    assert.match(engine.message, /auto, tfjs-node-gpu, tfjs-node, webgpu, wasm/);
  });

  it('says by how much the split misses 1', () => {
    const split = validateFixture('broken.experiment.yaml').find((d) => d.code === 'split-sum')!;
    assert.match(split.message, /0\.7 \+ val 0\.2 \+ test 0\.2 = 1\.1/);
  });

  it('reports missing required keys on the enclosing key', () => {
    const found = validateText('name: t\ndata:\n  root: lsdc-min\nmodel:\n  pretrained: imagenet\n').map(where);
    assert.deepEqual(found.sort(), [
      ['missing-required', 1, 0, 4],
      ['missing-required', 3, 0, 5],
    ]);
  });

  it('reports a duplicate key on its second occurrence', () => {
    const found = validateText(minimal('train:\n  epochs: 3\n  epochs: 4\n')).map(where);
    assert.deepEqual(found, [['duplicate-key', 8, 2, 8]]);
  });

  it('treats tabs and truncated YAML as syntax errors without crashing', () => {
    const tabs = validateText('name: t\ndata:\n\troot: x\n');
    assert.ok(tabs.length > 0 && tabs.every((d) => d.code === 'yaml-syntax'));
    const truncated = validateText('name: t\ndata: { root: "lsdc-min\n');
    assert.ok(truncated.some((d) => d.code === 'yaml-syntax'));
  });

  it('reports an empty file once, with what to do', () => {
    const [only, ...rest] = validateText('\n\n');
    assert.equal(rest.length, 0);
    assert.equal(only?.code, 'empty-document');
    assert.match(only!.message, /New Experiment/);
  });

  it('answers on binary garbage and on any shape of document', () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)).toString('latin1');
    assert.ok(validateText(garbage).length > 0);
    for (const text of [
      '- a\n- b\n',
      '42\n',
      'name: [1, 2]\ndata: 3\nmodel: "x"\n',
      '? [a]\n: b\n',
      '---\na: 1\n---\nb: 2\n',
    ]) {
      assert.ok(validateText(text).length > 0, text);
    }
  });

  it('checks paths relative to the experiment file', () => {
    const missing = validateText(minimal().replace('lsdc-min', 'no-such-folder')).map(where);
    assert.deepEqual(missing, [['path-missing', 2, 8, 22]]);
    const file = validateText(minimal().replace('lsdc-min', 'lsdc-min/train.csv'));
    assert.equal(file[0]?.code, 'wrong-type');
  });

  it('accepts a missing dataset root when a synthetic dataset will be generated there', () => {
    const text = minimal()
      .replace('lsdc-min', 'to-be-generated')
      .replace('  condition', '  synthetic: { studies: 8 }\n  condition');
    assert.deepEqual(validateText(text), []);
  });

  it('names the files a dataset root lacks', () => {
    const [incomplete] = validateText(minimal().replace('lsdc-min', 'not-a-dataset'));
    assert.equal(incomplete?.code, 'dataset-incomplete');
    assert.match(
      incomplete!.message,
      /train\.csv, train_label_coordinates\.csv, train_series_descriptions\.csv, train_images\//,
    );
    assert.deepEqual(validateText(minimal().replace('lsdc-min', 'not-a-dataset'), false), []);
  });

  it('reports a condition that has no column in train.csv', () => {
    const noFlip = minimal('train:\n  augment: { hflip: 0 }\n');
    const found = validateText(noFlip.replace('spinal_canal_stenosis', 'left_subarticular_stenosis'));
    assert.deepEqual(found.map(where), [['condition-missing', 3, 13, 39]]);
    assert.match(found[0]!.message, /left_subarticular_stenosis_l1_l2/);
  });

  it('checks oneOf values by shape: class weights as a name or three numbers', () => {
    assert.deepEqual(validateText(minimal('train:\n  loss: { class_weights: [1, 2, 4] }\n')), []);
    const two = validateText(minimal('train:\n  loss: { class_weights: [1, 2] }\n'));
    assert.deepEqual(
      two.map((d) => d.code),
      ['out-of-range'],
    );
    const typo = validateText(minimal('train:\n  loss: { class_weights: inverse_frequncy }\n'));
    assert.equal(typo[0]?.fixes[0]?.edit.newText, 'inverse_frequency');
    const wrong = validateText(minimal('train:\n  loss: { class_weights: true }\n'));
    assert.equal(wrong[0]?.code, 'wrong-type');
  });

  it('ignores unfreeze_last_n when the backbone is not frozen', () => {
    assert.deepEqual(validateText(minimal('  freeze_backbone: false\n  unfreeze_last_n: 5000\n')), []);
  });

  it('accepts 1 or 3 slices only, since the backbones take 3 channels', () => {
    assert.deepEqual(validateText(minimal().replace('  condition', '  input: { slices: 3 }\n  condition')), []);
    const five = validateText(minimal().replace('  condition', '  input: { slices: 5 }\n  condition'));
    assert.deepEqual(five.map(where), [['out-of-range', 3, 19, 20]]);
    assert.equal(five[0]!.fixes[0]!.edit.newText, '3');
  });

  it('holds ViT and BEiT to the input size their position embeddings fix', () => {
    const vit = minimal('  pretrained: none\n  freeze_backbone: false\n')
      .replace('resnet18', '[resnet18, vit_ti_16]')
      .replace('  condition', '  input: { size: 64 }\n  condition');
    const found = validateText(vit);
    assert.deepEqual(
      found.map((d) => d.code),
      ['out-of-range'],
    );
    assert.match(found[0]!.message, /vit_ti_16 takes 224×224/);
    assert.deepEqual(validateText(vit.replace('size: 64', 'size: 224')), []);
  });
});

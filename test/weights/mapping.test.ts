// Checkpoint naming translation and the key report. The Hugging Face Swin fixture is torchvision's own state_dict
// renamed by make_pth.py's Python translation (written from HF's module tree), so the TypeScript mapping must
// recover torchvision's tensors exactly; key reports are checked against hand-listed expectations.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { beit } from '../../core/models/beit';
import { formatKeyReport, isCompleteLoad, planWeightLoad } from '../../core/models/weights/keyReport';
import { renameCheckpoint } from '../../core/models/weights/mapping';
import type { CheckpointTensor } from '../../core/models/weights/tensorData';
import { readTorchStateDict } from '../../core/models/weights/torchZip';

const FIXTURES = join(__dirname, '..', 'fixtures', 'weights');
const ORIGIN = { file: 'test.pth', location: '', strippedPrefix: '' };

function tensor(shape: number[], fill = 0): CheckpointTensor {
  return { dtype: 'float32', shape, values: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(fill) };
}

describe('Hugging Face Swin -> torchvision names', () => {
  test('recovers every torchvision tensor exactly (qkv stacked, stages interleaved with patch merging)', async () => {
    const torchvision = (await readTorchStateDict(join(FIXTURES, 'swin_tiny_torchvision.pth'))).tensors;
    const hf = (await readTorchStateDict(join(FIXTURES, 'swin_tiny_hf.pth'))).tensors;
    assert.ok(hf.has('swin.encoder.layers.1.blocks.0.attention.self.query.weight'));
    const renamed = renameCheckpoint(hf, 'swin');
    assert.equal(renamed.naming, 'huggingface-swin');
    // HF's relative_position_index is [49, 49]-shaped where torchvision's is flat: both are derived, compare the rest.
    const comparable = (name: string): boolean => !name.endsWith('relative_position_index');
    assert.deepEqual(
      [...renamed.tensors.keys()].filter(comparable).sort(),
      [...torchvision.keys()].filter(comparable).sort(),
    );
    for (const [name, expected] of torchvision) {
      if (!comparable(name)) continue;
      const actual = renamed.tensors.get(name)!;
      assert.deepEqual(actual.shape, expected.shape, name);
      assert.deepEqual(actual.values, expected.values, name);
    }
    assert.deepEqual(renamed.renamedFrom.get('features.1.0.attn.qkv.weight'), [
      'swin.encoder.layers.0.blocks.0.attention.self.query.weight',
      'swin.encoder.layers.0.blocks.0.attention.self.key.weight',
      'swin.encoder.layers.0.blocks.0.attention.self.value.weight',
    ]);
    assert.deepEqual(renamed.renamedFrom.get('features.2.reduction.weight'), [
      'swin.encoder.layers.0.downsample.reduction.weight',
    ]);
  });

  test('a block missing its value projection keeps the parts under their HF names', () => {
    const prefix = 'encoder.layers.0.blocks.0.attention.self';
    const renamed = renameCheckpoint(
      new Map([
        [`${prefix}.query.weight`, tensor([4, 4])],
        [`${prefix}.key.weight`, tensor([4, 4])],
      ]),
      'swin',
    );
    assert.deepEqual([...renamed.tensors.keys()].sort(), [`${prefix}.key.weight`, `${prefix}.query.weight`]);
  });

  test('torchvision-named Swin checkpoints pass through unchanged', async () => {
    const torchvision = (await readTorchStateDict(join(FIXTURES, 'swin_tiny_torchvision.pth'))).tensors;
    const renamed = renameCheckpoint(torchvision, 'swin');
    assert.equal(renamed.naming, 'reference');
    assert.deepEqual([...renamed.tensors.keys()], [...torchvision.keys()]);
  });
});

describe('Hugging Face BEiT -> BeitModel names', () => {
  test("strips 'beit.', sets the classifier aside and skips the derived index tables", async () => {
    const hf = (await readTorchStateDict(join(FIXTURES, 'beit_tiny_hf.pth'))).tensors;
    const renamed = renameCheckpoint(hf, 'beit');
    assert.equal(renamed.naming, 'huggingface-beit');
    // The BEiT builder with make_pth.py's tiny_beit_hf configuration declares the entries to fill.
    const model = beit({ imageSize: 16, patchSize: 4, layers: 2, heads: 2, hiddenDim: 8, mlpDim: 16, layerScale: 0.1 });
    const { report } = planWeightLoad(renamed, ORIGIN, model.state.entries, 'beit');
    assert.deepEqual(report.missing, []);
    assert.deepEqual(report.unexpected, []);
    assert.deepEqual(report.misshaped, []);
    assert.equal(
      report.loaded,
      model.state.entries.filter((entry) => !entry.name.endsWith('relative_position_index')).length,
    );
    assert.deepEqual(report.skippedHead, ['classifier.weight', 'classifier.bias']);
    assert.deepEqual(report.derived, [
      'encoder.layer.0.attention.attention.relative_position_bias.relative_position_index',
      'encoder.layer.1.attention.attention.relative_position_bias.relative_position_index',
    ]);
  });
});

describe('key report', () => {
  const model = [
    { name: 'conv1.weight', torchShape: [4, 3, 3, 3] },
    { name: 'bn1.weight', torchShape: [4] },
    { name: 'bn1.running_mean', torchShape: [4] },
    { name: 'bn1.num_batches_tracked', torchShape: [] },
    { name: 'layer1.0.conv1.weight', torchShape: [4, 4, 3, 3] },
  ];
  const checkpoint = new Map([
    ['conv1.weight', tensor([4, 3, 3, 3], 1)],
    ['bn1.weight', tensor([8], 2)], // mis-shaped
    ['layer1.0.conv1.weight', tensor([4, 4, 3, 3], 3)],
    ['layer9.extra', tensor([2])], // unexpected
    ['fc.weight', tensor([10, 4])], // the classification head
    // bn1.running_mean is missing; num_batches_tracked is optional
  ]);

  test('lists the missing, unexpected and mis-shaped keys with both shapes, and counts what loaded', () => {
    const { report, values } = planWeightLoad(renameCheckpoint(checkpoint, 'resnet'), ORIGIN, model, 'resnet');
    assert.equal(report.loaded, 2);
    assert.deepEqual(report.missing, ['bn1.running_mean']);
    assert.deepEqual(report.unexpected, ['layer9.extra']);
    assert.deepEqual(report.misshaped, [{ name: 'bn1.weight', checkpointShape: [8], modelShape: [4] }]);
    assert.deepEqual(report.skippedHead, ['fc.weight']);
    assert.ok(!isCompleteLoad(report));
    assert.deepEqual([...values.keys()], ['conv1.weight', 'layer1.0.conv1.weight']);
    assert.equal(values.get('layer1.0.conv1.weight')![0], 3);
    const text = formatKeyReport(report);
    assert.match(text, /loaded 2 tensors; missing 1, unexpected 1, mis-shaped 1/);
    assert.match(text, /bn1\.weight: \[8\] vs \[4\]/);
    assert.match(text, /^ {2}layer9\.extra$/m);
    assert.match(text, /^ {2}bn1\.running_mean$/m);
  });
});

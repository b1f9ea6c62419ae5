// `radlab weights` and `radlab features`: conversion output that reloads to PyTorch's features, the key report
// on a checkpoint of the wrong size, and the features file the parity check reads.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { resnet, type ResnetConfig } from '../../core/models/resnet';
import { readSafetensors, writeSafetensors } from '../../core/models/safetensors';
import { backboneFeatures, run as runFeatures } from '../../core/cli/featuresCommand';
import { loadBackboneWeights } from '../../core/models/weights/loadWeights';
import { convertWeights, run as runWeights } from '../../core/cli/weightsCommand';

const FIXTURES = join(__dirname, '..', 'fixtures', 'weights');
const CHECKPOINT = join(FIXTURES, 'resnet_e2e.pth');
const work = mkdtempSync(join(tmpdir(), 'radlab-weights-cmd-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function captured(
  run: (args: string[], output: { out(text: string): void; err(text: string): void }) => Promise<number>,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await run(args, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

describe('radlab weights', () => {
  test('the converted file reloads strictly and gives PyTorch features', async () => {
    await tf.setBackend('cpu');
    const io = await readSafetensors(join(FIXTURES, 'resnet_e2e.io.safetensors'));
    const config = JSON.parse(io.metadata.config!) as ResnetConfig;
    const source = resnet(config, 'resnet_tiny');
    const converted = await convertWeights(source, 'resnet', CHECKPOINT, join(work, 'converted'), { strict: true });
    const stored = await readSafetensors(converted.weightsFile);
    assert.deepEqual(
      [...stored.tensors.keys()],
      source.state.entries.map((entry) => entry.name),
    );
    assert.equal(stored.tensors.get('bn1.num_batches_tracked')!.dtype, 'I64');
    const json = JSON.parse(readFileSync(converted.reportFile, 'utf8')) as { loaded: number; skippedHead: string[] };
    assert.equal(json.loaded, source.state.entries.length);
    assert.deepEqual(json.skippedHead, ['fc.weight', 'fc.bias']);

    const reloaded = resnet(config, 'resnet_tiny').initialize(9);
    try {
      await loadBackboneWeights(reloaded, converted.weightsFile, { strict: true, family: 'resnet' });
      const input = io.tensors.get('input')!;
      const features = backboneFeatures(reloaded, { shape: input.shape, data: input.data as Float32Array });
      const expected = io.tensors.get('features')!.data;
      const scale = Math.max(...Array.from(expected, Math.abs));
      expected.forEach((value, i) => assert.ok(Math.abs(features.data[i]! - value) <= 1e-4 * scale, `feature ${i}`));
    } finally {
      reloaded.dispose();
    }
  });

  test('a checkpoint of another size: exit 1, the report names both shapes, nothing is written', async () => {
    const out = join(work, 'refused');
    const result = await captured(runWeights, ['resnet18', CHECKPOINT, '--out', out]);
    assert.equal(result.code, 1);
    assert.match(result.err, /conv1\.weight: \[16, 3, 7, 7\] vs \[64, 3, 7, 7\]/);
    assert.match(result.err, /missing \d+, unexpected \d+, mis-shaped \d+/);
    assert.ok(!existsSync(out));
  });

  test('usage errors exit 2', async () => {
    assert.equal((await captured(runWeights, ['resnet18'])).code, 2);
    const unknown = await captured(runWeights, ['resnet_18x', CHECKPOINT, '--out', work]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.err, /unknown backbone 'resnet_18x'/);
  });
});

describe('radlab features', () => {
  test('writes the features of a registry backbone (non-strict load) on the wasm engine', async () => {
    const input = join(work, 'input.safetensors');
    const out = join(work, 'features.safetensors');
    const pixels = Float32Array.from({ length: 2 * 3 * 32 * 32 }, (_, i) => Math.sin(i));
    await writeSafetensors(input, [{ name: 'input', dtype: 'F32', shape: [2, 3, 32, 32], data: pixels }]);
    const result = await captured(runFeatures, [
      'resnet18',
      '--weights',
      CHECKPOINT,
      '--input',
      input,
      '--out',
      out,
      '--engine',
      'wasm',
      '--threads',
      '1',
      '--non-strict',
    ]);
    assert.equal(result.code, 0, result.err);
    assert.match(result.err, /mis-shaped/);
    const features = (await readSafetensors(out)).tensors.get('features')!;
    assert.deepEqual(features.shape, [2, 512]);
    assert.ok(Array.from(features.data).every(Number.isFinite));
  });

  test('an input without the `input` tensor is named in the error', async () => {
    const input = join(work, 'wrong.safetensors');
    await writeSafetensors(input, [{ name: 'pixels', dtype: 'F32', shape: [1, 3, 2, 2], data: new Float32Array(12) }]);
    const result = await captured(runFeatures, [
      'resnet18',
      '--weights',
      CHECKPOINT,
      '--input',
      input,
      '--out',
      join(work, 'x.safetensors'),
    ]);
    assert.equal(result.code, 1);
    assert.match(result.err, /wrong\.safetensors: no tensor named 'input' \(found pixels\)/);
  });
});

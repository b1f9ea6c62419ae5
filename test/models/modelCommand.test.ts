// `radlab model` through its run() entry point, with its output captured.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { run, type CommandOutput } from '../../core/cli/modelCommand';

async function invoke(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CommandOutput = { out: (text) => (out += text), err: (text) => (err += text) };
  const code = await run(args, io);
  return { code, out, err };
}

describe('radlab model', () => {
  test('--json prints the headless facts', async () => {
    const { code, out, err } = await invoke('resnet152', '--json');
    assert.equal(code, 0);
    assert.equal(err, '');
    const summary = JSON.parse(out) as Record<string, number | string>;
    assert.deepEqual(Object.keys(summary).sort(), ['featureWidth', 'gflops', 'inputSize', 'name', 'params', 'tensors']);
    // torchvision's 60,192,808 less the fc head (2048 x 1000 + 1000); its published 11.514 GMACs less the head's
    // 2048 x 1000 multiply-adds.
    assert.equal(summary.name, 'resnet152');
    assert.equal(summary.params, 60_192_808 - (2048 * 1000 + 1000));
    assert.equal(summary.tensors, 465);
    assert.equal(summary.inputSize, 224);
    assert.equal(summary.featureWidth, 2048);
    assert.ok(Math.abs((summary.gflops as number) - (11.514 - 0.002048)) <= 0.0011);
  });

  test('without --json prints a readable table', async () => {
    const { code, out } = await invoke('efficientnet_v2_m');
    assert.equal(code, 0);
    assert.match(out, /^efficientnet_v2_m: EfficientNetV2-M, torchvision\n/);
    // 54,139,356 less the classifier (1280 x 1000 + 1000).
    assert.match(out, /parameters \(no head\) +52,858,356\n/);
    assert.match(out, /input size +480 x 480\n/);
    assert.match(out, /feature width +1280\n/);
  });

  test('--list lists every backbone, as a table or as JSON', async () => {
    const table = await invoke('--list');
    assert.equal(table.code, 0);
    const lines = table.out.trimEnd().split('\n');
    assert.equal(lines.length, 1 + 14 + 1);
    assert.match(lines[0]!, /^backbone +params \(no head\)/);
    assert.ok(lines.some((line) => /^swin_b +86,743,224 /.test(line)));

    const json = await invoke('--list', '--json');
    const rows = JSON.parse(json.out) as { name: string; featureWidth: number }[];
    assert.equal(rows.length, 14);
    assert.equal(rows.find((row) => row.name === 'beit_b_16')?.featureWidth, 768);
  });

  test('an unknown backbone is an error with a suggestion', async () => {
    const { code, out, err } = await invoke('convnext_bas');
    assert.equal(code, 1);
    assert.equal(out, '');
    assert.match(err, /unknown backbone 'convnext_bas'\. Did you mean 'convnext_base'\?/);
    assert.match(err, /Known backbones: resnet18, /);
  });

  test('usage errors', async () => {
    assert.equal((await invoke()).code, 2);
    assert.equal((await invoke('resnet18', 'resnet50')).code, 2);
    assert.equal((await invoke('--list', 'resnet18')).code, 2);
    const unknownOption = await invoke('resnet18', '--yaml');
    assert.equal(unknownOption.code, 2);
    assert.match(unknownOption.err, /unknown option '--yaml'/);
  });
});

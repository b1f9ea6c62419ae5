// Engine selection: the ladder's order and reasons, a named engine that cannot run is an error saying why, and
// the chosen wasm engine is tfjs's active backend with its threads and training kernels.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { isInstalled } from '../../core/engine/ladder';
import { releaseEngine, selectEngine } from '../../core/engine/selectEngine';

describe('selectEngine', () => {
  after(() => releaseEngine());

  test('rejects an unknown engine name and a bad thread count before starting anything', async () => {
    await assert.rejects(
      selectEngine({ engine: 'cuda' as never }),
      /unknown engine 'cuda'.*tfjs-node-gpu, tfjs-node, webgpu, wasm/,
    );
    await assert.rejects(selectEngine({ engine: 'wasm', threads: 0 }), /threads must be a positive integer/);
  });

  test(
    'a named engine whose package is absent is an error naming the package',
    { skip: isInstalled('tfjs-node') ? 'tfjs-node is installed here' : false },
    async () => {
      await assert.rejects(
        selectEngine({ engine: 'tfjs-node' }),
        /engine tfjs-node is not available: @tensorflow\/tfjs-node is not installed/,
      );
    },
  );

  test('wasm with 2 threads becomes the active backend with the training kernels', async () => {
    const report = await selectEngine({ engine: 'wasm', threads: 2 });
    assert.equal(report.chosen, 'wasm');
    assert.equal(tf.getBackend(), 'wasm');
    assert.equal(report.threads, 2, report.threadsNote);
    assert.deepEqual(
      report.ladder.map((r) => r.name),
      ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm'],
    );
    for (const rung of report.ladder) assert.ok(rung.reason.length > 0, `${rung.name} has no reason`);
    assert.ok(tf.getKernel('Conv2DBackpropFilter', 'wasm'), 'Conv2DBackpropFilter is registered');
    assert.ok(report.device.logicalCores >= 1 && report.device.memoryGiB > 0);
  });

  test('`radlab engine --json` prints the chosen engine and the whole ladder', () => {
    const command = `require('./core/engine/engineCommand.ts').run(process.argv.slice(1)).then((code) => process.exit(code))`;
    const ok = spawnSync(
      process.execPath,
      ['--import', 'tsx', '-e', command, '--', '--json', '--engine', 'wasm', '--threads', '2'],
      { encoding: 'utf8' },
    );
    assert.equal(ok.status, 0, ok.stderr);
    const report = JSON.parse(ok.stdout);
    assert.equal(report.chosen, 'wasm');
    assert.equal(report.threads, 2);
    assert.deepEqual(
      report.ladder.map((r: { name: string }) => r.name),
      ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm'],
    );
    assert.equal(typeof report.device.cpuModel, 'string');
    const bad = spawnSync(process.execPath, ['--import', 'tsx', '-e', command, '--', '--threads', 'many'], {
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /--threads needs a positive integer \(got 'many'\)/);
  });
});

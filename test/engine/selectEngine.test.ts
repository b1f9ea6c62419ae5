// Engine selection: the ladder's order and reasons, a named engine that cannot run is an error saying why, and
// the chosen wasm engine is tfjs's active backend with its threads and training kernels.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as tf from '@tensorflow/tfjs-core';
import { dawnMessages, isInstalled, type RungReport } from '../../core/engine/ladder';
import { engineLine, releaseEngine, selectEngine, type EngineReport } from '../../core/engine/selectEngine';

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
    const command = `require('./core/cli/engineCommand.ts').run(process.argv.slice(1)).then((code) => process.exit(code))`;
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

describe('what a person reads about the engine', () => {
  const ladder: RungReport[] = [
    { name: 'tfjs-node-gpu', available: false, reason: 'not installed' },
    { name: 'tfjs-node', available: true, reason: 'libtensorflow (CPU) installed' },
    { name: 'webgpu', available: false, reason: 'no adapter' },
    { name: 'wasm', available: true, reason: 'WebAssembly (XNNPACK) on the CPU' },
  ];
  const device = {
    cpuModel: 'AMD EPYC',
    logicalCores: 2,
    memoryGiB: 24,
    platform: 'linux-x64',
    node: 'v20',
    wasmSimd: true,
  };
  const report = (
    requested: EngineReport['requested'],
    chosen: EngineReport['chosen'],
    threads: number,
  ): EngineReport => ({
    requested,
    chosen,
    backend: chosen,
    threads,
    kernels: [],
    ladder,
    device,
    tfjsVersion: '4.22.0',
  });

  test('one line: the engine, its threads and device, why it, and which rungs above it could not run', () => {
    assert.equal(
      engineLine(report('auto', 'tfjs-node', 2)),
      'Engine: tfjs-node (2 threads, AMD EPYC): libtensorflow (CPU) installed; tfjs-node-gpu is not usable here (radlab engine says why)',
    );
    assert.equal(
      engineLine({ ...report('auto', 'wasm', 1), ladder: ladder.map((r) => ({ ...r, available: r.name === 'wasm' })) }),
      'Engine: wasm (1 thread, AMD EPYC): WebAssembly (XNNPACK) on the CPU; tfjs-node-gpu, tfjs-node and webgpu are not usable here (radlab engine says why)',
    );
    assert.equal(
      engineLine(report('wasm', 'wasm', 2)),
      'Engine: wasm (2 threads, AMD EPYC), as train.engine asks: WebAssembly (XNNPACK) on the CPU',
    );
  });

  test("Dawn's messages keep their words and lose the C++ source locations", () => {
    const stderr =
      "Warning: Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory\n" +
      '    at operator() (/home/runner/work/node-webgpu/node-webgpu/third_party/dawn/src/dawn/native/vulkan/BackendVk.cpp:368)\n\n';
    assert.deepEqual(dawnMessages(stderr), [
      "Couldn't load Vulkan: libvulkan.so.1: cannot open shared object file: No such file or directory",
    ]);
  });
});

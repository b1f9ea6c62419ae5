// Releasing the wasm engine and selecting it again in one process trains on: the second selection reuses the
// backend, whose thread pool must still have its threads (terminated, it waited for them forever — a sweep run
// after another in one test process hung so, every thread asleep). A hang blocks the process's own timers, so
// the scenario runs in a child process that the test bounds from outside; the child must also exit by itself
// once its work is done, which is what the release is for.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

const selectEngineModule = join(__dirname, '..', '..', 'core', 'engine', 'selectEngine.ts');

// A convolution large enough for XNNPACK to hand its rows to the pool's threads, and its filter gradient.
const scenario = `
const tf = require('@tensorflow/tfjs-core');
const { selectEngine, releaseEngine } = require(${JSON.stringify(selectEngineModule)});
async function convolve() {
  const report = await selectEngine({ engine: 'wasm', threads: 2 });
  const x = tf.ones([4, 64, 64, 32]);
  const w = tf.ones([3, 3, 32, 32]);
  const y = tf.conv2d(x, w, 1, 'valid');
  const dw = tf.grad((f) => tf.sum(tf.conv2d(x, f, 1, 'valid')))(w);
  const values = [y.dataSync()[0], dw.dataSync()[0]];
  tf.dispose([x, w, y, dw]);
  releaseEngine();
  return { threads: report.threads, values };
}
(async () => {
  const first = await convolve();
  const second = await convolve();
  process.stdout.write(JSON.stringify([first, second]));
})();
`;

test('the wasm engine trains again after a release in the same process, and the process exits', () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', scenario], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(child.signal, null, `the child was stopped by ${child.signal} (a hang): ${child.stderr}`);
  assert.equal(child.status, 0, child.stderr);
  const [first, second] = JSON.parse(child.stdout) as { threads: number; values: number[] }[];
  // Every output of a 3x3x32 valid convolution of ones with ones is 288; each entry of the sum's gradient with
  // respect to the filter adds up one input value (1) for each of the 62x62 outputs of 4 images.
  const expected = [288, 4 * 62 * 62];
  assert.deepEqual(first, { threads: 2, values: expected });
  assert.deepEqual(second, { threads: 2, values: expected });
});

// A sweep member leaves nothing of itself in the engine: its model, its optimizer and their slots, the step-memory
// probes and its checkpoints are all released when it ends, so a sweep's later members start with the memory the
// first one had. Runs the members in this process, as `radlab run` does, and counts the engine's live tensors.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import { runExperimentFile } from '../../core/run/runExperiment';
import type { ProgressDisplay } from '../../core/run/terminalProgress';
import { writeTinyExperiment } from '../helpers/tinyExperiment';

let workspace: string;
before(() => {
  workspace = mkdtempSync(join(tmpdir(), 'radlab-sweep-tensors-'));
});
after(() => rmSync(workspace, { recursive: true, force: true }));

const quiet: ProgressDisplay = { note() {}, warning() {}, stage() {}, batch() {}, epoch() {}, done() {} };

async function liveAfter(name: string, backbones: string, members: number) {
  const file = writeTinyExperiment(workspace, name, { backbones, epochs: 1 });
  const outcome = await runExperimentFile(file, { display: quiet, radlabVersion: 'test' });
  assert.equal(outcome.kind, 'ran');
  if (outcome.kind === 'ran') {
    assert.deepEqual(
      outcome.members.map((m) => [m.status, m.error]),
      new Array(members).fill(['completed', undefined]),
    );
  }
  const { numTensors, numBytes } = tf.memory();
  return { numTensors, numBytes };
}

test(
  'a two-member sweep leaves as many live tensors and bytes as a one-member sweep',
  { timeout: 600_000 },
  async () => {
    const one = await liveAfter('one', 'resnet18', 1);
    const two = await liveAfter('two', '[resnet18, resnet50]', 2);
    assert.deepEqual(two, one);
  },
);

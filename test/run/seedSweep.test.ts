// The seed's sweep trains in this engine. examples/rsna-seed.experiment.yaml, pointed at a 4-study synthetic
// dataset, runs ResNet-152 (random weights) through trainRun for one epoch at batch 2 on 64 px crops — the memory
// plan, the frozen prefix off the gradient tape, AdamW, validation and test. The six full-size members' one step at
// their own input sizes is `npm run bench:seed`: run here one after another on the wasm engine, the six hung with
// every thread asleep (a wasm thread-pool deadlock still to be found), so they are not a CI test until it is fixed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { runSeedSweep } from '../../bench/seed/seedSweep';
import { releaseEngine } from '../../core/engine/selectEngine';

test("the seed sweep's ResNet-152 trains for an epoch", { timeout: 1_800_000 }, async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'radlab-seed-sweep-'));
  try {
    const outcomes = await runSeedSweep({ workspace, size: 64, batch: 2, studies: 4, backbones: ['resnet152'] });
    assert.deepEqual(
      outcomes.map((o) => [o.backbone, o.inputSize, o.status, o.error]),
      [['resnet152', 64, 'completed', undefined]],
    );
  } finally {
    rmSync(workspace, { recursive: true, force: true });
  }
});

after(releaseEngine);

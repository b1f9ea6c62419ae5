// A full-size member of the seed's sweep trains end to end in this engine: examples/rsna-seed.experiment.yaml,
// pointed at a 4-study synthetic dataset, runs ResNet-152 (random weights) through trainRun for one epoch at batch
// 2 on 64 px crops — the memory plan, the frozen prefix off the gradient tape, AdamW, validation and test. All six
// members at their own input sizes and batch 32 take too long for CI: `bench/seed/seedSweep.ts` runs them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runSeedSweep } from '../../bench/seed/seedSweep';

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

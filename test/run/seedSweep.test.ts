// The seed's sweep trains in this engine: each of examples/rsna-seed.experiment.yaml's six full-size members takes
// one optimizer step at its own input size (EfficientNetV2-M 480 px, the others 224 px) with the file's head,
// freezing and optimizer, on a batch of 2 in micro-batches of 1, one after another in this one process: its loss
// is finite, its last backbone tensor moves and its first, frozen, does not. Batch 32 and the trainer's whole run
// (the memory plan, validation, checkpoints) take too long for CI: `npm run bench:seed` runs them.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { resolveExperiment } from '../../core/experiment/resolve';
import { releaseEngine, selectEngine } from '../../core/engine/selectEngine';
import { classifierFor } from '../../core/run/runClassifier';
import { freezeModel } from '../../core/models/freezing';
import { backboneFacts } from '../../core/models/registry';
import { makeOptimizer } from '../../core/train/makeOptimizer';
import { trainStep } from '../../core/train/trainStep';
import { testStepSettings } from '../helpers/stepSettings';

const seedFile = join(__dirname, '..', '..', 'examples', 'rsna-seed.experiment.yaml');
// Only the members' settings are read: the data folder is pointed at a small one in the RSNA layout to resolve.
const rsnaLayout = join(__dirname, '..', 'fixtures', 'experiment', 'lsdc-min');
const seed = resolveExperiment(
  readFileSync(seedFile, 'utf8').replace(/^ {2}root: .*$/m, `  root: ${rsnaLayout}`),
  seedFile,
);

if (!seed.ok) throw new Error(`${seedFile} does not resolve: ${JSON.stringify(seed.diagnostics)}`);

for (const run of seed.runs) {
  const { backbone } = run.model;
  const size = backboneFacts(backbone)!.inputSize;
  test(`the seed's ${backbone} takes one optimizer step at ${size} px`, { timeout: 600_000 }, async (t) => {
    await selectEngine({ engine: 'wasm' });
    const model = classifierFor(run);
    const optimizer = makeOptimizer(run.train.optimizer);
    t.after(() => {
      optimizer.dispose();
      model.dispose();
    });
    const trainable = freezeModel(model, {
      freezeBackbone: run.model.freeze_backbone,
      unfreezeLastN: run.model.unfreeze_last_n,
    });
    const kept = new Set(trainable);
    const frozen = model.backbone.parameters.find((p) => !kept.has(p))!;
    // The backbone's last tensor is always on the gradient's path (a block's may not be: Swin drops residual
    // branches at random in training, stochastic depth).
    const lastBackboneTensor = model.backbone.parameters.at(-1)!;
    const [frozenBefore, trainableBefore] = [frozen, lastBackboneTensor].map((p) => p.variable.dataSync().slice());
    const pixels = Uint8Array.from({ length: 2 * size * size * 3 }, (_, i) => (i * 37) % 251);
    const outcome = await trainStep(
      model,
      optimizer,
      trainable.map((p) => p.variable),
      { pixels, shape: [2, size, size, 3], levels: Int32Array.from([0, 3]), grades: Int32Array.from([0, 2]) },
      testStepSettings(run.train.normalize, 1),
    );
    assert.ok(Number.isFinite(outcome.loss), `loss ${outcome.loss}`);
    const [frozenAfter, trainableAfter] = [frozen, lastBackboneTensor].map((p) => p.variable.dataSync());
    assert.deepEqual(frozenAfter, frozenBefore, `${frozen.name} is frozen and keeps its values`);
    assert.notDeepEqual(trainableAfter, trainableBefore, `${lastBackboneTensor.name} trains and moves`);
  });
}

after(releaseEngine);

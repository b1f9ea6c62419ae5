// Which epoch's checkpoint is kept: the default metric is the competition's weighted log loss (lower is better),
// and a tie goes to the later epoch, whichever way the metric points.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { join } from 'node:path';
import { resolveExperiment } from '../../core/experiment/resolve';
import { isNewBest, selectionScore, type ValidationScores } from '../../core/run/selection';

function scores(partial: Partial<ValidationScores>): ValidationScores {
  return { loss: 1, accuracy: 0.5, macroF1: 0.5, weightedLogLoss: 1, ...partial };
}

/** The epoch (1-based) a run keeps, replaying the trainer's rule over a history of validation scores. */
function keptEpoch(metric: Parameters<typeof selectionScore>[0], history: ValidationScores[]): number {
  let best = 0;
  let bestScore = -Infinity;
  history.forEach((val, index) => {
    const score = selectionScore(metric, val);
    if (isNewBest(score, bestScore)) {
      best = index + 1;
      bestScore = score;
    }
  });
  return best;
}

test('a lower-is-better metric keeps the lowest epoch, and the later of two equal ones', () => {
  const history = [0.9, 0.62, 0.7, 0.62, 0.8].map((weightedLogLoss) => scores({ weightedLogLoss }));
  assert.equal(keptEpoch('val_weighted_log_loss', history), 4);
  const losses = [0.5, 0.4, 0.4].map((loss) => scores({ loss }));
  assert.equal(keptEpoch('val_loss', losses), 3);
});

test('a higher-is-better metric keeps the highest epoch, and the later of two equal ones', () => {
  const history = [0.3, 0.75, 0.5, 0.75, 0.6].map((macroF1) => scores({ macroF1 }));
  assert.equal(keptEpoch('val_macro_f1', history), 4);
  const accuracies = [0.875, 0.875].map((accuracy) => scores({ accuracy }));
  assert.equal(keptEpoch('val_accuracy', accuracies), 2);
});

test('a strictly better later epoch wins and a worse one never does', () => {
  assert.equal(isNewBest(-0.5, -0.6), true);
  assert.equal(isNewBest(-0.7, -0.6), false);
  assert.equal(isNewBest(-0.6, -0.6), true);
});

test('select_best and class_weights default to the competition metric and its 1/2/4 weights', () => {
  const file = join(import.meta.dirname, '..', 'fixtures', 'experiment', 'minimal-defaults.experiment.yaml');
  const text = [
    'name: defaults',
    'data: { root: ., condition: spinal_canal_stenosis }',
    'model: { backbones: resnet18, pretrained: none, freeze_backbone: false }',
    '',
  ].join('\n');
  const result = resolveExperiment(text, file, { checkDataset: false });
  assert.ok(result.ok, JSON.stringify(result.diagnostics));
  const run = result.runs[0]!;
  assert.equal(run.train.select_best, 'val_weighted_log_loss');
  assert.equal(run.train.loss.class_weights, 'competition');
});

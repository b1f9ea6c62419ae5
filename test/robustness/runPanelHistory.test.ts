// The run panel folds a long log (2,000 epochs, with the epochs a resume repeats) into its epoch history in
// linear time (bench/robustness/load.ts measures it); this checks it keeps epoch order
// and lets a repeated epoch's later record win, against a history written out here by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVENTS_SCHEMA, type RadLabEvent } from '../../core/train/events';
import { applyEvents, readRunFolder } from '../../extension/panels/runFolderModel';

function epochEnd(epoch: number, loss: number): RadLabEvent {
  const scores = { loss, accuracy: 0.5, macroF1: 0.25 };
  return {
    schema: EVENTS_SCHEMA,
    time: '2026-01-01T00:00:00.000Z',
    type: 'epoch-end',
    epoch,
    train: scores,
    val: scores,
    lr: 0.001,
    best: false,
  };
}

describe('run panel epoch history', () => {
  it('keeps 2,000 epochs in order when a resume repeats epochs and one arrives late', () => {
    // Epochs 1..1200, then a resume after epoch 1000 repeats 1001..1200 with new losses, then 1201..2000; the
    // record of epoch 1500 is (artificially) held back and arrives last.
    const events: RadLabEvent[] = [];
    for (let e = 1; e <= 1200; e++) events.push(epochEnd(e, 1));
    for (let e = 1001; e <= 2000; e++) if (e !== 1500) events.push(epochEnd(e, 2));
    events.push(epochEnd(1500, 3));
    const { model } = readRunFolder('/nonexistent-run-folder');
    applyEvents(model, events);
    assert.equal(model.history.length, 2000);
    assert.deepEqual(
      model.history.map((p) => p.epoch),
      Array.from({ length: 2000 }, (_, i) => i + 1),
    );
    const lossOf = (epoch: number) => model.history[epoch - 1]!.train.loss;
    assert.deepEqual(
      [lossOf(1), lossOf(1000), lossOf(1001), lossOf(1200), lossOf(1499), lossOf(1500), lossOf(2000)],
      [1, 1, 2, 2, 2, 3, 2],
    );
  });
});

// The progress display of `radlab run`: in a terminal it prints epochs and warnings; when the events go to
// another stream (`--events-stdout`, the editor's way), it prints only what no event carries, so the editor's
// output channel, which shows events and the trainer's stderr, gets each epoch and warning once.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createProgressDisplay } from '../../core/run/terminalProgress';

function capture(): { out: NodeJS.WriteStream; lines: () => string[] } {
  let text = '';
  const out = { isTTY: false, write: (chunk: string) => ((text += chunk), true) } as unknown as NodeJS.WriteStream;
  return { out, lines: () => text.split('\n').filter((line) => line !== '') };
}

const history = {
  epoch: 1,
  lr: 1e-3,
  seconds: 2,
  train: { loss: 0.5, accuracy: 0.75, macroF1: 0.5 },
  val: { loss: 0.25, accuracy: 0.5, macroF1: 0.25, weightedLogLoss: 0.125 },
};

function show(eventsElsewhere: boolean): string[] {
  const { out, lines } = capture();
  const display = eventsElsewhere ? createProgressDisplay(out, true) : createProgressDisplay(out);
  display.note('Engine: wasm');
  display.stage('Preparing inputs', 4, 4);
  display.epoch(history, true, 0.5);
  display.warning('No Severe sample is in the training split');
  display.done();
  return lines();
}

describe('createProgressDisplay', () => {
  it('prints notes, preparation, epochs and warnings in a terminal', () => {
    assert.deepEqual(show(false), [
      'Engine: wasm',
      'Preparing inputs: 4/4',
      'epoch 1: train loss 0.5000 acc 0.750 F1 0.500 | val loss 0.2500 acc 0.500 F1 0.250 wLL 0.125 | 2.0s, data wait 50.0% (best)',
      'Warning: No Severe sample is in the training split',
    ]);
  });

  it('leaves epochs and warnings to the events when they go elsewhere', () => {
    assert.deepEqual(show(true), ['Engine: wasm', 'Preparing inputs: 4/4']);
  });
});

// The ETA the status bar shows: the trainer's raw estimates jumped 22 s → 91 s → 34 s a second apart in a real
// run; the shown value counts down with the clock and moves 30 % of the way to each new estimate. Expected values
// are worked out by hand below each case. The last group folds real event sequences through the live run.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RadLabEvent, RadLabEventBody } from '../../core/train/events';
import { smoothEta } from '../../extension/runs/etaSmoothing';
import { applyEvent, initialLiveRun } from '../../extension/runs/liveRun';
import { progressMessage, statusBarText } from '../../extension/runs/statusText';

const close = (actual: number, expected: number) =>
  assert.ok(Math.abs(actual - expected) < 1e-9, `${actual} is not ${expected}`);

describe('smoothEta', () => {
  it('takes the first estimate as it is', () => {
    assert.deepEqual(smoothEta(undefined, 22, 1_000), { seconds: 22, at: 1_000 });
  });

  it('damps a jump: 22 s then 91 s a second later shows 21 + 0.3 × (91 − 21) = 42 s', () => {
    close(smoothEta({ seconds: 22, at: 1_000 }, 91, 2_000).seconds, 42);
  });

  it('damps the fall back: 42 s then 34 s a second later shows 41 + 0.3 × (34 − 41) = 38.9 s', () => {
    close(smoothEta({ seconds: 42, at: 2_000 }, 34, 3_000).seconds, 38.9);
  });

  it('agrees with a steady estimate: 60 s then 50 s ten seconds later stays 50 s', () => {
    close(smoothEta({ seconds: 60, at: 0 }, 50, 10_000).seconds, 50);
  });

  it('never counts below zero', () => {
    close(smoothEta({ seconds: 5, at: 0 }, 0, 60_000).seconds, 0);
  });
});

const stampAt = (seconds: number, body: RadLabEventBody): RadLabEvent =>
  ({
    schema: 'radlab.events/1',
    time: new Date(Date.UTC(2026, 0, 2, 3, 4, seconds)).toISOString(),
    ...body,
  }) as RadLabEvent;

const start: RadLabEventBody = {
  type: 'run-start',
  runId: '20260102-030400',
  experiment: 'tiny',
  backbone: 'resnet18',
  engine: 'wasm',
  device: 'cpu (1 thread)',
  counts: { train: 4, val: 2, test: 2 },
};
const batch = (epoch: number, step: number, etaSeconds: number): RadLabEventBody => ({
  type: 'batch',
  epoch,
  step,
  steps: 2,
  loss: 1,
  imagesPerSecond: 5,
  etaSeconds,
});
const epochEnd = (epoch: number): RadLabEventBody => ({
  type: 'epoch-end',
  epoch,
  train: { loss: 0.9, accuracy: 0.5, macroF1: 0.3 },
  val: { loss: 1, accuracy: 0.4, macroF1: 0.25 },
  lr: 1e-3,
  best: true,
});

describe('the live run', () => {
  it('shows the smoothed ETA: 22 s, then 42 s, then 39 s', () => {
    const shown: string[] = [];
    let state = initialLiveRun('tiny');
    for (const [second, body] of [
      [0, start],
      [0, { type: 'epoch-start', epoch: 1, epochs: 2 }],
      [1, batch(1, 1, 22)],
      [2, batch(1, 2, 91)],
      [3, batch(2, 1, 34)],
    ] as Array<[number, RadLabEventBody]>) {
      state = applyEvent(state, stampAt(second, body));
      if (body.type === 'batch') shown.push(/ETA (\S+)/.exec(statusBarText(state))![1]!);
    }
    assert.deepEqual(shown, ['22s', '42s', '39s']);
  });

  it('says it is testing after the last epoch instead of showing ETA 0s', () => {
    const state = [start, { type: 'epoch-start', epoch: 2, epochs: 2 }, batch(2, 2, 0), epochEnd(2)].reduce(
      (folded, body, k) => applyEvent(folded, stampAt(k, body as RadLabEventBody)),
      initialLiveRun('tiny'),
    );
    assert.equal(statusBarText(state), 'tiny · resnet18 · epoch 2/2 · loss 0.900 · testing the best checkpoint');
    assert.equal(progressMessage(state), 'resnet18 · epoch 2/2 · loss 0.900 · testing the best checkpoint');
  });

  it('keeps training words after an epoch that is not the last', () => {
    const state = [start, { type: 'epoch-start', epoch: 1, epochs: 2 }, batch(1, 2, 10), epochEnd(1)].reduce(
      (folded, body, k) => applyEvent(folded, stampAt(k, body as RadLabEventBody)),
      initialLiveRun('tiny'),
    );
    assert.doesNotMatch(statusBarText(state), /testing/);
    assert.match(statusBarText(state), /ETA 10s/);
  });
});

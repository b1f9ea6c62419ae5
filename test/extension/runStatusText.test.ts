// What the status bar and progress notification say about a live run, folded from events written by hand.
// Expected strings and fractions are worked out by hand from the events.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RadLabEvent, RadLabEventBody } from '../../core/train/events';
import { applyEvent, initialLiveRun, type LiveRun, runFraction } from '../../extension/runs/liveRun';
import { formatDuration, progressMessage, statusBarText, statusBarTooltip } from '../../extension/runs/statusText';

const stamp = (body: RadLabEventBody): RadLabEvent =>
  ({ schema: 'radlab.events/1', time: '2026-01-02T03:04:05.000Z', ...body }) as RadLabEvent;

function fold(bodies: RadLabEventBody[]): LiveRun {
  return bodies.map(stamp).reduce(applyEvent, initialLiveRun('canal-stenosis'));
}

const start: RadLabEventBody = {
  type: 'run-start',
  runId: '20260102-030405',
  experiment: 'canal-stenosis',
  backbone: 'convnext_base',
  engine: 'wasm',
  device: 'cpu (2 threads)',
  counts: { train: 100, val: 20, test: 30 },
};

describe('formatDuration', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'],
    [44.6, '45s'],
    [59.4, '59s'],
    [59.6, '1m 00s'],
    [185, '3m 05s'],
    [3599, '59m 59s'],
    [3600, '1h 00m'],
    [3725, '1h 02m'],
    [86399, '23h 59m'],
    [86400 + 4 * 3600 + 59, '1d 4h'],
    [-1, '?'],
    [Number.NaN, '?'],
  ];
  for (const [seconds, text] of cases)
    it(`writes ${seconds} s as "${text}"`, () => assert.equal(formatDuration(seconds), text));
});

describe('live run text', () => {
  it('names the experiment and says it is starting before the first event', () => {
    const state = initialLiveRun('canal-stenosis');
    assert.equal(statusBarText(state), 'canal-stenosis · starting…');
    assert.equal(progressMessage(state), 'starting…');
    assert.equal(runFraction(state), undefined);
  });

  it('shows epoch, loss to three significant digits and ETA during an epoch', () => {
    const state = fold([
      start,
      { type: 'epoch-start', epoch: 3, epochs: 30 },
      { type: 'batch', epoch: 3, step: 5, steps: 20, loss: 0.51234, imagesPerSecond: 6.64, etaSeconds: 250 },
    ]);
    assert.equal(statusBarText(state), 'canal-stenosis · convnext_base · epoch 3/30 · loss 0.512 · ETA 4m 10s');
    assert.equal(progressMessage(state), 'convnext_base · epoch 3/30 · loss 0.512 · ETA 4m 10s · step 5/20');
    // (3 - 1 + 5/20) / 30 = 2.25 / 30
    assert.equal(runFraction(state), 0.075);
    const tooltip = statusBarTooltip(state, 2);
    assert.match(tooltip, /Engine: wasm on cpu \(2 threads\)/);
    assert.match(tooltip, /6\.6 images\/s/);
    assert.match(tooltip, /2 more runs queued/);
  });

  it('takes the epoch loss and validation F1 at epoch end and ends at 1 with the run', () => {
    const state = fold([
      start,
      { type: 'epoch-start', epoch: 1, epochs: 2 },
      {
        type: 'epoch-end',
        epoch: 1,
        train: { loss: 0.9, accuracy: 0.5, macroF1: 0.3 },
        val: { loss: 1, accuracy: 0.4, macroF1: 0.25 },
        lr: 1e-4,
        best: true,
      },
    ]);
    assert.equal(state.loss, 0.9);
    assert.equal(state.lastValMacroF1, 0.25);
    assert.equal(runFraction(state), 0);
    const ended = applyEvent(state, stamp({ type: 'run-end', status: 'completed' }));
    assert.equal(runFraction(ended), 1);
    assert.deepEqual(ended.finished, [
      { runId: '20260102-030405', backbone: 'convnext_base', status: 'completed', error: undefined },
    ]);
  });

  it('starts afresh for the next backbone of a sweep but remembers the finished ones', () => {
    const state = fold([
      start,
      { type: 'epoch-start', epoch: 2, epochs: 2 },
      { type: 'batch', epoch: 2, step: 3, steps: 3, loss: 0.2, imagesPerSecond: 5, etaSeconds: 0 },
      { type: 'run-end', status: 'failed', error: 'NaN loss' },
      { ...start, runId: '20260102-040000', backbone: 'resnet152' } as RadLabEventBody,
    ]);
    assert.equal(statusBarText(state), 'canal-stenosis · resnet152');
    assert.equal(state.status, undefined);
    assert.deepEqual(
      state.finished.map((f) => `${f.backbone}:${f.status}`),
      ['convnext_base:failed'],
    );
    assert.match(statusBarTooltip(state, 0), /Finished convnext_base: failed/);
  });
});

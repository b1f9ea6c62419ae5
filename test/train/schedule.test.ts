import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeSchedule } from '../../core/train/schedule';

const close = (a: number, b: number) => Math.abs(a - b) < 1e-15;

describe('learning-rate schedules', () => {
  it('constant gives the peak at every step', () => {
    const schedule = makeSchedule({ name: 'constant', peak: 3e-4 });
    assert.deepEqual(
      [0, 1, 1000].map((s) => schedule.rateAt(s)),
      [3e-4, 3e-4, 3e-4],
    );
  });

  it('cosine: linear warm-up, then half a cosine to the floor', () => {
    // peak 1, warm-up 4, total 12 → decay over 8 steps.
    // warm-up: (s + 1)/4 → 0.25, 0.5, 0.75, 1
    // s = 4: progress 0 → 1; s = 6: progress 2/8 → ½(1 + cos π/4) = 0.853553; s = 8: ½(1 + cos π/2) = 0.5;
    // s = 12: progress 1 → 0; s = 20: stays 0.
    const schedule = makeSchedule({ name: 'cosine', peak: 1, warmupSteps: 4, totalSteps: 12 });
    const rates = [0, 1, 2, 3, 4, 6, 8, 12, 20].map((s) => schedule.rateAt(s));
    const expected = [0.25, 0.5, 0.75, 1, 1, 0.5 * (1 + Math.SQRT1_2), 0.5, 0, 0];
    rates.forEach((rate, i) => assert.ok(close(rate, expected[i]!), `step index ${i}: ${rate} vs ${expected[i]}`));
  });

  it('cosine with a floor and no warm-up', () => {
    // peak 0.1, floor 0.01, 10 steps: s = 5 → 0.01 + 0.09·½(1 + cos π/2) = 0.055
    const schedule = makeSchedule({ name: 'cosine', peak: 0.1, warmupSteps: 0, totalSteps: 10, floor: 0.01 });
    assert.ok(close(schedule.rateAt(0), 0.1));
    assert.ok(Math.abs(schedule.rateAt(5) - 0.055) < 1e-15);
    assert.ok(close(schedule.rateAt(10), 0.01));
  });

  it('explains bad settings', () => {
    assert.throws(
      () => makeSchedule({ name: 'cosine', peak: 1, warmupSteps: 5, totalSteps: 3 }),
      /total steps \(3\) must be/,
    );
    assert.throws(
      () => makeSchedule({ name: 'cosine', peak: 1, warmupSteps: 0, totalSteps: 3 }).rateAt(-1),
      /step must be/,
    );
  });
});

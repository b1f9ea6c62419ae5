// The run queue: jobs start in the order they were queued, never two at once, a failing job does not stop the
// queue, and a job removed before it started never runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JobCancelledError, RunQueue } from '../../extension/runs/runQueue';

function deferred(): { promise: Promise<void>; resolve(): void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('RunQueue', () => {
  it('runs jobs one at a time in the order they were queued', async () => {
    const queue = new RunQueue<string>();
    const log: string[] = [];
    let concurrent = 0;
    let maxConcurrent = 0;
    const gates = [deferred(), deferred(), deferred()];
    const jobs = ['a', 'b', 'c'].map((name, i) =>
      queue.enqueue(name, async () => {
        concurrent++;
        maxConcurrent = Math.max(maxConcurrent, concurrent);
        log.push(`start ${name}`);
        await gates[i]!.promise;
        log.push(`end ${name}`);
        concurrent--;
        return name.toUpperCase();
      }),
    );
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(queue.running?.label, 'a');
    assert.deepEqual(
      queue.pending.map((p) => p.label),
      ['b', 'c'],
    );
    // Finishing them out of order must not start them out of order.
    gates[2]!.resolve();
    gates[1]!.resolve();
    gates[0]!.resolve();
    assert.deepEqual(await Promise.all(jobs.map((j) => j.done)), ['A', 'B', 'C']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    assert.equal(maxConcurrent, 1);
    assert.equal(queue.running, undefined);
  });

  it('goes on to the next job after one fails or throws synchronously', async () => {
    const queue = new RunQueue<number>();
    const failing = queue.enqueue('fails', async () => {
      throw new Error('boom');
    });
    const throwing = queue.enqueue('throws', () => {
      throw new Error('sync boom');
    });
    const next = queue.enqueue('next', async () => 42);
    await assert.rejects(failing.done, /boom/);
    await assert.rejects(throwing.done, /sync boom/);
    assert.equal(await next.done, 42);
  });

  it('never runs a job removed before it started, and cannot remove the running one', async () => {
    const queue = new RunQueue<string>();
    const gate = deferred();
    const ran: string[] = [];
    const first = queue.enqueue('first', async () => {
      ran.push('first');
      await gate.promise;
      return 'first';
    });
    const second = queue.enqueue('second', async () => {
      ran.push('second');
      return 'second';
    });
    const third = queue.enqueue('third', async () => {
      ran.push('third');
      return 'third';
    });
    await new Promise((r) => setImmediate(r));
    assert.equal(queue.cancel(first.id), false);
    assert.equal(queue.cancel(second.id), true);
    assert.equal(queue.cancel(second.id), false);
    await assert.rejects(second.done, JobCancelledError);
    gate.resolve();
    await Promise.all([first.done, third.done]);
    assert.deepEqual(ran, ['first', 'third']);
  });

  it('tells listeners when the queue changes', async () => {
    const queue = new RunQueue<void>();
    let changes = 0;
    const subscription = queue.onDidChange(() => changes++);
    await queue.enqueue('one', async () => {}).done;
    await new Promise((r) => setImmediate(r));
    assert.ok(changes >= 3, `expected queued, started and finished notifications, got ${changes}`);
    subscription.dispose();
    const before = changes;
    await queue.enqueue('two', async () => {}).done;
    assert.equal(changes, before);
  });
});

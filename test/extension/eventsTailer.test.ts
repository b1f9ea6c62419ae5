// Following an events.jsonl while it grows: lines appended in pieces, a torn last line that completes later, a
// multi-byte character cut by a read, a file that appears late, one that is replaced, and a bad line reported
// with its number. The lines are written out by hand in the schema's format.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { EventProblem, RadLabEvent } from '../../core/train/events';
import { EventsTailer } from '../../extension/runs/eventsTailer';

const folder = mkdtempSync(path.join(tmpdir(), 'radlab-tail-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const T = '"schema":"radlab.events/1","time":"2026-01-02T03:04:05.000Z"';
const runStart = `{${T},"type":"run-start","runId":"20260102-030405","experiment":"ex","backbone":"resnet18","engine":"wasm","device":"cpu","counts":{"train":8,"val":2,"test":2}}\n`;
const epochStart = `{${T},"type":"epoch-start","epoch":1,"epochs":3}\n`;
const artifact = `{${T},"type":"artifact","kind":"plot","path":"plots/lóss.png"}\n`;
const runEnd = `{${T},"type":"run-end","status":"completed"}`;

function collector(file: string): { tailer: EventsTailer; events: RadLabEvent[]; problems: EventProblem[] } {
  const events: RadLabEvent[] = [];
  const problems: EventProblem[] = [];
  const tailer = new EventsTailer(file, { onEvents: (e) => events.push(...e), onProblems: (p) => problems.push(...p) });
  return { tailer, events, problems };
}

describe('EventsTailer', () => {
  it('waits for a file that does not exist yet, then delivers each complete line once', async () => {
    const file = path.join(folder, 'late.jsonl');
    const { tailer, events, problems } = collector(file);
    await tailer.poll();
    assert.equal(events.length, 0);
    writeFileSync(file, runStart);
    await tailer.poll();
    await tailer.poll();
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-start'],
    );
    assert.equal(events[0]!.type === 'run-start' && events[0]!.counts.train, 8);
    assert.deepEqual(problems, []);
  });

  it('holds back a torn last line until the rest of it is written', async () => {
    const file = path.join(folder, 'torn.jsonl');
    const { tailer, events, problems } = collector(file);
    writeFileSync(file, runStart + epochStart.slice(0, 25));
    await tailer.poll();
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-start'],
    );
    appendFileSync(file, epochStart.slice(25));
    await tailer.poll();
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-start', 'epoch-start'],
    );
    assert.deepEqual(problems, []);
  });

  it('decodes a multi-byte character that a read cut in two', async () => {
    const file = path.join(folder, 'utf8.jsonl');
    const { tailer, events } = collector(file);
    const bytes = Buffer.from(artifact);
    const cut = bytes.indexOf(Buffer.from('ó')) + 1; // inside the two bytes of "ó"
    writeFileSync(file, bytes.subarray(0, cut));
    await tailer.poll();
    appendFileSync(file, bytes.subarray(cut));
    await tailer.poll();
    assert.equal(events.length, 1);
    assert.equal(events[0]!.type === 'artifact' && events[0]!.path, 'plots/lóss.png');
  });

  it('reports a broken line by its line number and keeps reading', async () => {
    const file = path.join(folder, 'bad.jsonl');
    const { tailer, events, problems } = collector(file);
    writeFileSync(file, runStart + '{not json}\n' + epochStart);
    await tailer.poll();
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-start', 'epoch-start'],
    );
    assert.equal(problems.length, 1);
    assert.equal(problems[0]!.line, 2);
  });

  it('parses a last line without newline only when told the writer finished', async () => {
    const file = path.join(folder, 'finish.jsonl');
    const { tailer, events } = collector(file);
    writeFileSync(file, runStart + runEnd);
    await tailer.poll();
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-start'],
    );
    await tailer.finish();
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-start', 'run-end'],
    );
  });

  it('starts over when the file is replaced by a shorter one', async () => {
    const file = path.join(folder, 'replaced.jsonl');
    const { tailer, events } = collector(file);
    writeFileSync(file, runStart + epochStart);
    await tailer.poll();
    writeFileSync(file, artifact);
    await tailer.poll();
    assert.deepEqual(
      events.map((e) => e.type),
      ['run-start', 'epoch-start', 'artifact'],
    );
  });

  it('follows a file on its own timer once started', async () => {
    const file = path.join(folder, 'timer.jsonl');
    const { tailer, events } = collector(file);
    tailer.start(20);
    try {
      writeFileSync(file, runStart);
      await new Promise((r) => setTimeout(r, 50));
      appendFileSync(file, epochStart);
      const deadline = Date.now() + 2000;
      while (events.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.deepEqual(
        events.map((e) => e.type),
        ['run-start', 'epoch-start'],
      );
    } finally {
      tailer.dispose();
    }
  });
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  EVENTS_SCHEMA,
  EventLineReader,
  EventWriter,
  parseEvents,
  type RadLabEventBody,
} from '../../core/train/events';

const folder = mkdtempSync(join(tmpdir(), 'radlab-events-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const bodies: RadLabEventBody[] = [
  {
    type: 'run-start',
    runId: '20250101-120000',
    experiment: 'canal',
    backbone: 'resnet18',
    engine: 'wasm',
    device: 'cpu (2 threads)',
    counts: { train: 650, val: 150, test: 200 },
  },
  { type: 'epoch-start', epoch: 1, epochs: 2 },
  { type: 'batch', epoch: 1, step: 1, steps: 21, loss: 1.05, imagesPerSecond: 6.6, etaSeconds: 120 },
  {
    type: 'epoch-end',
    epoch: 1,
    train: { loss: 0.9, accuracy: 0.6, macroF1: 0.4 },
    val: { loss: 0.95, accuracy: 0.55, macroF1: 0.38 },
    lr: 1e-4,
    best: true,
  },
  { type: 'artifact', kind: 'plot', path: 'plots/loss.png' },
  { type: 'run-end', status: 'completed', metrics: { test_macro_f1: 0.41 } },
];

describe('event log', () => {
  it('writes one tagged line per event (file and echo) and reads them back', () => {
    const path = join(folder, 'events.jsonl');
    const echoed: string[] = [];
    const writer = new EventWriter(
      path,
      { write: (text: string) => echoed.push(text) },
      () => new Date(Date.UTC(2025, 0, 1)),
    );
    for (const body of bodies) writer.emit(body);
    const text = readFileSync(path, 'utf8');
    assert.equal(text.split('\n').length, bodies.length + 1);
    assert.equal(echoed.join(''), text);
    const first = JSON.parse(text.split('\n')[0]!);
    assert.equal(first.schema, 'radlab.events/1');
    assert.equal(first.time, '2025-01-01T00:00:00.000Z');
    const parsed = parseEvents(text);
    assert.deepEqual(parsed.problems, []);
    assert.equal(parsed.tornTail, false);
    assert.deepEqual(
      parsed.events.map(({ schema: _schema, time: _time, ...body }) => body),
      bodies,
    );
  });

  it('refuses to write an invalid event', () => {
    const writer = new EventWriter(join(folder, 'bad.jsonl'));
    assert.throws(
      () =>
        writer.emit({
          type: 'batch',
          epoch: 1,
          step: 1,
          steps: 2,
          loss: Number.NaN,
          imagesPerSecond: 1,
          etaSeconds: 1,
        }),
      /batch event: loss must be a finite number/,
    );
  });

  it('skips a torn last line silently and reports bad lines with their numbers', () => {
    const line = (value: unknown) => JSON.stringify(value);
    const good = { schema: EVENTS_SCHEMA, time: 't', type: 'epoch-start', epoch: 1, epochs: 3 };
    const text = [
      line(good),
      '{"schema": "radlab.events/1", "type": "batch"',
      line({ ...good, schema: 'radlab.events/2' }),
      line({ ...good, type: 'warp' }),
      line({ ...good, type: 'run-end', status: 'exploded' }),
      line({ ...good, type: 'epoch-end', epoch: 1, train: { loss: 1, accuracy: 1 }, val: good, lr: 1, best: false }),
      line({ ...good, epoch: 2 }),
      '{"schema":"radlab.events/1","ty',
    ].join('\n');
    const parsed = parseEvents(text);
    assert.deepEqual(
      parsed.events.map((e) => (e as { epoch: number }).epoch),
      [1, 2],
    );
    assert.equal(parsed.tornTail, true);
    assert.deepEqual(
      parsed.problems.map((p) => p.line),
      [2, 3, 4, 5, 6],
    );
    assert.match(parsed.problems[0]!.message, /not valid JSON/);
    assert.match(parsed.problems[1]!.message, /schema is "radlab.events\/2"/);
    assert.match(parsed.problems[2]!.message, /unknown event type "warp"/);
    assert.match(parsed.problems[3]!.message, /status must be one of completed, failed, cancelled/);
    assert.match(parsed.problems[4]!.message, /train.macroF1 must be a finite number/);
  });

  it('reads a live stream split at arbitrary points', () => {
    const path = join(folder, 'stream.jsonl');
    const writer = new EventWriter(path);
    bodies.forEach((body) => writer.emit(body));
    const text = readFileSync(path, 'utf8');
    const reader = new EventLineReader();
    const types: string[] = [];
    for (let i = 0; i < text.length; i += 17) {
      const { events, problems } = reader.push(text.slice(i, i + 17));
      assert.deepEqual(problems, []);
      types.push(...events.map((e) => e.type));
    }
    assert.deepEqual(reader.end().events, []);
    assert.deepEqual(
      types,
      bodies.map((b) => b.type),
    );
  });
});

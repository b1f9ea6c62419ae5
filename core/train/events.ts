// The trainer's event log: one JSON object per line in the run folder's events.jsonl (and, optionally, on
// stdout, which the VS Code extension reads live). This file is the single definition both sides import; it uses
// only Node's fs, never vscode.
//
// Versioning: every event carries `schema: 'radlab.events/1'`. Adding optional fields keeps the version; removing
// or changing the meaning of a field needs 'radlab.events/2', and readers skip (and report) lines of a schema
// they do not know instead of misreading them.
//
// Reading is tolerant because a log can be read while it is written or after a crash: a last line without its
// newline that does not parse is a torn write and is skipped silently; any other bad line is skipped and
// reported with its line number.

import { appendFileSync } from 'node:fs';
import { isRecord } from '../json/isRecord';
import type { EpochScores } from '../metrics/epochScores';

export const EVENTS_SCHEMA = 'radlab.events/1';
export const EVENTS_FILE = 'events.jsonl';

export interface SplitCounts {
  train: number;
  val: number;
  test: number;
}

export type RunStatus = 'completed' | 'failed' | 'cancelled';

export type RadLabEventBody =
  | {
      type: 'run-start';
      runId: string;
      runDir?: string;
      experiment: string;
      backbone: string;
      engine: string;
      device: string;
      counts: SplitCounts;
    }
  | { type: 'epoch-start'; epoch: number; epochs: number }
  | {
      type: 'batch';
      epoch: number;
      step: number;
      steps: number;
      loss: number;
      imagesPerSecond: number;
      etaSeconds: number;
    }
  | { type: 'epoch-end'; epoch: number; train: EpochScores; val: EpochScores; lr: number; best: boolean }
  | { type: 'artifact'; kind: string; path: string }
  /** Something the user should know that does not stop the run. */
  | { type: 'warning'; message: string }
  | { type: 'run-end'; status: RunStatus; error?: string; metrics?: Record<string, unknown> };

export type RadLabEventType = RadLabEventBody['type'];

/** An event as written: the body plus the schema tag and an ISO-8601 timestamp. */
export type RadLabEvent = RadLabEventBody & { schema: typeof EVENTS_SCHEMA; time: string };

type FieldKind = 'string' | 'number' | 'boolean' | 'counts' | 'scores' | 'status' | 'object';
interface FieldSpec {
  kind: FieldKind;
  optional?: boolean;
}

const FIELDS: Record<RadLabEventType, Record<string, FieldSpec>> = {
  'run-start': {
    runId: { kind: 'string' },
    runDir: { kind: 'string', optional: true },
    experiment: { kind: 'string' },
    backbone: { kind: 'string' },
    engine: { kind: 'string' },
    device: { kind: 'string' },
    counts: { kind: 'counts' },
  },
  'epoch-start': { epoch: { kind: 'number' }, epochs: { kind: 'number' } },
  batch: {
    epoch: { kind: 'number' },
    step: { kind: 'number' },
    steps: { kind: 'number' },
    loss: { kind: 'number' },
    imagesPerSecond: { kind: 'number' },
    etaSeconds: { kind: 'number' },
  },
  'epoch-end': {
    epoch: { kind: 'number' },
    train: { kind: 'scores' },
    val: { kind: 'scores' },
    lr: { kind: 'number' },
    best: { kind: 'boolean' },
  },
  artifact: { kind: { kind: 'string' }, path: { kind: 'string' } },
  warning: { message: { kind: 'string' } },
  'run-end': {
    status: { kind: 'status' },
    error: { kind: 'string', optional: true },
    metrics: { kind: 'object', optional: true },
  },
};

const RUN_STATUSES: readonly RunStatus[] = ['completed', 'failed', 'cancelled'];

/** A number that JSON can carry; NaN and ±Infinity become null in JSON.stringify, so a number is always finite. */
function isNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function checkField(name: string, spec: FieldSpec, value: unknown): string | null {
  switch (spec.kind) {
    case 'string':
    case 'boolean':
      return typeof value === spec.kind ? null : `${name} must be a ${spec.kind}`;
    case 'number':
      return isNumber(value) ? null : `${name} must be a finite number`;
    case 'status':
      return RUN_STATUSES.includes(value as RunStatus) ? null : `${name} must be one of ${RUN_STATUSES.join(', ')}`;
    case 'object':
      return isRecord(value) ? null : `${name} must be an object`;
    case 'counts':
    case 'scores': {
      const keys = spec.kind === 'counts' ? ['train', 'val', 'test'] : ['loss', 'accuracy', 'macroF1'];
      if (!isRecord(value)) return `${name} must be an object with ${keys.join(', ')}`;
      const bad = keys.find((key) => !isNumber(value[key]));
      return bad === undefined ? null : `${name}.${bad} must be a finite number`;
    }
  }
}

/** Checks one decoded object against the schema; returns the event or why it is not one. */
export function validateEvent(value: unknown): { event: RadLabEvent } | { error: string } {
  if (!isRecord(value)) return { error: 'not a JSON object' };
  if (value.schema !== EVENTS_SCHEMA)
    return { error: `schema is ${JSON.stringify(value.schema)}, expected "${EVENTS_SCHEMA}"` };
  if (typeof value.time !== 'string') return { error: 'time must be an ISO-8601 string' };
  const fields = FIELDS[value.type as RadLabEventType];
  if (typeof value.type !== 'string' || !fields) {
    return { error: `unknown event type ${JSON.stringify(value.type)}; known: ${Object.keys(FIELDS).join(', ')}` };
  }
  for (const [name, spec] of Object.entries(fields)) {
    if (value[name] === undefined) {
      if (spec.optional) continue;
      return { error: `${value.type} event lacks ${name}` };
    }
    const problem = checkField(name, spec, value[name]);
    if (problem) return { error: `${value.type} event: ${problem}` };
  }
  return { event: value as unknown as RadLabEvent };
}

export interface EventProblem {
  /** 1-based line number in the log. */
  line: number;
  message: string;
}

export interface ParsedEvents {
  events: RadLabEvent[];
  problems: EventProblem[];
  /** True when the text ended in a partial line that was skipped (a write in progress or cut by a crash). */
  tornTail: boolean;
}

/** Parses a whole events.jsonl text; see the file comment for what is skipped. */
export function parseEvents(text: string): ParsedEvents {
  const lines = text.split('\n');
  const complete = text.endsWith('\n') || text.length === 0;
  const result: ParsedEvents = { events: [], problems: [], tornTail: false };
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const isLast = index === lines.length - 1;
    let decoded: unknown;
    try {
      decoded = JSON.parse(line);
    } catch (error) {
      if (isLast && !complete) {
        result.tornTail = true;
        return;
      }
      result.problems.push({ line: index + 1, message: `not valid JSON (${(error as Error).message})` });
      return;
    }
    const checked = validateEvent(decoded);
    if ('event' in checked) result.events.push(checked.event);
    else result.problems.push({ line: index + 1, message: checked.error });
  });
  return result;
}

/**
 * Splits a live stream (a child process's stdout) into events: feed it chunks as they arrive; it returns the
 * events and problems of each complete line and keeps the unfinished rest for the next chunk.
 */
export class EventLineReader {
  private pending = '';
  private lineNumber = 0;

  push(chunk: string): { events: RadLabEvent[]; problems: EventProblem[] } {
    this.pending += chunk;
    const cut = this.pending.lastIndexOf('\n');
    if (cut < 0) return { events: [], problems: [] };
    const complete = this.pending.slice(0, cut + 1);
    this.pending = this.pending.slice(cut + 1);
    const parsed = parseEvents(complete);
    const offset = this.lineNumber;
    this.lineNumber += complete.split('\n').length - 1;
    return { events: parsed.events, problems: parsed.problems.map((p) => ({ ...p, line: p.line + offset })) };
  }

  /** What is left when the stream ends: a last line without newline, parsed if it is whole. */
  end(): ParsedEvents {
    const rest = this.pending;
    this.pending = '';
    const parsed = parseEvents(rest);
    return { ...parsed, problems: parsed.problems.map((p) => ({ ...p, line: p.line + this.lineNumber })) };
  }
}

/** Appends events to a log file, one line each, written synchronously so a crash loses nothing already emitted. */
export class EventWriter {
  constructor(
    readonly path: string,
    private readonly echo?: { write(text: string): unknown },
    private readonly now: () => Date = () => new Date(),
  ) {}

  emit(body: RadLabEventBody): RadLabEvent {
    const event = { schema: EVENTS_SCHEMA, time: this.now().toISOString(), ...body } as RadLabEvent;
    const checked = validateEvent(event);
    if ('error' in checked) throw new Error(`event not written to ${this.path}: ${checked.error}`);
    const line = `${JSON.stringify(event)}\n`;
    appendFileSync(this.path, line);
    this.echo?.write(line);
    return event;
  }
}

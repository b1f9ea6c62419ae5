// Follows a run's events.jsonl while the trainer appends to it: used for a run that was started before a window
// reload (or from a terminal), whose stdout the extension cannot read. Polls the file size rather than using
// fs.watch, whose events are unreliable on network drives and coalesced differently per platform; reading
// only the appended bytes keeps a poll cheap.
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { EventLineReader, type EventProblem, type RadLabEvent } from '../../core/train/events';

export interface TailListener {
  onEvents(events: RadLabEvent[]): void;
  onProblems?(problems: EventProblem[]): void;
}

const READ_CHUNK_BYTES = 1 << 16;

export class EventsTailer {
  private offset = 0;
  private decoder = new StringDecoder('utf8');
  private reader = new EventLineReader();
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;

  constructor(
    readonly file: string,
    private readonly listener: TailListener,
  ) {}

  /** Polls every `intervalMs` until disposed. */
  start(intervalMs = 500): void {
    if (this.timer !== undefined) return;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  /**
   * Reads whatever was appended since the last poll and delivers its complete lines. A missing file is not an
   * error (the trainer has not created it yet); a file that shrank was replaced, so it is read again from the
   * start. Concurrent calls share one read.
   */
  poll(): Promise<void> {
    this.polling ??= this.readAppended().finally(() => {
      this.polling = undefined;
    });
    return this.polling;
  }

  /** Stops polling, reads what is left and parses a last line that has no newline (the writer has finished). */
  async finish(): Promise<void> {
    this.dispose();
    await this.poll();
    const rest = this.reader.end();
    this.deliver(rest.events, rest.problems);
  }

  dispose(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async readAppended(): Promise<void> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      if (size < this.offset) {
        this.offset = 0;
        this.decoder = new StringDecoder('utf8');
        this.reader = new EventLineReader();
      }
      const buffer = Buffer.alloc(READ_CHUNK_BYTES);
      while (this.offset < size) {
        const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, size - this.offset), this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const parsed = this.reader.push(this.decoder.write(buffer.subarray(0, bytesRead)));
        this.deliver(parsed.events, parsed.problems);
      }
    } finally {
      await handle.close();
    }
  }

  private deliver(events: RadLabEvent[], problems: EventProblem[]): void {
    if (events.length > 0) this.listener.onEvents(events);
    if (problems.length > 0) this.listener.onProblems?.(problems);
  }
}

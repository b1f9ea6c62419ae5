// Training saturates the machine, so runs execute one at a time in the order they were asked for. The queue
// knows nothing of what a job does: the run manager gives it jobs that start a process and wait for it.

export interface QueuedJob<T> {
  readonly id: number;
  readonly label: string;
  /** Settles with the job's result, or rejects with its error or with JobCancelledError. */
  readonly done: Promise<T>;
}

export class JobCancelledError extends Error {
  constructor(label: string) {
    super(`${label} was removed from the queue before it started`);
    this.name = 'JobCancelledError';
  }
}

interface Entry<T> {
  id: number;
  label: string;
  work: () => Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export class RunQueue<T> {
  private readonly waiting: Entry<T>[] = [];
  private current: Entry<T> | undefined;
  private nextId = 1;
  private readonly listeners = new Set<() => void>();

  /** Adds a job; it starts at once when nothing else is running. */
  enqueue(label: string, work: () => Promise<T>): QueuedJob<T> {
    const id = this.nextId++;
    const done = new Promise<T>((resolve, reject) => this.waiting.push({ id, label, work, resolve, reject }));
    this.changed();
    this.startNext();
    return { id, label, done };
  }

  /** Removes a job that has not started; returns false when it is running, finished or unknown. */
  cancel(id: number): boolean {
    const index = this.waiting.findIndex((entry) => entry.id === id);
    if (index < 0) return false;
    const [entry] = this.waiting.splice(index, 1);
    entry!.reject(new JobCancelledError(entry!.label));
    this.changed();
    return true;
  }

  get running(): { id: number; label: string } | undefined {
    return this.current && { id: this.current.id, label: this.current.label };
  }

  get pending(): Array<{ id: number; label: string }> {
    return this.waiting.map(({ id, label }) => ({ id, label }));
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private startNext(): void {
    if (this.current !== undefined) return;
    const entry = this.waiting.shift();
    if (entry === undefined) return;
    this.current = entry;
    this.changed();
    // A job that throws synchronously is treated like one that rejects: the queue must keep going.
    Promise.resolve()
      .then(entry.work)
      .then(entry.resolve, entry.reject)
      .finally(() => {
        this.current = undefined;
        this.changed();
        this.startNext();
      });
  }
}

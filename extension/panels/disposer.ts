// Tracks everything a panel creates that must be released with it (listeners, watchers, timers) and releases
// them once, newest first, so a panel closed or reloaded leaves nothing running.
export interface DisposableLike {
  dispose(): unknown;
}

export class Disposer implements DisposableLike {
  private readonly items: DisposableLike[] = [];
  private disposed = false;

  get isDisposed(): boolean {
    return this.disposed;
  }

  track<T extends DisposableLike>(item: T): T {
    if (this.disposed) item.dispose();
    else this.items.push(item);
    return item;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    while (this.items.length > 0) this.items.pop()!.dispose();
  }
}

// Asks Slurm about queued and running Slurm runs on a timer, while any exists. `radlab status <run dir>`
// reconciles the run's run.json with Slurm (a task that ended without the trainer recording it gets its end
// written), and the Runs view rereads run.json. No `vscode` import, so the start/stop rules are unit-tested.

/** Slurm's own accounting updates every few tens of seconds; polling faster only loads the controller. */
export const SLURM_POLL_MS = 30_000;

export class SlurmStatusPoller {
  private runDirs: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private round: Promise<void> | undefined;
  private disposed = false;

  constructor(
    /** Asks about one run; it reports its own failures (the poller only sequences the calls). */
    private readonly poll: (runDir: string) => Promise<void>,
    /** After each round, e.g. to reread run folders a file watcher does not see. */
    private readonly afterRound: () => void,
    private readonly intervalMs = SLURM_POLL_MS,
  ) {}

  /** The runs to ask about from now on; the timer runs exactly while there is at least one. */
  track(runDirs: readonly string[]): void {
    if (this.disposed) return;
    this.runDirs = [...new Set(runDirs)];
    if (this.runDirs.length === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    } else if (this.runDirs.length > 0 && this.timer === undefined) {
      this.timer = setInterval(() => this.tick(), this.intervalMs);
    }
  }

  get polling(): boolean {
    return this.timer !== undefined;
  }

  /** A round still going when the timer fires again (a slow squeue) is not overlapped by another. */
  private tick(): void {
    if (this.round !== undefined) return;
    this.round = this.pollAll().finally(() => {
      this.round = undefined;
      if (!this.disposed) this.afterRound();
    });
  }

  /** One at a time: each call starts a Node process and squeue/sacct on a shared login node. */
  private async pollAll(): Promise<void> {
    for (const runDir of this.runDirs) {
      if (this.disposed) return;
      await this.poll(runDir);
    }
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}

// Stopping a run on request: SIGINT (Ctrl+C) or SIGTERM (the editor's Stop Run) sets a flag the training loop
// checks between steps, so the run can save a checkpoint and end as `cancelled` instead of dying mid-write.
import process from 'node:process';

export class Cancellation {
  private reason: string | undefined;
  private readonly onSignal = (signal: NodeJS.Signals) => {
    if (this.reason !== undefined) {
      // A second signal means the user does not want to wait for the checkpoint.
      process.exit(130);
    }
    this.reason = `stopped by ${signal}`;
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  get requested(): boolean {
    return this.reason !== undefined;
  }

  get why(): string {
    return this.reason ?? '';
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}

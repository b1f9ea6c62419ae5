// Stopping a run on request: SIGINT (Ctrl+C) or SIGTERM (the editor's Stop Run) sets a flag the training loop
// checks between steps and, inside a step, between the frozen backbone's stages and between micro-batches (the
// step yields to the event loop there so the signal handler can run), so a stop takes effect within one stage or
// one micro-batch's pass through the trainable layers, and the run ends as `cancelled` with the checkpoint of its
// last completed epoch instead of dying mid-write.
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

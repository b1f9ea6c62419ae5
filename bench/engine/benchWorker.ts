// A benchmark worker process speaking one JSON line per request: RadLab's (radlabWorker.ts) or the PyTorch twin
// (torch_twin.py). Used by the engine bench (both, interleaved) and the GPU check (RadLab's, one per engine).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { StepPhase } from '../../core/train/trainStep';

export interface WorkerReply {
  stepMs?: number[];
  forwardMs?: number[];
  phasesMs?: Record<StepPhase, number[]>;
  peakRssBytes: number;
  wasmHeapBytes?: number;
  [key: string]: unknown;
}

export class BenchWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterableIterator<string>;
  private stderr = '';

  constructor(
    readonly name: string,
    command: string,
    args: string[],
  ) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString()).slice(-4000)));
    this.lines = createInterface({ input: this.child.stdout })[Symbol.asyncIterator]();
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The next JSON line, or an error naming the worker and the end of its stderr. */
  async next(timeoutS: number): Promise<WorkerReply> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${this.name}: no answer within ${timeoutS} s`)), timeoutS * 1000);
    });
    try {
      for (;;) {
        const line = await Promise.race([this.lines.next(), timeout]);
        if (line.done) {
          const why = this.stderr.trim().split('\n').slice(-3).join(' | ');
          throw new Error(`${this.name} ended: ${why || `exit ${this.child.exitCode}`}`);
        }
        if (line.value.startsWith('{')) return JSON.parse(line.value) as WorkerReply;
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async steps(count: number, timeoutS: number): Promise<WorkerReply> {
    this.child.stdin.write(`${JSON.stringify({ steps: count })}\n`);
    return this.next(timeoutS);
  }

  async forwards(count: number, timeoutS: number): Promise<WorkerReply> {
    this.child.stdin.write(`${JSON.stringify({ forwards: count })}\n`);
    return this.next(timeoutS);
  }

  stop(): void {
    this.child.stdin.end();
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

/** RadLab's worker on one bench row: the trainer's own step on `engine`, after `warmup` steps. */
export function radlabWorker(rowId: string, engine: string, threads: number, warmup: number): BenchWorker {
  return new BenchWorker('RadLab worker', process.execPath, [
    ...process.execArgv,
    join(__dirname, 'radlabWorker.ts'),
    rowId,
    engine,
    String(threads),
    String(warmup),
  ]);
}

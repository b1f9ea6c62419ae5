// The one way the extension starts long-running CLI work (training runs, synthetic datasets): spawn a child,
// stream its stdout and stderr as lines, and stop it with its whole process tree. No `vscode` import, so it is
// tested against real child processes.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';

export interface ProcessSpec {
  command: string;
  args: readonly string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ProcessHandlers {
  onStdoutLine?(line: string): void;
  onStderrLine?(line: string): void;
}

export interface ProcessExit {
  /** Exit code, or null when a signal ended the process. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the process could not be started at all (e.g. the executable does not exist). */
  startError?: Error;
}

/**
 * How long a stopped run may take to save its checkpoint and end as `cancelled` before it is killed. Saving a
 * large backbone's optimizer state to a slow disk takes seconds, not minutes; 30 s leaves ample room.
 */
export const STOP_GRACE_MS = 30_000;

/**
 * Splits a byte stream into text lines. Chunks can end inside a line or inside a multi-byte UTF-8 character,
 * so undecoded bytes and the unfinished line are carried to the next chunk; '\r\n' endings (Windows) lose
 * their '\r'.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private pending = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.pending += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let cut = this.pending.indexOf('\n');
    while (cut >= 0) {
      this.onLine(this.pending.slice(0, cut).replace(/\r$/, ''));
      this.pending = this.pending.slice(cut + 1);
      cut = this.pending.indexOf('\n');
    }
  }

  /** Emits the last line when the stream ended without a newline. */
  end(): void {
    this.pending += this.decoder.end();
    if (this.pending !== '') this.onLine(this.pending.replace(/\r$/, ''));
    this.pending = '';
  }
}

function isMissingProcess(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ESRCH';
}

/**
 * Sends `signal` to the process tree rooted at `pid`. On POSIX the runner starts every child as the leader of
 * its own process group, so signalling the group reaches its helpers too; a pid that leads no group (a run
 * started from a terminal) gets the signal itself. Windows has no signals: taskkill /T walks the tree, and
 * only the forced form is reliable for console programs without a window.
 */
export function signalProcessTree(pid: number, signal: 'SIGTERM' | 'SIGKILL'): void {
  if (process.platform === 'win32') {
    spawnSync('taskkill', ['/pid', String(pid), '/T', ...(signal === 'SIGKILL' ? ['/F'] : [])], { windowsHide: true });
    return;
  }
  try {
    process.kill(-pid, signal);
  } catch (error) {
    if (!isMissingProcess(error)) throw error;
    try {
      process.kill(pid, signal);
    } catch (inner) {
      if (!isMissingProcess(inner)) throw inner;
    }
  }
}

/** A started child. `exited` settles once, when the process has ended and its output has been delivered. */
export class RunningProcess {
  readonly exited: Promise<ProcessExit>;
  private ended = false;

  constructor(
    private readonly child: ChildProcess,
    handlers: ProcessHandlers,
  ) {
    const stdout = new LineSplitter((line) => handlers.onStdoutLine?.(line));
    const stderr = new LineSplitter((line) => handlers.onStderrLine?.(line));
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    this.exited = new Promise((resolve) => {
      // 'close' (not 'exit') fires after both output streams have ended, so no line arrives after `exited`.
      child.once('close', (code, signal) => {
        this.ended = true;
        stdout.end();
        stderr.end();
        resolve({ code, signal });
      });
      child.once('error', (error) => {
        // A spawn failure emits 'error' and never 'close'.
        if (child.pid === undefined) {
          this.ended = true;
          resolve({ code: null, signal: null, startError: error });
        }
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasEnded(): boolean {
    return this.ended;
  }

  /**
   * Asks the process tree to end (SIGTERM), and kills it (SIGKILL) if it is still there after `graceMs`.
   * Resolves with the exit, whichever way it came.
   */
  async stop(graceMs = STOP_GRACE_MS): Promise<ProcessExit> {
    const pid = this.child.pid;
    if (this.ended || pid === undefined) return this.exited;
    signalProcessTree(pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        if (!this.ended) signalProcessTree(pid, 'SIGKILL');
        resolve();
      }, graceMs);
    });
    await Promise.race([this.exited, forced]);
    clearTimeout(timer);
    return this.exited;
  }
}

export function startProcess(spec: ProcessSpec, handlers: ProcessHandlers = {}): RunningProcess {
  const child = spawn(spec.command, [...spec.args], {
    cwd: spec.cwd,
    env: spec.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group (POSIX), so stop() reaches grandchildren and a window reload does not take the run
    // down with the extension host; the run is re-attached from its folder afterwards.
    detached: process.platform !== 'win32',
    windowsHide: true,
  });
  return new RunningProcess(child, handlers);
}

// Starts, follows and stops training runs, one at a time. A run the extension starts is read live from the
// trainer's stdout (`radlab run --events-stdout`); a run that was already going (a window reload, a terminal)
// is followed by tailing its events.jsonl and watching its process (pid, host and start time). No `vscode` import: the editor-facing parts
// (status bar, progress, output channel, tree) subscribe to `onDidChange` and the log callback.
import * as path from 'node:path';
import { processPresence, type TrainerProcess } from '../../core/run/trainerProcess';
import { EVENTS_FILE, parseEvents, type RadLabEvent, type RunStatus } from '../../core/train/events';
import type { CliInvocation } from './cliInvocation';
import { describeEvent } from './eventLog';
import { EventsTailer } from './eventsTailer';
import { applyEvent, initialLiveRun, type LiveRun } from './liveRun';
import { type ProcessExit, type RunningProcess, signalProcessTree, startProcess, STOP_GRACE_MS } from './processRunner';
import { type QueuedJob, RunQueue } from './runQueue';

export type RunRequest =
  | { kind: 'run'; experimentFile: string }
  | { kind: 'resume'; runDir: string }
  | { kind: 'attach'; runDir: string; trainer: TrainerProcess; experiment: string };

export interface RunOutcome {
  request: RunRequest;
  status: RunStatus;
  /** Why it failed, in words a user can act on. */
  reason?: string;
  live: LiveRun;
}

export interface RunManagerOptions {
  log(line: string): void;
  graceMs?: number;
  pollMs?: number;
  /** Whether a followed run's trainer still runs; by default the same pid, host and start time (processPresence). */
  isRunning?: (trainer: TrainerProcess) => boolean;
}

/** Lines of stderr kept to explain a trainer that exits without a run-end event. */
const STDERR_TAIL_LINES = 20;

export function requestLabel(request: RunRequest): string {
  switch (request.kind) {
    case 'run':
      return path.basename(request.experimentFile);
    case 'resume':
      return `resume ${path.basename(request.runDir)}`;
    case 'attach':
      return `${request.experiment} (${path.basename(request.runDir)})`;
  }
}

/**
 * How a process run ended. The trainer's own run-end event is the truth; without one (a crash, a CLI that
 * refused its arguments) the exit code, signal and last stderr lines explain it.
 */
export function outcomeOf(request: RunRequest, live: LiveRun, exit: ProcessExit | undefined, stderrTail: readonly string[], stopRequested: boolean): RunOutcome {
  const failedBackbone = live.finished.find((f) => f.status === 'failed');
  if (live.status !== undefined && (exit === undefined || exit.code === 0 || live.status !== 'completed')) {
    const status = failedBackbone !== undefined ? 'failed' : live.status;
    const reason = failedBackbone !== undefined ? `${failedBackbone.backbone}: ${failedBackbone.error ?? 'failed'}` : live.error;
    return { request, status, reason, live };
  }
  if (exit?.startError !== undefined) {
    return { request, status: 'failed', reason: `the trainer could not start (${exit.startError.message}); check the radlab.nodePath setting`, live };
  }
  if (stopRequested) return { request, status: 'cancelled', reason: 'stopped before the trainer saved its state', live };
  const how = exit === undefined ? 'its process ended' : exit.signal !== null ? `it was killed by ${exit.signal}` : `it exited with code ${exit.code}`;
  const detail = stderrTail.length > 0 ? `: ${stderrTail.join('\n')}` : '';
  return { request, status: 'failed', reason: `the trainer ended without finishing the run (${how})${detail}`, live };
}

interface ActiveRun {
  request: RunRequest;
  /** The trainer's process id, once known. */
  pid?: number;
  live: LiveRun;
  stopRequested: boolean;
  stop(): Promise<void>;
}

export class RunManager {
  private readonly queue = new RunQueue<RunOutcome>();
  private active: ActiveRun | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly graceMs: number;
  private readonly pollMs: number;
  private readonly isRunning: (trainer: TrainerProcess) => boolean;
  private readonly tailers = new Set<EventsTailer>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    /** Asked at each start, so a changed Node.js setting applies to the next run. */
    private readonly cli: () => CliInvocation,
    private readonly options: RunManagerOptions,
  ) {
    this.graceMs = options.graceMs ?? STOP_GRACE_MS;
    this.pollMs = options.pollMs ?? 500;
    this.isRunning = options.isRunning ?? ((trainer) => processPresence(trainer) === 'alive');
    this.queue.onDidChange(() => this.changed());
  }

  /** Queues a request; the returned job settles with how the run ended. */
  submit(request: RunRequest): QueuedJob<RunOutcome> {
    return this.queue.enqueue(requestLabel(request), () => (request.kind === 'attach' ? this.follow(request) : this.execute(request)));
  }

  get live(): LiveRun | undefined {
    return this.active?.live;
  }

  get activeRequest(): RunRequest | undefined {
    return this.active?.request;
  }

  /** The process id of the trainer being run or followed. */
  get activePid(): number | undefined {
    return this.active?.pid;
  }

  get queued(): Array<{ id: number; label: string }> {
    return this.queue.pending;
  }

  /** Whether the run folder belongs to the run being followed (for an attached run; started runs learn theirs late). */
  isFollowing(runDir: string): boolean {
    const request = this.active?.request;
    return request !== undefined && request.kind !== 'run' && path.resolve(request.runDir) === path.resolve(runDir);
  }

  cancelQueued(id: number): boolean {
    return this.queue.cancel(id);
  }

  /** Stops the active run (the trainer saves a checkpoint and ends as cancelled). False when none is active. */
  async stop(): Promise<boolean> {
    const active = this.active;
    if (active === undefined) return false;
    active.stopRequested = true;
    this.changed();
    await active.stop();
    return true;
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /**
   * Stops following; leaves every trainer process running, so a window reload does not end training (the
   * next window re-attaches from the run folder).
   */
  dispose(): void {
    for (const tailer of this.tailers) tailer.dispose();
    for (const timer of this.timers) clearInterval(timer);
    this.listeners.clear();
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private handleEvents(active: ActiveRun, events: readonly RadLabEvent[]): void {
    for (const event of events) {
      active.live = applyEvent(active.live, event);
      const line = describeEvent(event);
      if (line !== undefined) this.options.log(line);
    }
    if (events.length > 0) this.changed();
  }

  private execute(request: Exclude<RunRequest, { kind: 'attach' }>): Promise<RunOutcome> {
    const args =
      request.kind === 'run'
        ? ['run', request.experimentFile, '--events-stdout']
        : ['run', '--resume', request.runDir, '--events-stdout'];
    const cwd = request.kind === 'run' ? path.dirname(request.experimentFile) : request.runDir;
    const experiment = request.kind === 'run' ? path.basename(request.experimentFile).replace(/\.experiment\.ya?ml$/, '') : path.basename(path.dirname(request.runDir));
    const stderrTail: string[] = [];
    let child: RunningProcess | undefined;
    const active: ActiveRun = {
      request,
      live: initialLiveRun(experiment),
      stopRequested: false,
      stop: async () => {
        await child?.stop(this.graceMs);
      },
    };
    this.active = active;
    const cli = this.cli();
    this.options.log(`$ ${[cli.command, ...cli.baseArgs, ...args].join(' ')}`);
    child = startProcess(
      { command: cli.command, args: [...cli.baseArgs, ...args], cwd, env: cli.env },
      {
        onStdoutLine: (line) => {
          if (line.trim() === '') return;
          const parsed = parseEvents(`${line}\n`);
          // Only a line that is not JSON at all is plain output; a JSON line of another schema is reported.
          if (parsed.events.length > 0) this.handleEvents(active, parsed.events);
          else this.options.log(line.trimStart().startsWith('{') ? `(unreadable event: ${parsed.problems[0]?.message}) ${line}` : line);
        },
        onStderrLine: (line) => {
          this.options.log(line);
          stderrTail.push(line);
          if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
        },
      },
    );
    active.pid = child.pid;
    this.changed();
    return child.exited.then((exit) => this.finish(active, exit, stderrTail));
  }

  private follow(request: Extract<RunRequest, { kind: 'attach' }>): Promise<RunOutcome> {
    const { trainer } = request;
    const active: ActiveRun = {
      request,
      pid: trainer.pid,
      live: initialLiveRun(request.experiment),
      stopRequested: false,
      // Each signal only after checking that the pid is still the trainer's: once it ends, the pid can be reused.
      stop: async () => {
        if (!this.isRunning(trainer)) return;
        signalProcessTree(trainer.pid, 'SIGTERM');
        const deadline = Date.now() + this.graceMs;
        while (this.isRunning(trainer) && Date.now() < deadline) await new Promise((r) => setTimeout(r, Math.min(this.pollMs, 200)));
        if (this.isRunning(trainer)) signalProcessTree(trainer.pid, 'SIGKILL');
      },
    };
    this.active = active;
    this.options.log(`Following run ${request.runDir} (process ${trainer.pid}), started before this window opened.`);
    const tailer = new EventsTailer(path.join(request.runDir, EVENTS_FILE), {
      onEvents: (events) => this.handleEvents(active, events),
      onProblems: (problems) => problems.forEach((p) => this.options.log(`events.jsonl line ${p.line}: ${p.message}`)),
    });
    this.tailers.add(tailer);
    tailer.start(this.pollMs);
    this.changed();
    return new Promise((resolve) => {
      const timer = setInterval(() => {
        if (this.isRunning(trainer)) return;
        clearInterval(timer);
        this.timers.delete(timer);
        this.tailers.delete(tailer);
        void tailer.finish().then(() => resolve(this.finish(active, undefined, [])));
      }, this.pollMs);
      this.timers.add(timer);
    });
  }

  private finish(active: ActiveRun, exit: ProcessExit | undefined, stderrTail: readonly string[]): RunOutcome {
    const outcome = outcomeOf(active.request, active.live, exit, stderrTail, active.stopRequested);
    this.options.log(`${requestLabel(active.request)}: ${outcome.status}${outcome.reason !== undefined ? ` (${outcome.reason})` : ''}`);
    if (this.active === active) this.active = undefined;
    this.changed();
    return outcome;
  }
}

// Which process a run's trainer is, told apart from any other process that later gets the same pid. A pid alone
// is reused after the trainer ends or the machine reboots, and means nothing on another machine that sees the
// run folder through a shared file system; the host name and the process's start time pin it down.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export interface TrainerProcess {
  pid: number;
  /** os.hostname() of the machine the process runs on. */
  host: string;
  /** When the process started, in a form only compared for equality (see processStartTime). */
  startTime: string;
}

/**
 * `alive`: the recorded process still runs on this machine; `gone`: no process has its pid, or one that started
 * at another time (a reused pid); `elsewhere`: it ran on another host, which this machine cannot look at.
 */
export type ProcessPresence = 'alive' | 'gone' | 'elsewhere';

/** Fields after the parenthesised command name of /proc/<pid>/stat; the name itself may hold spaces and ')'. */
function procStatFields(pid: number): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ESRCH')
      return undefined;
    throw error;
  }
  return text
    .slice(text.lastIndexOf(')') + 2)
    .trim()
    .split(' ');
}

/**
 * This boot of the machine. The kernel's boot id changes at every boot and never otherwise, whereas /proc/stat's
 * btime is wall-clock arithmetic that shifts when the clock is stepped; btime stands in where there is no boot id.
 */
function linuxBootIdentity(): string {
  try {
    return `boot ${readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim()}`;
  } catch {
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (btime === null) throw new Error('/proc/stat has no btime line, so process start times cannot be told apart');
    return `btime ${btime[1]}`;
  }
}

function commandOutput(command: string, args: string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], windowsHide: true });
  } catch (error) {
    // A command that ran and said "no such process" exits non-zero; one that could not run at all is a real fault.
    if (typeof (error as { status?: unknown }).status === 'number') return undefined;
    throw error;
  }
}

/**
 * When process `pid` started, or undefined when there is no such process. Linux: field 22 of /proc/<pid>/stat
 * (clock ticks since boot) with the boot's identity, exact to the tick. Windows: the process's start time from
 * PowerShell. Elsewhere (macOS, BSDs): `ps -o lstart=`, to the second.
 */
export function processStartTime(pid: number): string | undefined {
  if (process.platform === 'linux') {
    const fields = procStatFields(pid);
    const ticks = fields?.[22 - 3];
    return ticks === undefined ? undefined : `${linuxBootIdentity()} tick ${ticks}`;
  }
  if (process.platform === 'win32') {
    const script = `(Get-Process -Id ${pid} -ErrorAction Stop).StartTime.ToUniversalTime().ToString('o')`;
    const out = commandOutput('powershell.exe', ['-NoProfile', '-NonInteractive', '-Command', script])?.trim();
    return out === undefined || out === '' ? undefined : out;
  }
  const out = commandOutput('ps', ['-o', 'lstart=', '-p', String(pid)])
    ?.trim()
    .replace(/\s+/g, ' ');
  return out === undefined || out === '' ? undefined : out;
}

/** The process this code runs in, as a run records its trainer. */
export function currentTrainerProcess(): TrainerProcess {
  const startTime = processStartTime(process.pid);
  if (startTime === undefined) throw new Error(`could not read the start time of this process (${process.pid})`);
  return { pid: process.pid, host: hostname(), startTime };
}

/** Whether the recorded trainer still runs here: the same host, a process with its pid, and the same start time. */
export function processPresence(recorded: TrainerProcess): ProcessPresence {
  if (recorded.host !== hostname()) return 'elsewhere';
  return processStartTime(recorded.pid) === recorded.startTime ? 'alive' : 'gone';
}

// Short CLI commands the editor waits for (radlab submit, status, cancel): started through the one process
// runner like training runs, with their whole stdout and stderr kept for the caller to read. No `vscode` import.
import type { CliInvocation } from './cliInvocation';
import { type ProcessExit, startProcess } from './processRunner';

export interface CliResult {
  exit: ProcessExit;
  stdout: string[];
  stderr: string[];
}

export interface CliCommandOptions {
  cwd?: string;
  /** Each output line as it arrives (stdout and stderr alike), e.g. for the output channel. */
  onLine?(line: string): void;
}

export function runCliCommand(cli: CliInvocation, args: readonly string[], options: CliCommandOptions = {}): Promise<CliResult> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const child = startProcess(
    { command: cli.command, args: [...cli.baseArgs, ...args], cwd: options.cwd, env: cli.env },
    {
      onStdoutLine: (line) => {
        stdout.push(line);
        options.onLine?.(line);
      },
      onStderrLine: (line) => {
        stderr.push(line);
        options.onLine?.(line);
      },
    },
  );
  return child.exited.then((exit) => ({ exit, stdout, stderr }));
}

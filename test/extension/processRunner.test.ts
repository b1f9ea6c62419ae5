// The process runner against real child processes (test/extension/children/lineChild.mjs): lines split across
// writes and streams, exit codes, a start failure, and stopping a process tree gracefully or by force.
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { processStartTime } from '../../core/run/trainerProcess';
import { LineSplitter, type RunningProcess, startProcess } from '../../extension/runs/processRunner';

const child = path.join(__dirname, 'children', 'lineChild.mjs');

function start(mode: string, stdout: string[], stderr: string[] = []): RunningProcess {
  return startProcess(
    { command: process.execPath, args: [child, mode] },
    { onStdoutLine: (line) => stdout.push(line), onStderrLine: (line) => stderr.push(line) },
  );
}

/** Resolves with the first stdout line that matches, failing after a few seconds. */
function waitForLine(lines: string[], pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 5000;
  return new Promise((resolve, reject) => {
    const check = () => {
      const found = lines.find((line) => pattern.test(line));
      if (found !== undefined) resolve(found);
      else if (Date.now() > deadline) reject(new Error(`no line matched ${pattern}; got ${JSON.stringify(lines)}`));
      else setTimeout(check, 10);
    };
    check();
  });
}

async function waitUntilDead(pid: number): Promise<boolean> {
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    if (processStartTime(pid) === undefined) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

describe('LineSplitter', () => {
  it('joins a line written in pieces and a character split between chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('ab'));
    splitter.push(Buffer.from('c\nd\r\n\n'));
    splitter.push(Buffer.from([0xe2, 0x82])); // first two bytes of "€" (E2 82 AC)
    assert.deepEqual(lines, ['abc', 'd', '']);
    splitter.push(Buffer.from([0xac, 0x0a]));
    splitter.push(Buffer.from('tail'));
    assert.deepEqual(lines, ['abc', 'd', '', '€']);
    splitter.end();
    assert.deepEqual(lines, ['abc', 'd', '', '€', 'tail']);
  });
});

describe('startProcess', () => {
  it('streams stdout and stderr as whole lines and reports the exit code after the last line', async () => {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const exit = await start('lines', stdout, stderr).exited;
    assert.deepEqual(stdout, ['first line', 'second line', 'café', 'no newline at the end']);
    assert.deepEqual(stderr, ['warning on stderr']);
    assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 3, signal: null });
  });

  it('reports an executable that does not exist as a start error instead of throwing', async () => {
    const running = startProcess({ command: path.join(__dirname, 'no-such-node'), args: [] });
    const exit = await running.exited;
    assert.equal(exit.code, null);
    assert.match(exit.startError?.message ?? '', /ENOENT/);
    assert.equal(running.hasEnded, true);
  });

  it(
    'stops a process tree with SIGTERM and lets the child finish its shutdown',
    { skip: process.platform === 'win32' },
    async () => {
      const stdout: string[] = [];
      const running = start('graceful', stdout);
      const grandchild = Number((await waitForLine(stdout, /^ready \d+$/)).split(' ')[1]);
      assert.ok(processStartTime(grandchild) !== undefined);
      const started = Date.now();
      const exit = await running.stop(10_000);
      assert.ok(Date.now() - started < 5000, 'a graceful child should not wait for the grace period');
      assert.deepEqual({ code: exit.code, signal: exit.signal }, { code: 0, signal: null });
      assert.ok(stdout.includes('stopping'), 'the child handled SIGTERM');
      assert.ok(await waitUntilDead(grandchild), 'the grandchild got the signal too');
    },
  );

  it(
    'kills a tree that ignores SIGTERM once the grace period is over',
    { skip: process.platform === 'win32' },
    async () => {
      const stdout: string[] = [];
      const running = start('stubborn', stdout);
      const grandchild = Number((await waitForLine(stdout, /^ready \d+$/)).split(' ')[1]);
      const started = Date.now();
      const exit = await running.stop(300);
      const waited = Date.now() - started;
      assert.equal(exit.signal, 'SIGKILL');
      assert.ok(waited >= 280, `killed after ${waited} ms, before the grace period`);
      assert.ok(stdout.includes('ignoring SIGTERM'), 'SIGTERM came first');
      assert.ok(await waitUntilDead(grandchild), 'the grandchild was killed with the group');
    },
  );

  it('returns the same exit when asked to stop a process that already ended', async () => {
    const running = start('lines', []);
    const first = await running.exited;
    assert.equal(await running.stop(100), first);
  });
});

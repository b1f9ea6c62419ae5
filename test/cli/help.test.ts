// Every subcommand answers --help and -h with its usage and exit status 0, without running anything.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const cli = 'dist/cli.js';

function radlab(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8' });
}

/** Subcommand names as `radlab --help` lists them: two-space indented lines that start with a word. */
function listedSubcommands(): string[] {
  const help = radlab('--help');
  assert.equal(help.status, 0);
  return [...help.stdout.matchAll(/^ {2}([a-z]+) /gm)].map((match) => match[1]);
}

test('radlab --help lists the subcommands users reach for', () => {
  const names = listedSubcommands();
  for (const expected of ['run', 'submit', 'cancel', 'status', 'validate', 'synth', 'dataset', 'engine']) {
    assert.ok(names.includes(expected), `${expected} missing from radlab --help`);
  }
});

test('each subcommand prints its usage for --help and -h and exits 0', () => {
  for (const name of listedSubcommands()) {
    for (const flag of ['--help', '-h']) {
      const result = radlab(name, flag);
      assert.equal(result.status, 0, `radlab ${name} ${flag} exited ${result.status}: ${result.stderr}`);
      assert.match(result.stdout, new RegExp(`Usage: radlab ${name}\\b`), `radlab ${name} ${flag} printed no usage`);
      assert.equal(result.stderr, '');
    }
  }
});

test('a subcommand given --help after other arguments still only prints its usage', () => {
  const result = radlab('cancel', 'runs/nowhere', '--help');
  assert.equal(result.status, 0);
  assert.match(result.stdout, /Usage: radlab cancel/);
});

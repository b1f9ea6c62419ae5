import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const repo = join(__dirname, '..', '..');
const fixtures = join(repo, 'test', 'fixtures', 'experiment');

/** Runs the bundled CLI as a user would (npm test builds dist/ first). */
function radlab(...args: string[]) {
  const result = spawnSync(process.execPath, [join(repo, 'dist', 'cli.js'), ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('radlab validate', () => {
  it('exits 0 and says so for a valid experiment', () => {
    const result = radlab('validate', join(fixtures, 'valid.experiment.yaml'));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /no problems/);
  });

  it('exits 1 with file:line:column lines for errors', () => {
    const result = radlab('validate', join(fixtures, 'broken.experiment.yaml'));
    assert.equal(result.code, 1);
    assert.match(
      result.stdout,
      /broken\.experiment\.yaml:7:11: error \[bad-enum\] 'crops' is not a valid value for data\.input\.mode\. Did you mean 'crop'\?/,
    );
    assert.match(result.stdout, /9 error\(s\)/);
  });

  it('prints the diagnostics as JSON with 0-based ranges', () => {
    const file = join(fixtures, 'broken.experiment.yaml');
    const result = radlab('validate', file, '--json');
    assert.equal(result.code, 1);
    const records = JSON.parse(result.stdout) as Array<Record<string, unknown>>;
    assert.equal(records.length, 9);
    const mode = records.find(
      (r) => r.code === 'bad-enum' && (r.range as { start: { line: number } }).start.line === 6,
    )!;
    assert.deepEqual(Object.keys(mode).sort(), ['code', 'file', 'message', 'range', 'severity']);
    assert.equal(mode.file, file);
    assert.deepEqual(mode.range, { start: { line: 6, character: 10 }, end: { line: 6, character: 15 } });
    assert.equal(mode.severity, 'error');
  });

  it('validates the demo experiment clean on a fresh clone (its dataset is generated on first run)', () => {
    const result = radlab('validate', join(repo, 'examples', 'demo.experiment.yaml'));
    assert.equal(result.code, 0, result.stdout);
  });

  it('refuses a missing file and bad usage with exit 2', () => {
    assert.equal(radlab('validate', join(fixtures, 'nope.experiment.yaml')).code, 2);
    assert.equal(radlab('validate').code, 2);
    assert.equal(radlab('frobnicate').code, 2);
  });
});

// The webview bundles build for the browser: one script and stylesheet per panel, no Node require().
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = join(__dirname, '../..');
const panels = readdirSync(join(root, 'webview'))
  .filter((f) => f.endsWith('.panel.ts'))
  .map((f) => f.replace(/\.ts$/, ''));

describe('webview bundles', () => {
  it('build with npm run build', { timeout: 120_000 }, () => {
    execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'pipe' });
    assert.deepEqual(panels.sort(), ['dataset.panel', 'dicom.panel', 'experiments.panel', 'run.panel']);
    for (const panel of panels) {
      const script = join(root, 'dist/webview', `${panel}.js`);
      assert.ok(existsSync(script), `${script} exists`);
      assert.ok(existsSync(join(root, 'dist/webview', `${panel}.css`)), `${panel}.css exists`);
      const code = readFileSync(script, 'utf8');
      assert.doesNotMatch(code, /\brequire\(/, `${panel}.js calls require()`);
      assert.doesNotMatch(code, /["'`]https?:\/\/(?!www\.w3\.org\/)/, `${panel}.js loads nothing remote`);
    }
  });
});

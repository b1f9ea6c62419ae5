// End-to-end: the packaged extension (dist/radlab.vsix) installed into a real VS Code (code-server) and used through
// the browser the way a person would. Needs test/e2e/setup.sh to have run; run with `npm run test:e2e`.
// The expected lines, columns and facts below are written by hand from the fixture files and from torchvision's
// ResNet-18, not taken from the extension's output.
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CodeServer } from './codeServer';
import { Workbench, type ProblemRow } from './workbench';

const repoRoot = path.resolve(__dirname, '..', '..');
const vsixPath = process.env.RADLAB_E2E_VSIX ?? path.join(repoRoot, 'dist', 'radlab.vsix');
const fixtureWorkspace = path.join(repoRoot, 'test', 'fixtures', 'e2e', 'workspace');
const artifactsDir = path.join(repoRoot, 'test', '.tmp', 'e2e');

const extensionId = 'radlab.radlab';
const validFile = 'experiments/canal-baseline.experiment.yaml';
const brokenFile = 'experiments/broken.experiment.yaml';

// The four mistakes written into broken.experiment.yaml, at 1-based line:column as the Problems view shows them,
// each with the word its message must name.
const brokenFileMistakes = [
  { line: 7, column: 11, names: 'crops' }, //           `    mode: crops`: not one of crop | slice
  { line: 13, column: 5, names: 'lerning_rate' }, //    `    lerning_rate: 3.0e-4`: misspelt optimizer key
  { line: 14, column: 3, names: 'batchsize' }, //       `  batchsize: 16`: misspelt train key
  { line: 15, column: 11, names: 'epochs' }, //         `  epochs: ten`: a word where an integer belongs
];

// The backbones the experiment format names (the RadLab API brief), written out here rather than read from the registry.
const documentedBackbones = new Set([
  'resnet18', 'resnet50', 'resnet152', 'convnext_tiny', 'convnext_base', 'vit_ti_16', 'vit_s_16', 'vit_b_16',
  'swin_t', 'swin_b', 'beit_s_16', 'beit_b_16', 'efficientnet_v2_s', 'efficientnet_v2_m',
]);

const baseName = (file: string) => path.posix.basename(file);
const linesOf = (rows: ProblemRow[]) => rows.map((row) => row.line).sort((a, b) => a - b);

describe('RadLab in a real VS Code (code-server + chromium)', () => {
  let sessionDir: string;
  let workspace: string;
  let server: CodeServer | undefined;
  let workbench: Workbench | undefined;

  /** Saves a screenshot, the browser console, the code-server log and VS Code's logs for a failed step. */
  async function recordFailure(step: string): Promise<void> {
    const dir = path.join(artifactsDir, step);
    await workbench?.saveFailureArtifacts(dir, step);
    server?.collectLogs(dir);
    process.stderr.write(`e2e: artifacts of the failed step '${step}' are in ${dir}\n`);
  }

  // Each scenario runs under its own deadline, so a hung wait still leaves its screenshot and logs behind while the
  // browser is open (node:test's own timeout would only abandon the promise).
  function scenario(name: string, timeoutMs: number, body: () => Promise<void>): void {
    it(name, { timeout: timeoutMs + 15_000 }, async () => {
      const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`scenario '${name}' did not finish within ${timeoutMs / 1000} s`)), timeoutMs);
      });
      try {
        await workbench?.dismissWidgets();
        await Promise.race([body(), deadline]);
      } catch (error) {
        await recordFailure(slug);
        throw error;
      } finally {
        clearTimeout(timer);
      }
    });
  }

  before(async () => {
    rmSync(artifactsDir, { recursive: true, force: true });
    sessionDir = mkdtempSync(path.join(tmpdir(), 'radlab-e2e-'));
    workspace = path.join(sessionDir, 'workspace');
    cpSync(fixtureWorkspace, workspace, { recursive: true });
    try {
      server = await CodeServer.start({ vsixPath, sessionDir });
      workbench = await Workbench.open(server.workbenchUrl(workspace), path.join(sessionDir, 'chromium-profile'));
    } catch (error) {
      await recordFailure('startup');
      throw error;
    }
  }, { timeout: 120_000 });

  after(async () => {
    try {
      await workbench?.close();
    } finally {
      await server?.stop();
      rmSync(sessionDir, { recursive: true, force: true });
    }
  });

  scenario('the extension activates and *.experiment.yaml opens in its language mode', 30_000, async () => {
    const wb = workbench!;
    await wb.openFile(validFile);
    assert.equal(await wb.languageMode(), 'RadLab Experiment');
    const activated = new RegExp(`ExtensionService#_doActivateExtension ${extensionId.replace('.', '\\.')}\\b`);
    const log = await waitForValue(() => server!.extensionHostLog(), (text) => activated.test(text), 'the activation entry in the extension host log');
    assert.doesNotMatch(log, new RegExp(`Activating extension '?${extensionId}'? failed`));
  });

  scenario('diagnostics of a broken experiment appear in Problems on the lines of its mistakes', 40_000, async () => {
    const wb = workbench!;
    await wb.openFile(brokenFile);
    const rows = await wb.waitForProblems(baseName(brokenFile), (found) => found.length >= brokenFileMistakes.length, 30_000);
    assert.deepEqual(
      rows.map(({ line, column, severity }) => ({ line, column, severity })).sort((a, b) => a.line - b.line),
      brokenFileMistakes.map(({ line, column }) => ({ line, column, severity: 'error' })),
    );
    for (const mistake of brokenFileMistakes) {
      const row = rows.find((r) => r.line === mistake.line)!;
      assert.match(row.message, new RegExp(mistake.names), `the message on line ${mistake.line} names '${mistake.names}'`);
    }
    assert.deepEqual(await wb.waitForSquiggles((lines) => lines.length >= brokenFileMistakes.length), brokenFileMistakes.map((m) => m.line));
    // The valid experiment was opened first, so by now the server has validated it too.
    assert.deepEqual(await wb.problems(baseName(validFile)), []);
  });

  scenario('the quick fix renames a misspelt key and its squiggle disappears', 30_000, async () => {
    const wb = workbench!;
    await wb.openFile(brokenFile);
    await wb.waitForSquiggles((lines) => lines.includes(13));
    await wb.goTo(13, 6);
    const applied = await wb.applyCodeAction(/'lr'/);
    assert.match(applied, /lerning_rate/);
    assert.equal(await wb.lineText(13), '    lr: 3.0e-4');
    assert.deepEqual(await wb.waitForSquiggles((lines) => !lines.includes(13)), [7, 14, 15]);
    assert.deepEqual(linesOf(await wb.waitForProblems(baseName(brokenFile), (found) => found.length === 3)), [7, 14, 15]);
  });

  scenario('completion inside model: offers the backbone names', 30_000, async () => {
    const wb = workbench!;
    await wb.openFile(validFile);
    assert.equal(await wb.lineText(12), '  backbones: resnet18');
    // Clear the value so the suggestions are not filtered by the word already there, then put it back.
    await wb.goTo(12, 14);
    await wb.page.keyboard.press('Shift+End');
    await wb.page.keyboard.press('Delete');
    const labels = await wb.completionLabels();
    await wb.pressEscape();
    await wb.runCommand('File: Revert File');
    const unknown = labels.filter((label) => !documentedBackbones.has(label));
    assert.deepEqual(unknown, [], `every suggestion is a backbone (got ${labels.join(', ')})`);
    assert.ok(labels.length >= 8, `the suggest widget lists the backbones (got ${labels.join(', ')})`);
  });

  scenario('hovering a backbone shows its parameters and feature width', 30_000, async () => {
    const wb = workbench!;
    await wb.openFile(validFile);
    await wb.goTo(12, 16);
    // torchvision's resnet18 has 11,689,512 parameters of which the 1000-class fc layer holds 513,000; the backbone
    // RadLab trains is the rest, and its pooled features are 512 wide at a 224×224 input.
    const text = await wb.hoverText(/resnet18/);
    assert.match(text, /11,176,512/);
    assert.match(text, /Feature width\s+512/);
    assert.match(text, /224\s*×\s*224/);
    await wb.pressEscape();
  });

  scenario('RadLab: New Experiment creates an experiment that shows no problems', 45_000, async () => {
    const wb = workbench!;
    const name = 'e2e-created';
    const fileName = `${name}.experiment.yaml`;
    await wb.runCommand('RadLab: New Experiment');
    await wb.answerQuickInput(name);
    await wb.pickQuickInput('Synthetic demo dataset');
    await wb.activeTab(fileName).waitFor({ state: 'visible' });
    const created = path.join(workspace, fileName);
    assert.ok(existsSync(created), `${created} was written`);
    assert.match(readFileSync(created, 'utf8'), new RegExp(`^name: ${name}$`, 'm'));
    assert.equal(await wb.languageMode(), 'RadLab Experiment');

    // "No problems" only means something once the server is known to be checking this file: add a key it must
    // reject, see the error, then revert to the file as created and see the Problems rows for it go.
    // The editor sends the text a character at a time, and the half-typed states (`not_a# RadLab ...`) are
    // rightly reported as YAML errors, so the wait is for the finished line's single diagnostic.
    await wb.goTo(1, 1);
    await wb.page.keyboard.insertText('not_a_radlab_key: 1\n');
    const injected = await wb.waitForProblems(fileName, (rows) => rows.length === 1 && rows[0]!.line === 1, 30_000);
    assert.match(injected[0]!.message, /not_a_radlab_key/);
    await wb.runCommand('File: Revert File');
    await wb.waitForProblems(fileName, (rows) => rows.length === 0);
    assert.deepEqual(await wb.waitForSquiggles((lines) => lines.length === 0), []);
  });
});

async function waitForValue<T>(read: () => T, predicate: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// End-to-end: the packaged extension (dist/radlab.vsix) installed into a real VS Code (code-server) and used through
// the browser the way a person would. Needs test/e2e/setup.sh to have run; run with `npm run test:e2e`.
// The expected lines, columns and facts below are written by hand from the fixture files and from torchvision's
// ResNet-18, not taken from the extension's output.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describeInCodeServer, waitForValue } from './e2eSession';
import type { ProblemRow } from './workbench';

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
  'resnet18',
  'resnet50',
  'resnet152',
  'convnext_tiny',
  'convnext_base',
  'vit_ti_16',
  'vit_s_16',
  'vit_b_16',
  'swin_t',
  'swin_b',
  'beit_s_16',
  'beit_b_16',
  'efficientnet_v2_s',
  'efficientnet_v2_m',
]);

const baseName = (file: string) => path.posix.basename(file);
const linesOf = (rows: ProblemRow[]) => rows.map((row) => row.line).sort((a, b) => a - b);

describeInCodeServer('RadLab in a real VS Code (code-server + chromium)', {}, (session) => {
  const { scenario } = session;

  scenario('the extension activates and *.experiment.yaml opens in its language mode', 30_000, async (step) => {
    const wb = session.workbench;
    await wb.openFile(validFile);
    assert.equal(await wb.languageMode(), 'RadLab Experiment');
    await step('experiment open in its language mode');
    const activated = new RegExp(`ExtensionService#_doActivateExtension ${extensionId.replace('.', '\\.')}\\b`);
    const log = await waitForValue(
      () => session.server.extensionHostLog(),
      (text) => activated.test(text),
      'the activation entry in the extension host log',
    );
    assert.doesNotMatch(log, new RegExp(`Activating extension '?${extensionId}'? failed`));
  });

  scenario(
    'diagnostics of a broken experiment appear in Problems on the lines of its mistakes',
    40_000,
    async (step) => {
      const wb = session.workbench;
      await wb.openFile(brokenFile);
      const rows = await wb.waitForProblems(
        baseName(brokenFile),
        (found) => found.length >= brokenFileMistakes.length,
        30_000,
      );
      await step('problems listed');
      assert.deepEqual(
        rows.map(({ line, column, severity }) => ({ line, column, severity })).sort((a, b) => a.line - b.line),
        brokenFileMistakes.map(({ line, column }) => ({ line, column, severity: 'error' })),
      );
      for (const mistake of brokenFileMistakes) {
        const row = rows.find((r) => r.line === mistake.line)!;
        assert.match(
          row.message,
          new RegExp(mistake.names),
          `the message on line ${mistake.line} names '${mistake.names}'`,
        );
      }
      assert.deepEqual(
        await wb.waitForSquiggles((lines) => lines.length >= brokenFileMistakes.length),
        brokenFileMistakes.map((m) => m.line),
      );
      await step('squiggles');
      // The valid experiment was opened first, so by now the server has validated it too.
      assert.deepEqual(await wb.problems(baseName(validFile)), []);
    },
  );

  scenario('the quick fix renames a misspelt key and its squiggle disappears', 30_000, async (step) => {
    const wb = session.workbench;
    await wb.openFile(brokenFile);
    await wb.waitForSquiggles((lines) => lines.includes(13));
    await wb.goTo(13, 6);
    const applied = await wb.applyCodeAction(/'lr'/);
    await step('quick fix applied');
    assert.match(applied, /lerning_rate/);
    assert.equal(await wb.lineText(13), '    lr: 3.0e-4');
    assert.deepEqual(await wb.waitForSquiggles((lines) => !lines.includes(13)), [7, 14, 15]);
    assert.deepEqual(
      linesOf(await wb.waitForProblems(baseName(brokenFile), (found) => found.length === 3)),
      [7, 14, 15],
    );
  });

  scenario('completion inside model: offers the backbone names', 30_000, async (step) => {
    const wb = session.workbench;
    await wb.openFile(validFile);
    assert.equal(await wb.lineText(12), '  backbones: resnet18');
    // Clear the value so the suggestions are not filtered by the word already there, then put it back.
    await wb.goTo(12, 14);
    await wb.page.keyboard.press('Shift+End');
    await wb.page.keyboard.press('Delete');
    const labels = await wb.completionLabels();
    await step('suggestions');
    await wb.pressEscape();
    await wb.runCommand('File: Revert File');
    const unknown = labels.filter((label) => !documentedBackbones.has(label));
    assert.deepEqual(unknown, [], `every suggestion is a backbone (got ${labels.join(', ')})`);
    assert.ok(labels.length >= 8, `the suggest widget lists the backbones (got ${labels.join(', ')})`);
  });

  scenario('hovering a backbone shows its parameters and feature width', 30_000, async (step) => {
    const wb = session.workbench;
    await wb.openFile(validFile);
    await wb.goTo(12, 16);
    // torchvision's resnet18 has 11,689,512 parameters of which the 1000-class fc layer holds 513,000; the backbone
    // RadLab trains is the rest, and its pooled features are 512 wide at a 224×224 input.
    const text = await wb.hoverText(/resnet18/);
    await step('hover');
    assert.match(text, /11,176,512/);
    assert.match(text, /Feature width\s+512/);
    assert.match(text, /224\s*×\s*224/);
    await wb.pressEscape();
  });

  scenario('RadLab: New Experiment creates an experiment that shows no problems', 45_000, async (step) => {
    const wb = session.workbench;
    const name = 'e2e-created';
    const fileName = `${name}.experiment.yaml`;
    await wb.runCommand('RadLab: New Experiment');
    await wb.answerQuickInput(name);
    await wb.pickQuickInput('Quick start');
    await wb.pickQuickInput('Synthetic demo dataset');
    await wb.activeTab(fileName).waitFor({ state: 'visible' });
    await step('experiment created');
    const created = path.join(session.workspace, fileName);
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
    await step('injected key reported');
    await wb.runCommand('File: Revert File');
    await wb.waitForProblems(fileName, (rows) => rows.length === 0);
    assert.deepEqual(await wb.waitForSquiggles((lines) => lines.length === 0), []);
    await step('reverted without problems');
  });
});

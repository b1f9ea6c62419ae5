// End-to-end: the run panel's epoch scrubber in a real VS Code (code-server + chromium) with the packaged extension.
// A tiny run made by the CLI keeps each epoch's validation predictions; moving the scrubber to epoch 1 shows a
// validation confusion matrix whose cells are the counts worked out here from results/val_predictions on disk, and
// back at the best epoch that epoch's counts. Needs test/e2e/setup.sh to have run and `npm run build && npm run package`.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { describeInCodeServer, repoRoot } from './e2eSession';
import { runWithCli, stopLeftoverTrainers } from './runOnDisk';

const tinyRun = { file: 'experiments/tiny-run.experiment.yaml', name: 'tiny-run' };
const grades = ['Normal/Mild', 'Moderate', 'Severe'];
/** Data preparation and two epochs on a busy two-core machine. */
const runTimeoutMs = 420_000;

/** Counts[true][predicted] of one epoch, from rows.csv and the epoch's float32 file, argmax by hand. */
function countsOnDisk(runDir: string, epoch: number): number[][] {
  const folder = path.join(runDir, 'results', 'val_predictions');
  const truth = readFileSync(path.join(folder, 'rows.csv'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => grades.indexOf(line.split(',')[1]!));
  const bytes = readFileSync(path.join(folder, `epoch-${String(epoch).padStart(3, '0')}.f32`));
  assert.equal(bytes.length, truth.length * 12, 'three float32 per validation row');
  const counts = grades.map(() => grades.map(() => 0));
  truth.forEach((t, i) => {
    const p = [0, 1, 2].map((k) => bytes.readFloatLE((i * 3 + k) * 4));
    counts[t]![p.indexOf(Math.max(...p))]! += 1;
  });
  return counts;
}

function shownCounts(page: FrameLocator): Promise<number[][]> {
  return page
    .locator('#epoch-confusion tr')
    .evaluateAll((rows) =>
      rows
        .map((row) => Array.from(row.querySelectorAll('td')).map((cell) => Number(cell.textContent)))
        .filter((cells) => cells.length > 0),
    );
}

/** Polls what the page shows until it equals `expected`, then asserts (so a mismatch prints both). */
async function expectShown<T>(read: () => Promise<T>, expected: T, what: string): Promise<void> {
  let shown = await read();
  for (const deadline = Date.now() + 20_000; Date.now() < deadline; shown = await read()) {
    if (JSON.stringify(shown) === JSON.stringify(expected)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.deepEqual(shown, expected, what);
}

function tileIds(page: FrameLocator): Promise<string[]> {
  return page
    .locator('#gallery .gallery-item')
    .evaluateAll((items) => items.map((item) => item.getAttribute('data-row-id') ?? ''));
}

describeInCodeServer('The epoch scrubber (code-server + chromium)', { beforeStop: stopLeftoverTrainers }, (session) => {
  const { scenario } = session;

  scenario(
    'the scrubber shows the validation confusion matrix of each epoch as the stored predictions say',
    runTimeoutMs + 120_000,
    async (step) => {
      const wb = session.workbench;
      const runDir = await runWithCli(path.join(repoRoot, 'dist', 'cli.js'), session.workspace, tinyRun, runTimeoutMs);
      const metrics = JSON.parse(readFileSync(path.join(runDir, 'results', 'metrics.json'), 'utf8')) as {
        bestEpoch: number;
      };

      await wb.closeAllEditors();
      await wb.runCommand('RadLab: Open Run Results');
      await wb.pickQuickInput(`${tinyRun.name} / resnet18`);
      await wb.activeTabTitled(`Run ${path.basename(runDir)}`).waitFor({ state: 'visible' });
      const page = wb.webview();
      const scrubber = page.locator('#epoch-scrubber');
      await scrubber.waitFor({ state: 'visible', timeout: 60_000 });
      await page.locator('#epoch-evidence').scrollIntoViewIfNeeded();

      // It opens on the best epoch, marked as such.
      assert.equal(await scrubber.inputValue(), String(metrics.bestEpoch));
      await expectShown(() => shownCounts(page), countsOnDisk(runDir, metrics.bestEpoch), 'the best epoch on opening');
      assert.match((await page.locator('#epoch-label').textContent()) ?? '', / · best$/);
      await step('scrubber at the best epoch');

      await scrubber.fill('1');
      await expectShown(() => shownCounts(page), countsOnDisk(runDir, 1), 'epoch 1');
      assert.match((await page.locator('#epoch-label').textContent()) ?? '', /^Epoch 1 of 2/);
      // The gallery follows: its tiles are validation rows now.
      const validationIds = readFileSync(path.join(runDir, 'results', 'val_predictions', 'rows.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]!);
      await page.locator('#gallery .gallery-item').first().waitFor({ state: 'visible', timeout: 30_000 });
      await expectShown(() => tileIds(page), validationIds.slice(0, 12), 'the gallery shows the validation rows');
      assert.equal(await page.locator('#gallery-title').textContent(), 'Validation predictions, epoch 1');
      await step('scrubber at epoch 1');

      await scrubber.fill(String(metrics.bestEpoch));
      await expectShown(() => shownCounts(page), countsOnDisk(runDir, metrics.bestEpoch), 'back at the best epoch');
      await step('scrubber back at the best epoch');
    },
  );
});

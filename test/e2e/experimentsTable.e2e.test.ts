// End-to-end: the Experiments table in a real VS Code (code-server + chromium) with the packaged extension. Five run
// folders are written by hand into the workspace (four with results/metrics.json, one failed without), so every
// number the table must show is known from the files: sorting by a column is checked against the order of the
// runs' metrics.json, a filter against the runs whose metrics.json pass it, a star against the annotations.json it
// writes, the curves of selected runs against the colours of their rows' swatches, Compare Runs against the runs
// picked for it (Export CSV is checked against hand-written text and the trainer's summary in the unit tests), and a
// tiny run started from the palette must appear in the open table and follow its run to the end without a refresh.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { writeRunByHand, risingEpochs } from '../helpers/tableRunFolders';
import { pixelsOfColours, readCanvas, type Rgb } from './canvasImage';
import { describeInCodeServer, waitForValue } from './e2eSession';
import type { Workbench } from './workbench';
import { readMetrics, readRunJson, runFolders, stopLeftoverTrainers } from './runOnDisk';

const demo = 'table-demo';
/** Backbone, test macro-F1 (undefined: the run failed before testing) and learning rate of each hand-written run. */
const handRuns: [string, number | undefined, number][] = [
  ['resnet18', 0.52, 1e-4],
  ['resnet50', 0.71, 1e-4],
  ['convnext_tiny', 0.64, 3e-4],
  ['resnet18', 0.58, 1e-3],
  ['efficientnet_b0', undefined, 1e-4],
];
const tinyRun = { file: 'experiments/tiny-run.experiment.yaml', name: 'tiny-run' };
const runTimeoutMs = 150_000;

/** The test macro-F1 of a run folder as its metrics.json says; undefined without one. */
function testMacroF1(runDir: string): number | undefined {
  try {
    return readMetrics(runDir).test.macro.f1;
  } catch {
    return undefined;
  }
}

/** The run rows of the table, top to bottom: each one's folder and its cells by column key. */
async function tableRuns(page: FrameLocator): Promise<{ runDir: string; cells: Record<string, string> }[]> {
  return page.locator('#experiments-table').evaluate((table) => {
    const keys = Array.from(table.querySelectorAll('thead th'), (th) => th.getAttribute('data-column') ?? '');
    return Array.from(table.querySelectorAll('tbody tr.run'), (row) => ({
      runDir: row.getAttribute('data-id') ?? '',
      cells: Object.fromEntries(
        Array.from(row.children, (cell, i) => [keys[i] ?? '', (cell.textContent ?? '').trim()]).filter(([key]) => key),
      ),
    }));
  });
}

function hexToRgb(hex: string): Rgb {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

/** Opens (or brings forward) the Experiments table and waits for a row per hand-written run. */
async function openTable(wb: Workbench): Promise<FrameLocator> {
  await wb.runCommand('RadLab: Open Experiments Table');
  await wb.activeTabTitled('Experiments').waitFor({ state: 'visible' });
  const page = wb.webview();
  await page
    .locator('#experiments-table tbody tr.run')
    .nth(handRuns.length - 1)
    .waitFor({ state: 'visible' });
  return page;
}

/** The colour of each run's swatch in its row: the colour its curve is drawn in. */
async function swatchColours(page: FrameLocator, runDirs: readonly string[]): Promise<Rgb[]> {
  const colours: Rgb[] = [];
  for (const runDir of runDirs) {
    const stroke = await page
      .locator(`#experiments-table tr.run[data-id="${runDir}"] svg.swatch line`)
      .getAttribute('stroke');
    colours.push(hexToRgb(stroke ?? ''));
  }
  return colours;
}

/** Waits until the curves chart has a line in each colour. */
async function waitForCurves(wb: Workbench, page: FrameLocator, colours: readonly Rgb[]): Promise<void> {
  const curves = page.locator('#plot-curves');
  await curves.scrollIntoViewIfNeeded();
  for (const colour of colours) {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const image = await readCanvas(curves);
      if (pixelsOfColours(image, [colour], image.height * 0.15) >= 30) break;
      if (Date.now() > deadline) throw new Error(`no curve in ${colour.join(',')} on #plot-curves`);
      await wb.page.waitForTimeout(250);
    }
  }
}

describeInCodeServer(
  'RadLab Experiments table in a real VS Code (code-server + chromium)',
  {
    prepareWorkspace(workspace) {
      handRuns.forEach(([backbone, f1, lr], i) => {
        writeRunByHand({
          experimentDir: path.join(workspace, 'runs', demo),
          runId: `20261201-0${9 + Math.floor(i / 6)}${i}000`,
          member: backbone,
          backbone,
          status: f1 === undefined ? 'failed' : 'completed',
          params: { 'train.optimizer.lr': lr },
          epochs: risingEpochs(4, f1 ?? 0.3),
          bestEpoch: f1 === undefined ? undefined : 4,
          test:
            f1 === undefined
              ? undefined
              : { accuracy: f1 + 0.05, macroF1: f1, weightedF1: f1, rsnaScore: 1 - f1, conditionLoss: 1 - f1 },
        });
      });
    },
    beforeStop: stopLeftoverTrainers,
  },
  (session) => {
    const { scenario } = session;
    const demoRuns = () => runFolders(session.workspace, demo);

    scenario(
      'the Experiments table sorts by a metric as the runs’ metrics.json order them, filters, stars a run into its folder and plots the selected runs',
      120_000,
      async (step) => {
        const wb = session.workbench;
        const page = await openTable(wb);
        assert.equal((await tableRuns(page)).length, handRuns.length, 'one row per run folder');
        await step('table opened');

        // Ascending on the first click, descending on the second; the failed run has no score and stays last.
        const header = page.locator('#experiments-table th[data-column="test.macro_f1"]');
        const byScore = demoRuns().filter((dir) => testMacroF1(dir) !== undefined);
        const failed = demoRuns().filter((dir) => testMacroF1(dir) === undefined);
        for (const direction of ['ascending', 'descending'] as const) {
          await header.click();
          await page.locator(`#experiments-table th[data-column="test.macro_f1"][aria-sort="${direction}"]`).waitFor();
          const sign = direction === 'ascending' ? 1 : -1;
          const expected = [...byScore].sort((a, b) => sign * (testMacroF1(a)! - testMacroF1(b)!)).concat(failed);
          const shown = await tableRuns(page);
          assert.deepEqual(
            shown.map((row) => row.runDir),
            expected,
            `${direction}: the rows follow metrics.json's test macro-F1`,
          );
          assert.deepEqual(
            shown.map((row) => row.cells['test.macro_f1']),
            expected.map((dir) => testMacroF1(dir)?.toFixed(3) ?? '—'),
          );
          await step(`sorted ${direction}`);
        }

        // A filter keeps the runs whose metrics.json passes it.
        const filter = page.locator('#table-filter');
        await filter.fill('test.macro_f1 > 0.6');
        await filter.press('Enter');
        const passing = demoRuns().filter((dir) => (testMacroF1(dir) ?? 0) > 0.6);
        await page.locator('#table-counts', { hasText: `${passing.length} of ${handRuns.length} runs` }).waitFor();
        assert.deepEqual((await tableRuns(page)).map((row) => row.runDir).sort(), [...passing].sort());
        await step('filtered');

        // A bad expression says what is wrong and keeps the table.
        await filter.fill('test.macro_f1 >');
        await filter.press('Enter');
        await page
          .locator('#table-filter-error', { hasText: 'expected a value after ">", found the end (at character 16)' })
          .waitFor();
        assert.equal((await tableRuns(page)).length, handRuns.length);
        await step('filter error');
        await filter.fill('');
        await filter.press('Enter');
        await page.locator('#table-counts', { hasText: `${handRuns.length} runs` }).waitFor();

        // A star is written to the run folder's annotations.json.
        const starred = passing[0]!;
        await page.locator(`#experiments-table tr.run[data-id="${starred}"] button.star`).click();
        await page
          .locator(`#experiments-table tr.run[data-id="${starred}"] button.star[aria-pressed="true"]`)
          .waitFor();
        const annotations = await waitForValue(
          () => {
            try {
              return JSON.parse(readFileSync(path.join(starred, 'annotations.json'), 'utf8')) as unknown;
            } catch {
              return undefined;
            }
          },
          (value) => value !== undefined,
          'annotations.json in the starred run folder',
        );
        assert.deepEqual(annotations, { starred: true, note: '' });

        // A note goes to the same file and keeps the star.
        await page.locator(`#experiments-table tr.run[data-id="${starred}"] .note`).click();
        const noteInput = page.locator('#experiments-table input.note-input');
        await noteInput.fill('baseline for the sweep');
        await noteInput.press('Enter');
        await page
          .locator(`#experiments-table tr.run[data-id="${starred}"] .note`, { hasText: 'baseline for the sweep' })
          .waitFor();
        await waitForValue(
          () => readFileSync(path.join(starred, 'annotations.json'), 'utf8'),
          (text) => text.includes('baseline'),
          'the note in annotations.json',
        );
        assert.deepEqual(JSON.parse(readFileSync(path.join(starred, 'annotations.json'), 'utf8')), {
          starred: true,
          note: 'baseline for the sweep',
        });
        await step('starred and noted');

        // Selected runs are drawn in the colours of their rows' swatches.
        for (const runDir of passing) {
          await page.locator(`#experiments-table tr.run[data-id="${runDir}"] input[type="checkbox"]`).check();
        }
        await waitForCurves(wb, page, await swatchColours(page, passing));
        await step('curves of the selected runs');

        // A hidden column stays hidden when the table is opened again: the layout is kept per workspace.
        await page.locator('#table-columns-button').click();
        await page.locator('#table-column-chooser input[data-column="status"]').uncheck();
        await page.locator('#experiments-table th[data-column="status"]').waitFor({ state: 'detached' });
        await step('status column hidden');
        await wb.closeAllEditors();
        const reopened = await openTable(wb);
        const headers = await reopened
          .locator('#experiments-table thead th[data-column]')
          .evaluateAll((cells) => cells.map((cell) => cell.getAttribute('data-column')));
        assert.ok(!headers.includes('status') && headers.includes('test.macro_f1'), headers.join(', '));
        // Put it back for the next scenario, which reads the status column.
        await reopened.locator('#table-columns-button').click();
        await reopened.locator('#table-column-chooser input[data-column="status"]').check();
        await reopened.locator('#experiments-table th[data-column="status"]').waitFor();
      },
    );

    scenario('Compare Runs ticks the runs picked for it in the open table and plots them', 120_000, async (step) => {
      const wb = session.workbench;
      const page = await openTable(wb);

      // The palette asks for the runs (completed ones): resnet50 and convnext_tiny are picked.
      const picked = ['resnet50', 'convnext_tiny'];
      const chosen = demoRuns().filter((dir) => picked.includes(readRunJson(dir)?.backbone ?? ''));
      assert.equal(chosen.length, 2, `one run folder of each of ${picked.join(', ')}`);
      await wb.runCommand('RadLab: Compare Runs');
      for (const backbone of picked) await wb.pickQuickInput(`${demo} / ${backbone}`);
      await step('two runs picked');
      await wb.page.locator('.quick-input-widget input').press('Enter');
      const ticked = page.locator('#experiments-table tr.run:has(th input[type="checkbox"]:checked)');
      await ticked.nth(chosen.length - 1).waitFor();
      assert.deepEqual(
        (await ticked.evaluateAll((rows) => rows.map((row) => row.getAttribute('data-id') ?? ''))).sort(),
        [...chosen].sort(),
      );
      await waitForCurves(wb, page, await swatchColours(page, chosen));
      await step('compare runs: picked runs ticked and plotted');
    });

    scenario(
      'a run started from the palette appears in the open Experiments table and its row follows it to the end',
      runTimeoutMs + 30_000,
      async (step) => {
        const wb = session.workbench;
        await wb.clearNotifications();
        await wb.openFile(tinyRun.file);
        await wb.runCommand('RadLab: Run Experiment');
        // The table was open in the editor the file replaced: bringing it back shows the runs as they are now.
        await wb.runCommand('RadLab: Open Experiments Table');
        await wb.activeTabTitled('Experiments').waitFor({ state: 'visible' });
        const page = wb.webview();
        const seen: { status: string; valF1: string }[] = [];
        const tinyRow = async () =>
          (await tableRuns(page).catch(() => [])).find((row) =>
            row.runDir.includes(`${path.sep}${tinyRun.name}${path.sep}`),
          );
        const deadline = Date.now() + runTimeoutMs;
        let shotRunning = false;
        for (;;) {
          const row = await tinyRow();
          if (row !== undefined) {
            const last = seen.at(-1);
            const now = { status: row.cells.status ?? '', valF1: row.cells['val.macro_f1'] ?? '' };
            if (last?.status !== now.status || last.valF1 !== now.valF1) seen.push(now);
            if (now.status === 'running' && !shotRunning) {
              shotRunning = true;
              await step('the new run appears while it trains');
            }
            if (now.status === 'completed') break;
          }
          if (Date.now() > deadline)
            throw new Error(`the tiny run's row never showed completed; seen ${JSON.stringify(seen)}`);
          await wb.page.waitForTimeout(300);
        }
        await step('the run completed');
        const [runDir] = runFolders(session.workspace, tinyRun.name);
        assert.equal(readRunJson(runDir!)?.status, 'completed');
        assert.equal(seen[0]?.status, 'running', `the row appeared while the run trained: ${JSON.stringify(seen)}`);
        assert.ok(
          seen.some((row) => row.status === 'running' && row.valF1 !== '—'),
          `the row showed a validation score from the events while the run trained: ${JSON.stringify(seen)}`,
        );
        // Its validation score is that of the epoch the run tested, as metrics.json records it.
        const metrics = JSON.parse(readFileSync(path.join(runDir!, 'results', 'metrics.json'), 'utf8')) as {
          bestEpoch: number;
          history: { epoch: number; val: { macroF1: number } }[];
        };
        const best = metrics.history.find((entry) => entry.epoch === metrics.bestEpoch)!;
        assert.equal(seen.at(-1)?.valF1, best.val.macroF1.toFixed(3));
        process.stdout.write(`e2e: the tiny run's row went through ${JSON.stringify(seen)}\n`);
      },
    );
  },
);

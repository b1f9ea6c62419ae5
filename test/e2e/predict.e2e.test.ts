// End-to-end: the DICOM viewer's points, in a real VS Code (code-server + chromium) with the packaged extension. A
// synthetic RSNA-layout dataset is written into the workspace by the `radlab synth` CLI; opening one of its labelled
// slices must draw each labelled point where train_label_coordinates.csv puts it, in its grade's colour from
// train.csv; and RadLab: Predict Study, from a held-out study folder's context menu in the Explorer with a localizer
// and a grading run trained for the scenario, must draw each located level where `radlab predict` wrote it
// (predictions/<study>/positions.json) with the probabilities of its submission row. Every position is checked in
// the overlay's own pixels. Needs test/e2e/setup.sh to have run; run with `npm run test:e2e`.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import type { FrameLocator } from 'playwright-core';
import { GRADE_COLOURS } from '../../core/data/preview';
import { GRADES } from '../../core/data/lsdcVocabulary';
import { readCanvas, type Rgb } from './canvasImage';
import { describeInCodeServer, repoRoot } from './e2eSession';
import { runFolders, stopLeftoverTrainers } from './runOnDisk';
import type { Workbench } from './workbench';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const dataset = 'datasets/synthetic-predict';
/** A localizer and a grader small enough to train in about a minute each on one wasm thread. */
const experiments = { localizer: 'predict-localizer', grader: 'predict-grader' } as const;

function experimentText(name: string, task: 'localizer' | 'classifier'): string {
  return [
    `name: ${name}`,
    'data:',
    `  root: ../${dataset}`,
    '  condition: spinal_canal_stenosis',
    '  input: { mode: crop, crop_mm: 60, size: 32 }',
    '  split: { train: 0.6, val: 0.2, test: 0.2, seed: 1 }',
    'model:',
    `  task: ${task}`,
    '  backbones: resnet18',
    '  pretrained: none',
    '  level_embedding: 8',
    '  head: { hidden: [16], dropout: 0 }',
    '  freeze_backbone: false',
    'train:',
    '  batch_size: 8',
    '  epochs: 1',
    '  optimizer: { lr: 1.0e-3 }',
    '  engine: wasm',
    '  threads: 1',
    'output: ../runs/',
    '',
  ].join('\n');
}

function csvRows(file: string): Record<string, string>[] {
  return parse(readFileSync(file, 'utf8'), { columns: true }) as Record<string, string>[];
}

function hexColour(hex: string): Rgb {
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
}

/** Trains one experiment with the CLI, as a user could from a terminal; resolves when it has completed. */
function train(workspace: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [cli, 'run', path.join(workspace, 'experiments', `${name}.experiment.yaml`)],
      {
        cwd: workspace,
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`radlab run ${name}: exit ${code}\n${stderr}`)),
    );
  });
}

interface ShownPoint {
  x: number;
  y: number;
  colour: Rgb;
}

/**
 * How many overlay pixels near each point (a square of side 2 x (ring radius + 3) around where the image puts the
 * point's pixel centre) have the point's colour. The position is computed from the image canvas's box on screen,
 * not from the page's own placement code.
 */
async function colouredPixelsAt(page: FrameLocator, points: readonly ShownPoint[]): Promise<number[]> {
  const [viewerBox, imageBox] = await Promise.all([
    page.locator('#dicom-viewer').boundingBox(),
    page.locator('#dicom-canvas').boundingBox(),
  ]);
  assert.ok(viewerBox !== null && imageBox !== null);
  const { columns, rows } = await page.locator('#dicom-canvas').evaluate((canvas) => ({
    columns: (canvas as HTMLCanvasElement).width,
    rows: (canvas as HTMLCanvasElement).height,
  }));
  const overlay = await readCanvas(page.locator('#dicom-points'));
  const ratio = overlay.width / viewerBox.width;
  const reach = Math.ceil((7 + 3) * ratio);
  return points.map((point) => {
    const cx = Math.round((imageBox.x - viewerBox.x + ((point.x + 0.5) * imageBox.width) / columns) * ratio);
    const cy = Math.round((imageBox.y - viewerBox.y + ((point.y + 0.5) * imageBox.height) / rows) * ratio);
    let count = 0;
    for (let y = Math.max(0, cy - reach); y <= Math.min(overlay.height - 1, cy + reach); y++) {
      for (let x = Math.max(0, cx - reach); x <= Math.min(overlay.width - 1, cx + reach); x++) {
        const i = 4 * (y * overlay.width + x);
        if (overlay.rgba[i + 3]! < 250) continue;
        if ([0, 1, 2].every((c) => Math.abs(overlay.rgba[i + c]! - point.colour[c]!) <= 24)) count++;
      }
    }
    return count;
  });
}

async function nextFrame(page: FrameLocator): Promise<void> {
  await page
    .locator('#dicom-canvas')
    .evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
}

/** Expands the Explorer's folders down to `relativePath` and opens the context menu of its last folder. */
async function explorerContextMenu(wb: Workbench, relativePath: string): Promise<void> {
  await wb.runCommand('View: Show Explorer');
  const parts = relativePath.split('/');
  for (const [i, name] of parts.entries()) {
    const row = wb.page
      .locator('.explorer-folders-view .monaco-list-row', {
        has: wb.page.locator('.label-name', { hasText: new RegExp(`^${name}$`) }),
      })
      .first();
    await row.waitFor({ state: 'visible' });
    if (i === parts.length - 1) {
      await row.click({ button: 'right' });
      return;
    }
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.click();
    await row.and(wb.page.locator('[aria-expanded="true"]')).waitFor({ state: 'visible' });
  }
}

describeInCodeServer(
  'Points on the DICOM viewer: labels and Predict Study (code-server + chromium)',
  {
    prepareWorkspace(workspace) {
      execFileSync(process.execPath, [
        cli,
        'synth',
        '--out',
        path.join(workspace, dataset),
        '--studies',
        '10',
        '--seed',
        '7',
        '--test-studies',
        '2',
      ]);
      writeFileSync(
        path.join(workspace, 'experiments', `${experiments.localizer}.experiment.yaml`),
        experimentText(experiments.localizer, 'localizer'),
      );
      writeFileSync(
        path.join(workspace, 'experiments', `${experiments.grader}.experiment.yaml`),
        experimentText(experiments.grader, 'classifier'),
      );
    },
    beforeStop: stopLeftoverTrainers,
  },
  (session) => {
    const { scenario } = session;

    scenario(
      'a labelled series shows its labelled points on the slice they name, following zoom, with a toggle',
      120_000,
      async (step) => {
        const wb = session.workbench;
        await wb.closeAllEditors();
        const root = path.join(session.workspace, dataset);
        // The truth, from the dataset's CSVs: the first spinal canal mark, every mark on its slice, their grades.
        const marks = csvRows(path.join(root, 'train_label_coordinates.csv'));
        const first = marks.find((row) => row.condition === 'Spinal Canal Stenosis')!;
        const onSlice = marks.filter(
          (row) =>
            row.study_id === first.study_id &&
            row.series_id === first.series_id &&
            row.instance_number === first.instance_number,
        );
        const grades = csvRows(path.join(root, 'train.csv')).find((row) => row.study_id === first.study_id)!;
        const expected = onSlice.map((row) => {
          const column = `${row.condition!.toLowerCase().replace(/ /g, '_')}_${row.level!.toLowerCase().replace('/', '_')}`;
          const grade = grades[column] as (typeof GRADES)[number];
          return { x: Number(row.x), y: Number(row.y), colour: hexColour(GRADE_COLOURS[grade]), row, grade };
        });
        const file = `${dataset}/train_images/${first.study_id}/${first.series_id}/${first.instance_number}.dcm`;
        await wb.openWithQuickOpen(file);
        const page = wb.webview();
        await page
          .locator('#dicom-title')
          .filter({ hasText: new RegExp(`^${first.instance_number}\\.dcm · `) })
          .waitFor({ state: 'visible', timeout: 60_000 });
        await page.locator('#slice-points li').first().waitFor({ state: 'visible', timeout: 30_000 });
        assert.deepEqual(
          (await page.locator('#slice-points li').allTextContents()).sort(),
          expected.map(({ row, grade }) => `Label: ${row.level} ${row.condition!.toLowerCase()} · ${grade}`).sort(),
          'each mark of the slice is listed with its level, condition and grade',
        );
        await nextFrame(page);
        for (const [i, count] of (await colouredPixelsAt(page, expected)).entries())
          assert.ok(count >= 10, `${expected[i]!.row.level} is drawn in its grade's colour at its point (${count} px)`);
        await step('labelled points on their slice');

        // Zoomed in, the points stay on their pixels.
        await page.locator('#zoom-in').click();
        await page.locator('#zoom-in').click();
        await nextFrame(page);
        for (const [i, count] of (await colouredPixelsAt(page, expected)).entries())
          assert.ok(count >= 10, `zoomed: ${expected[i]!.row.level} still drawn at its point (${count} px)`);
        await step('labelled points zoomed');

        // The toggle hides them; a second click brings them back.
        await page.locator('#show-points').click();
        await nextFrame(page);
        assert.deepEqual(
          await colouredPixelsAt(page, expected),
          expected.map(() => 0),
          'hidden by the toggle',
        );
        await step('points hidden');
        await page.locator('#show-points').click();
        await nextFrame(page);
        assert.ok(
          (await colouredPixelsAt(page, expected)).every((count) => count >= 10),
          'shown again',
        );

        // A slice that no mark names shows none of them.
        const labelledInstances = new Set(
          marks
            .filter((row) => row.study_id === first.study_id && row.series_id === first.series_id)
            .map((row) => Number(row.instance_number)),
        );
        const title = page.locator('#dicom-title');
        const seriesLength = readdirSync(path.join(root, 'train_images', first.study_id!, first.series_id!)).length;
        for (let clicks = 0; labelledInstances.has(parseInt(await title.innerText(), 10)); clicks++) {
          assert.ok(clicks < seriesLength, 'the series has a slice without marks');
          const before = await title.innerText();
          const next = page.locator('#instance-next');
          await ((await next.getAttribute('disabled')) === null ? next : page.locator('#instance-prev')).click();
          await title.filter({ hasNotText: before }).waitFor({ state: 'visible' });
        }
        await nextFrame(page);
        assert.equal(await page.locator('#slice-points li').count(), 0, 'no point listed on an unlabelled slice');
        assert.deepEqual(
          await colouredPixelsAt(page, expected),
          expected.map(() => 0),
          'none drawn there',
        );
        await step('unlabelled slice');
      },
    );

    scenario(
      "Predict Study from a held-out study's context menu draws the located levels with their grade probabilities",
      480_000,
      async (step) => {
        const wb = session.workbench;
        await wb.closeAllEditors();
        await wb.clearNotifications();
        await train(session.workspace, experiments.localizer);
        await train(session.workspace, experiments.grader);
        assert.equal(runFolders(session.workspace, experiments.localizer).length, 1);
        assert.equal(runFolders(session.workspace, experiments.grader).length, 1);

        const testImages = path.join(session.workspace, dataset, 'test_images');
        const study = readdirSync(testImages).sort()[0]!;
        // One broken slice at the end of the study's sagittal T2/STIR series: listed, and the rest still predicted.
        const sagittal = csvRows(path.join(session.workspace, dataset, 'test_series_descriptions.csv')).find(
          (row) => row.study_id === study && row.series_description === 'Sagittal T2/STIR',
        )!.series_id!;
        const broken = path.join(testImages, study, sagittal, '1.dcm');
        writeFileSync(broken, readFileSync(broken).subarray(0, 300));
        await explorerContextMenu(wb, `${dataset}/test_images/${study}`);
        await wb.page.locator('.monaco-menu .action-label', { hasText: /^Predict Study$/ }).click();
        // Both runs are offered, described by what they do, and ticked: accept them.
        const rows = await wb.quickPickRows();
        assert.ok(
          rows.some(
            (row) =>
              row.label.startsWith(experiments.localizer) && /localizer · spinal_canal_stenosis/.test(row.description),
          ),
        );
        assert.ok(
          rows.some(
            (row) => row.label.startsWith(experiments.grader) && /grades spinal_canal_stenosis/.test(row.description),
          ),
        );
        await step('runs offered');
        await wb.page.locator('.quick-input-widget input').press('Enter');

        const predicted = wb.notification(
          new RegExp(`study ${study} predicted: 5 levels located on 1 series; 1 unreadable file\\(s\\) skipped`),
        );
        await predicted.waitFor({ state: 'visible', timeout: 120_000 });
        // The truth: what `radlab predict` wrote.
        const folder = path.join(session.workspace, 'predictions', study);
        const positions = (
          JSON.parse(readFileSync(path.join(folder, 'positions.json'), 'utf8')) as {
            positions: { rowId: string; level: string; file: string; instanceNumber: number; x: number; y: number }[];
          }
        ).positions;
        const submission = new Map(
          csvRows(path.join(folder, 'submission.csv')).map((row) => [
            row.row_id!,
            [row.normal_mild, row.moderate, row.severe].map(Number),
          ]),
        );
        assert.equal(positions.length, 5);
        const page = wb.webview();
        const title = page.locator('#dicom-title');
        await title.waitFor({ state: 'visible', timeout: 60_000 });
        await page.locator('#slice-points li.predicted-point').first().waitFor({ state: 'visible', timeout: 30_000 });
        const shownFile = (await title.innerText()).split(' · ')[0]!;
        const onSlice = positions.filter((position) => path.basename(position.file) === shownFile);
        assert.ok(onSlice.length > 0, `the viewer opened on a predicted slice (${shownFile})`);
        const expected = onSlice.map((position) => {
          const p = submission.get(position.rowId)!;
          const best = GRADES[p.indexOf(Math.max(...p))]!;
          return {
            x: position.x,
            y: position.y,
            colour: hexColour(GRADE_COLOURS[best]),
            text: `Predicted: ${position.level}  N ${p[0]!.toFixed(2)} · M ${p[1]!.toFixed(2)} · S ${p[2]!.toFixed(2)}`,
          };
        });
        assert.deepEqual(
          await page.locator('#slice-points li.predicted-point').allTextContents(),
          expected.map((point) => point.text),
          'each level on this slice is listed with the probabilities of its submission row',
        );
        await nextFrame(page);
        for (const [i, count] of (await colouredPixelsAt(page, expected)).entries())
          assert.ok(count >= 10, `${expected[i]!.text} is drawn at its predicted position (${count} px)`);
        await step('predicted levels drawn');

        // The viewer's button predicts the study it shows again; the open viewer redraws from the new files.
        const written = statSync(path.join(folder, 'positions.json')).mtimeMs;
        await wb.clearNotifications();
        await page.locator('#predict-study').click();
        await wb.quickPickRows();
        await wb.page.locator('.quick-input-widget input').press('Enter');
        await predicted.waitFor({ state: 'visible', timeout: 120_000 });
        assert.ok(statSync(path.join(folder, 'positions.json')).mtimeMs > written, 'predict wrote its files again');
        assert.equal(await wb.page.locator('.editor-group-container .tab').count(), 1, 'the open viewer was reused');
        assert.deepEqual(
          await page.locator('#slice-points li.predicted-point').allTextContents(),
          expected.map((point) => point.text),
        );
        await step('predicted again from the viewer');
      },
    );
  },
);

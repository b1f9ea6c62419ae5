// End-to-end: a gallery prediction explained and opened on its slice, in a real VS Code (code-server + chromium)
// with the packaged extension. Explain runs `radlab explain` and draws its map over the evaluated crop: the caption
// names the method and grid the CLI's own JSON for that row gives, and the opacity slider changes the pixels drawn.
// "DICOM" opens the row's labelled instance (train_label_coordinates.csv) in the DICOM viewer with the model's input
// square drawn in its colour. Needs test/e2e/setup.sh to have run and `npm run build && npm run package`.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { FrameLocator } from 'playwright-core';
import sharp from 'sharp';
import { readCanvas } from './canvasImage';
import { describeInCodeServer, repoRoot } from './e2eSession';
import { readRunJson, runFolders, stopLeftoverTrainers } from './runOnDisk';

// The fixture's tiny experiment: eight synthetic studies, 32-pixel inputs, resnet18 (so Grad-CAM), two epochs.
const tinyRun = { file: 'experiments/tiny-run.experiment.yaml', name: 'tiny-run', dataset: 'datasets/synthetic-tiny' };
/** Data preparation and two epochs on a busy two-core machine. */
const runTimeoutMs = 420_000;
/** `radlab explain` loads the engine and the checkpoint before it computes one map. */
const explainTimeoutMs = 120_000;
/** The input square's colour in the DICOM viewer (webview/slicePoints.ts FOCUS_BOX_COLOUR). */
const focusBox = [0x00, 0xe5, 0xff];

function csvRows(file: string): string[][] {
  return readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => line.split(','));
}

async function pngPixels(base64: string): Promise<{ width: number; height: number; rgb: Uint8Array }> {
  const { data, info } = await sharp(Buffer.from(base64, 'base64'))
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, rgb: new Uint8Array(data) };
}

/** Whether RGBA (a canvas) and RGB (a decoded PNG) pixels, or two RGBA buffers, hold the same colours. */
function sameRgb(rgba: Uint8Array, other: Uint8Array): boolean {
  const step = other.length === rgba.length ? 4 : 3;
  if (rgba.length / 4 !== other.length / step) return false;
  for (let p = 0; p < rgba.length / 4; p++) {
    for (let c = 0; c < 3; c++) if (rgba[4 * p + c] !== other[step * p + c]) return false;
  }
  return true;
}

/** Pixels of a canvas within `tolerance` of an RGB colour, and their bounding box. */
async function colourPixels(page: FrameLocator, selector: string, rgb: number[], tolerance = 40) {
  const image = await readCanvas(page.locator(selector));
  let count = 0;
  const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity };
  for (let i = 0; i < image.width * image.height; i++) {
    if (image.rgba[4 * i + 3]! < 200) continue;
    if (!rgb.every((value, c) => Math.abs(image.rgba[4 * i + c]! - value) <= tolerance)) continue;
    count++;
    const [x, y] = [i % image.width, Math.floor(i / image.width)];
    Object.assign(box, {
      left: Math.min(box.left, x),
      top: Math.min(box.top, y),
      right: Math.max(box.right, x),
      bottom: Math.max(box.bottom, y),
    });
  }
  return { count, box };
}

describeInCodeServer(
  'Saliency and gallery → DICOM viewer (code-server + chromium)',
  { beforeStop: stopLeftoverTrainers },
  (session) => {
    session.scenario(
      'a gallery tile is explained over its crop with a working opacity slider, and opens on its DICOM instance',
      runTimeoutMs + 2 * explainTimeoutMs + 120_000,
      async (step) => {
        const wb = session.workbench;
        const cli = path.join(repoRoot, 'dist', 'cli.js');
        await promisify(execFile)(process.execPath, [cli, 'run', tinyRun.file], {
          cwd: session.workspace,
          timeout: runTimeoutMs,
        });
        const [runDir] = runFolders(session.workspace, tinyRun.name);
        assert.equal(readRunJson(runDir!)?.status, 'completed');
        const [header, first] = csvRows(path.join(runDir!, 'results', 'predictions.csv'));
        const rowId = first![header!.indexOf('row_id')]!;

        await wb.closeAllEditors();
        await wb.runCommand('RadLab: Open Run Results');
        await wb.pickQuickInput(`${tinyRun.name} / resnet18`);
        await wb.activeTabTitled(`Run ${path.basename(runDir!)}`).waitFor({ state: 'visible' });
        const page = wb.webview();
        const tile = page.locator('#gallery li').first();
        await tile.locator('img').waitFor({ state: 'visible', timeout: 60_000 });
        assert.equal(await tile.locator('.gallery-item').getAttribute('data-row-id'), rowId);

        // Explain: the map over the crop, captioned with the method and grid `radlab explain --json` reports.
        await tile.locator('.explain-item').click();
        const caption = page.locator('#saliency-caption');
        await caption.filter({ hasText: /^Grad-CAM/ }).waitFor({ timeout: explainTimeoutMs });
        const out = path.join(mkdtempSync(path.join(tmpdir(), 'radlab-e2e-explain-')), 'row.json');
        await promisify(execFile)(process.execPath, [cli, 'explain', runDir!, rowId, '--json', out], {
          cwd: session.workspace,
          timeout: explainTimeoutMs,
        });
        const written = JSON.parse(readFileSync(out, 'utf8')) as {
          method: string;
          grade: string;
          grid: number[];
          step: number[];
          cropPng: string;
          heatmapPng: string;
        };
        assert.equal(written.method, 'grad-cam');
        // A 32-pixel crop leaves resnet18's last stage a 1x1 grid; the map comes from layer1's 8x8 (step 3 of 9).
        assert.deepEqual(
          [written.grid, written.step],
          [
            [8, 8],
            [3, 9],
          ],
        );
        const where = `(8×8, backbone step 3 of 9)`;
        assert.equal(await caption.textContent(), `Grad-CAM for ${written.grade} ${where}`);
        // The slider's ends show the CLI's own pictures pixel for pixel: the crop alone, then the map alone.
        const canvas = page.locator('#saliency-canvas');
        const setOpacity = (percent: number) =>
          page.locator('#saliency-opacity').evaluate((input, value) => {
            (input as HTMLInputElement).value = String(value);
            input.dispatchEvent(new Event('input'));
          }, percent);
        await setOpacity(0);
        const bare = await readCanvas(canvas);
        await setOpacity(100);
        const full = await readCanvas(canvas);
        const [crop, heatmap] = await Promise.all([pngPixels(written.cropPng), pngPixels(written.heatmapPng)]);
        assert.deepEqual([bare.width, bare.height], [crop.width, crop.height], "the canvas is the crop's size");
        assert.ok(sameRgb(bare.rgba, crop.rgb), 'at opacity 0 the canvas is the crop');
        assert.ok(sameRgb(full.rgba, heatmap.rgb), 'at opacity 1 the canvas is the heat map');
        assert.ok(!sameRgb(bare.rgba, full.rgba), 'the slider changes the pixels');
        await setOpacity(45);
        // Another grade asks the host for that grade's map.
        const other = ['Normal/Mild', 'Moderate', 'Severe'].find((grade) => grade !== written.grade)!;
        await page.locator('#saliency-grade').click();
        await page.locator(`#saliency-grade vscode-option[value="${other}"]`).click();
        await caption.filter({ hasText: `Grad-CAM for ${other} ${where}` }).waitFor({ timeout: explainTimeoutMs });
        await step('saliency overlay');
        await page.locator('#saliency-close').click();

        // The row's labelled instance, from the dataset's coordinates file.
        const [, study, ...rest] = rowId.match(/^(\d+)_(.*)$/)!;
        const levelSuffix = rest[0]!.slice(-5);
        const level = levelSuffix.toUpperCase().replace('_', '/');
        const [coordinatesHeader, ...coordinates] = csvRows(
          path.join(session.workspace, tinyRun.dataset, 'train_label_coordinates.csv'),
        );
        const col = (name: string) => coordinatesHeader!.indexOf(name);
        const labelled = coordinates.find(
          (row) =>
            row[col('study_id')] === study &&
            row[col('level')] === level &&
            row[col('condition')] === 'Spinal Canal Stenosis',
        )!;
        const instance = labelled[col('instance_number')]!;
        await tile.locator('.open-dicom').click();
        await wb.activeTabTitled(`${instance}.dcm`).waitFor({ state: 'visible', timeout: 60_000 });
        const viewer = wb.webview();
        await viewer
          .locator('#dicom-title')
          .filter({ hasText: new RegExp(`^${instance}\\.dcm · `) })
          .waitFor({ timeout: 30_000 });
        await viewer.locator('#slice-points .focus-point').waitFor({ state: 'attached', timeout: 30_000 });
        const focusLine = await viewer.locator('#slice-points .focus-point').textContent();
        assert.match(
          focusLine ?? '',
          new RegExp(`${level} · true .* · predicted .*Normal/Mild \\d+% · Moderate \\d+% · Severe \\d+%`),
        );
        const { count, box } = await colourPixels(viewer, '#dicom-points', focusBox);
        const [width, height] = [box.right - box.left, box.bottom - box.top];
        assert.ok(count > 40, `the input square is drawn in its colour (${count} pixels)`);
        assert.ok(Math.abs(width - height) <= 0.1 * Math.max(width, height), `a square: ${width} x ${height}`);
        await step('gallery row on its DICOM instance');
      },
    );
  },
);

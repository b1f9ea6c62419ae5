// A webview page is treated as untrusted. The HTML of every panel runs only its own nonce'd
// script from the extension's folder (no inline script, no remote origin, no eval); malformed messages are refused
// by the contract's guards before any handler sees them, including seeded random ones; and ids a page sends (a
// prediction row, a study and series) cannot reach files outside the run folder or the dataset root.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { DatasetTables } from '../../core/data';
import { contentSecurityPolicy, panelHtml } from '../../extension/panels/panelHtml';
import { datasetSlice, seriesSlices } from '../../extension/panels/datasetPreviewModel';
import { pageFailureText } from '../../extension/panels/pageFailureText';
import { RunGallery } from '../../extension/panels/runGallery';
import type { PredictionRow } from '../../extension/panels/runFolderModel';
import { isDatasetPageMessage, isDicomPageMessage, isRunPageMessage } from '../../webview/contract';
import { isTablePageMessage } from '../../webview/experimentsContract';
import { FIRST_GALLERY_PAGE } from '../fixtures/ui/fixtureRuns';
import { SeededRandom } from './seededRandom';

const repo = join(__dirname, '..', '..');
const folder = mkdtempSync(join(tmpdir(), 'radlab-webview-security-'));
after(() => rmSync(folder, { recursive: true, force: true }));

const BUNDLES = ['run', 'experiments', 'dicom', 'dataset'] as const;
const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';

function directives(html: string): Map<string, string[]> {
  const content = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html)?.[1];
  assert.ok(content, 'a CSP meta tag');
  return new Map(
    content
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
}

describe('panel HTML', () => {
  it('is built in one place: no panel sets webview.html itself', () => {
    const panelsFolder = join(repo, 'extension', 'panels');
    const setters = readdirSync(panelsFolder)
      .filter((name) => name.endsWith('.ts'))
      .filter((name) => /\.html\s*=/.test(readFileSync(join(panelsFolder, name), 'utf8')));
    assert.deepEqual(
      setters,
      ['webviewPanelHost.ts'],
      'every panel goes through WebviewPanelHost, which uses panelHtml',
    );
  });

  for (const bundle of BUNDLES) {
    it(`${bundle}: scripts by nonce only, nothing remote, no eval, even with a hostile title`, () => {
      const html = panelHtml({
        cspSource,
        scriptUri: `${cspSource}/ext/dist/webview/${bundle}.panel.js`,
        styleUri: `${cspSource}/ext/dist/webview/${bundle}.panel.css`,
        title: `Run "x"></title><script>alert(1)</script><img src="https://evil.example/x">`,
      });
      const csp = directives(html);
      const nonce = /'nonce-([^']+)'/.exec(csp.get('script-src')!.join(' '))?.[1];
      assert.ok(nonce && nonce.length >= 16, 'a long nonce');
      assert.deepEqual(csp.get('default-src'), ["'none'"]);
      assert.deepEqual(csp.get('script-src'), [`'nonce-${nonce}'`], 'scripts only by nonce: no host, no unsafe-eval');
      for (const [name, values] of csp) {
        for (const value of values) {
          assert.ok(!/unsafe-(eval|inline|hashes)|wasm-unsafe-eval/.test(value), `${name} allows ${value}`);
          assert.ok(
            !/^(https?:|\*|ws)/.test(value) || value === cspSource,
            `${name} allows the remote origin ${value}`,
          );
        }
      }
      // Only the one external, nonce'd script; the hostile title is text, not markup.
      const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
      assert.equal(scripts.length, 1);
      assert.match(scripts[0]![1]!, new RegExp(`nonce="${nonce!.replace(/[+/=]/g, '\\$&')}"`));
      assert.equal(scripts[0]![2]!.trim(), '', 'no inline script body');
      assert.doesNotMatch(html, /<img/);
      const urls = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
      assert.ok(
        urls.every((url) => url.startsWith(`${cspSource}/`)),
        urls.join(', '),
      );
    });
  }

  it('each policy is fresh per page: two pages never share a nonce', () => {
    const nonces = BUNDLES.map(
      () => /'nonce-([^']+)'/.exec(panelHtml({ cspSource, scriptUri: 'a', styleUri: 'b', title: 't' }))![1],
    );
    assert.equal(new Set(nonces).size, BUNDLES.length);
    assert.equal(
      contentSecurityPolicy(cspSource, 'n').includes('connect-src'),
      false,
      'no fetch/XHR/WebSocket anywhere',
    );
  });

  it('the built bundles need no eval: the one Function constructor is a guarded globalThis fallback', () => {
    for (const bundle of BUNDLES) {
      const code = readFileSync(join(repo, 'dist', 'webview', `${bundle}.panel.js`), 'utf8');
      const uses = [...code.matchAll(/new Function\(|(?<![\w.$])eval\(/g)].map((m) =>
        code.slice(m.index! - 40, m.index! + 40),
      );
      for (const use of uses)
        assert.match(use, /try \{\s*return new Function\("return this"\)\(\)/, `${bundle}.panel.js: ${use}`);
      // Loads nothing from the network: the only absolute URL is the SVG namespace name.
      const remote = [...code.matchAll(/https?:\/\/[\w.-]+/g)]
        .map((m) => m[0])
        .filter((url) => url !== 'http://www.w3.org');
      assert.deepEqual(remote, [], `${bundle}.panel.js references ${remote.join(', ')}`);
    }
  });
});

describe('messages from a page', () => {
  const guards = {
    run: isRunPageMessage,
    experiments: isTablePageMessage,
    dicom: isDicomPageMessage,
    dataset: isDatasetPageMessage,
  };
  const galleryQuery = FIRST_GALLERY_PAGE;
  // What each guard must accept and refuse, written out by hand from the contract's message types.
  const valid: [keyof typeof guards, unknown][] = [
    ['run', { type: 'ready' }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, mistakesOnly: true } }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, sort: 'loss', trueGrade: 'Severe', level: 'L5/S1' } }],
    ['run', { type: 'open-slice', rowId: '100_spinal_canal_stenosis_l1_l2' }],
    ['experiments', { type: 'table-export-csv' }],
    ['experiments', { type: 'table-open-run', runDir: '/runs/a/20261201-100000-resnet18' }],
    ['dicom', { type: 'step-instance', index: 3 }],
    ['dataset', { type: 'open-series', studyId: '1', seriesId: '2' }],
    ['dataset', { type: 'open-dataset-slice', studyId: '1', seriesId: '2', instanceNumber: 7 }],
  ];
  const malformed: [keyof typeof guards, unknown][] = [
    ['run', null],
    ['run', undefined],
    ['run', 'ready'],
    ['run', ['ready']],
    ['run', { type: 42 }],
    ['run', { kind: 'ready' }],
    ['run', { type: 'open-slice' }],
    ['run', { type: 'open-slice', rowId: 7 }],
    ['run', { type: 'open-slice', rowId: { toString: () => '../../etc/passwd' } }],
    ['run', { type: 'gallery-page', page: 0, mistakesOnly: false }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, page: -1 } }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, page: 1.5 } }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, page: Number.NaN } }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, page: Number.POSITIVE_INFINITY } }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, page: '0' } }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, mistakesOnly: 'yes' } }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, sort: '__proto__' } }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, trueGrade: 'Mild' } }],
    ['run', { type: 'gallery-page', query: { ...galleryQuery, level: ['L1/L2'] } }],
    ['run', { type: 'step-instance', index: 0 }],
    ['run', { type: 'failed' }],
    ['experiments', { type: 'export-csv', sort: null }],
    ['experiments', { type: 'table-open-run' }],
    ['experiments', { type: 'table-open-run', runDir: ['/runs/a'] }],
    ['experiments', { type: 'table-annotate', runDir: '/runs/a' }],
    ['dicom', { type: 'step-instance', index: -3 }],
    ['dicom', { type: 'step-instance', index: '3' }],
    ['dataset', { type: 'open-series', studyId: '1' }],
    ['dataset', { type: 'open-dataset-slice', studyId: '1', seriesId: '2', instanceNumber: -1 }],
    ['dataset', { type: 'open-dataset-slice', studyId: '1', seriesId: '2', instanceNumber: '7.dcm' }],
  ];

  it('accepts the messages the pages send', () => {
    for (const [page, message] of valid)
      assert.equal(guards[page](message), true, `${page}: ${JSON.stringify(message)}`);
  });

  it('refuses malformed ones before any handler runs', () => {
    for (const [page, message] of malformed)
      assert.equal(guards[page](message), false, `${page}: ${String(JSON.stringify(message))}`);
  });

  // matchesSpecs looks the type up with `specs[value.type]`, so a name inherited from Object.prototype finds a spec
  // (a function or the prototype) with no fields and passes. Harmless today (no handler acts on such a type), but a
  // guard must not depend on that. webview/contract.ts is outside this helper's files; the fix is Object.hasOwn.
  it('refuses message types that are Object.prototype keys', () => {
    for (const type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      for (const guard of Object.values(guards)) assert.equal(guard({ type }), false, type);
    }
  });

  it('never throws on, and never accepts a wrongly typed field of, 20,000 seeded random messages', () => {
    const random = new SeededRandom(5150);
    const types = [
      'ready',
      'failed',
      'gallery-page',
      'open-slice',
      'export-csv',
      'table-export-csv',
      'table-open-run',
      'step-instance',
      'open-series',
      'open-dataset-slice',
      'x',
    ];
    const anyValue = (depth: number): unknown =>
      random.pick<() => unknown>([
        () => random.int(-5, 5),
        () => random.next() * 10,
        () => Number.NaN,
        () => random.pick(['', '0', '../../etc/passwd', '/etc/passwd', 'a'.repeat(random.int(0, 3000))]),
        () => random.chance(0.5),
        () => null,
        () => undefined,
        () => (depth > 2 ? [] : [anyValue(depth + 1)]),
        () =>
          depth > 2 ? {} : { column: anyValue(depth + 1), direction: random.pick(['ascending', 'descending', 'up']) },
      ])();
    const fields = [
      'query',
      'page',
      'mistakesOnly',
      'rowId',
      'runDir',
      'sort',
      'index',
      'studyId',
      'seriesId',
      'instanceNumber',
      'message',
    ];
    for (let i = 0; i < 20_000; i++) {
      const message: Record<string, unknown> = { type: random.chance(0.95) ? random.pick(types) : anyValue(0) };
      for (const field of fields) if (random.chance(0.6)) message[field] = anyValue(0);
      for (const guard of Object.values(guards)) {
        if (!guard(message)) continue;
        // Accepted: every field the handlers read has the type they expect (checked here independently).
        const m = message as Record<string, unknown>;
        const whole = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
        if (m.type === 'open-slice') assert.equal(typeof m.rowId, 'string');
        if (m.type === 'table-open-run') assert.equal(typeof m.runDir, 'string');
        if (m.type === 'gallery-page') {
          const query = m.query as Record<string, unknown>;
          assert.ok(whole(query.page) && typeof query.mistakesOnly === 'boolean');
        }
        if (m.type === 'step-instance') assert.ok(whole(m.index));
        if (m.type === 'open-series' || m.type === 'open-dataset-slice')
          assert.ok(typeof m.studyId === 'string' && typeof m.seriesId === 'string');
        if (m.type === 'open-dataset-slice') assert.ok(whole(m.instanceNumber));
        if (m.type === 'failed') assert.equal(typeof m.message, 'string');
        assert.ok(types.includes(m.type as string), `accepted unknown type ${String(m.type)}`);
      }
    }
  });

  it('shows a page failure as bounded text that cannot form a (command:) link in the notification', () => {
    const text = pageFailureText(
      `[Run me](command:workbench.action.terminal.sendSequence?%7B%22text%22%3A%22rm%22%7D) ${'x'.repeat(5000)}`,
    );
    assert.doesNotMatch(text, /\[[^\]]*\]\(/);
    assert.ok(text.length <= 501);
    assert.equal(pageFailureText('decoding failed'), 'decoding failed');
  });
});

describe('ids from a page cannot leave the run folder or the dataset root', () => {
  // A dataset root with a secret beside it, laid out so `<root>/train_images/../../secret/x` is a real folder of
  // .dcm files: before the ids were checked, listing it succeeded.
  const root = join(folder, 'dataset');
  mkdirSync(join(root, 'train_images', '1', '2'), { recursive: true });
  mkdirSync(join(folder, 'secret', 'x'), { recursive: true });
  writeFileSync(join(folder, 'secret', 'x', '7.dcm'), 'not for the page');
  const tables = {
    root,
    train: [],
    series: [{ studyId: '1', seriesId: '2', description: 'Sagittal T2/STIR' }],
    coordinates: [],
  } as unknown as DatasetTables;
  const hostile: [string, string][] = [
    ['../..', 'secret/x'],
    ['..', '../../secret/x'],
    ['/etc', 'passwd'],
    ['1', '/etc/passwd'],
    ['1', '..'],
    ['1\u0000', '2'],
    ['1', '2/../../../../secret/x'],
  ];

  for (const [studyId, seriesId] of hostile) {
    it(`refuses study ${JSON.stringify(studyId)}, series ${JSON.stringify(seriesId)}`, async () => {
      await assert.rejects(seriesSlices(tables, studyId, seriesId), /dataset ids are numeric/);
      await assert.rejects(datasetSlice(tables, studyId, seriesId, 7), /dataset ids are numeric/);
    });
  }

  it('still lists a real series', async () => {
    writeFileSync(join(root, 'train_images', '1', '2', '3.dcm'), '');
    assert.deepEqual((await seriesSlices(tables, '1', '2')).instances, [3]);
  });

  it('looks a prediction row id up in predictions.csv and never uses it as a path', async () => {
    const row: PredictionRow = {
      rowId: '1_spinal_canal_stenosis_l1_l2',
      studyId: '1',
      level: 'L1/L2',
      trueLabel: 'Normal/Mild',
      predictedLabel: 'Normal/Mild',
      probabilities: [1, 0, 0],
    } as unknown as PredictionRow;
    const gallery = new RunGallery([row], null);
    for (const rowId of [
      '../../etc/passwd',
      '/etc/passwd',
      join(folder, 'secret', 'x', '7.dcm'),
      '1_spinal_canal_stenosis_l1_l2/../../x',
    ]) {
      await assert.rejects(gallery.slice(rowId), /is not in results\/predictions\.csv/);
    }
    // A page number far past the end is an empty page, not an error or a huge allocation.
    const page = await gallery.page({ ...FIRST_GALLERY_PAGE, page: Number.MAX_SAFE_INTEGER, sort: 'loss' });
    assert.deepEqual(page.items, []);
  });
});

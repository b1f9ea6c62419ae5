// The manifest's run and panel contributions checked against the code that serves them: every declared command
// has a handler, every menu names a declared command and a view that exists, view-item menus match the
// contextValues the Runs view really sets, and the DICOM custom editor is the one the panels register.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const root = path.join(__dirname, '../..');

interface MenuItem {
  command: string;
  when?: string;
  group?: string;
}
interface Manifest {
  contributes: {
    commands: Array<{ command: string; title: string; icon?: string }>;
    menus: Record<string, MenuItem[]>;
    viewsContainers: { activitybar: Array<{ id: string; title: string; icon: string }> };
    views: Record<string, Array<{ id: string; name: string }>>;
    viewsWelcome?: Array<{ view: string; contents: string }>;
    customEditors: Array<{ viewType: string; selector: Array<{ filenamePattern: string }>; priority?: string }>;
  };
}

const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as Manifest;
const declared = new Set(manifest.contributes.commands.map((c) => c.command));

function sources(folder: string): string {
  return readdirSync(path.join(root, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => readFileSync(path.join(e.parentPath, e.name), 'utf8'))
    .join('\n');
}
const extensionSource = sources('extension');

/** The regular expression of a `viewItem =~ /.../` clause, or the value of `viewItem == x`. */
function viewItemMatchers(when: string): Array<(value: string) => boolean> {
  const matchers: Array<(value: string) => boolean> = [];
  for (const m of when.matchAll(/viewItem =~ \/((?:[^/\\]|\\.)+)\//g)) {
    const pattern = new RegExp(m[1]!);
    matchers.push((value) => pattern.test(value));
  }
  for (const m of when.matchAll(/viewItem == ([\w.]+)/g)) matchers.push((value) => value === m[1]);
  return matchers;
}

// The contextValues the Runs view sets (runsTreeView.ts): one per run state, an unreadable run, two experiment kinds.
const RUN_CONTEXTS = ['running', 'completed', 'failed', 'cancelled', 'interrupted', 'unreadable'].map(
  (s) => `radlab.run.${s}`,
);
const ALL_CONTEXTS = [...RUN_CONTEXTS, 'radlab.experiment', 'radlab.experiment.withFile'];

describe('run and panel contributions', () => {
  it('registers a handler for every declared command', () => {
    for (const id of declared) {
      assert.match(
        extensionSource,
        new RegExp(`registerCommand\\(\\s*'${id.replace('.', '\\.')}'`),
        `${id} is declared but no handler is registered`,
      );
    }
  });

  it('names only declared commands in every menu', () => {
    for (const [menu, items] of Object.entries(manifest.contributes.menus)) {
      for (const item of items) assert.ok(declared.has(item.command), `${menu} names undeclared ${item.command}`);
    }
  });

  it('puts the Runs view in a RadLab activity-bar container, and the view id is the one the code creates', () => {
    const container = manifest.contributes.viewsContainers.activitybar.find((c) => c.id === 'radlab');
    assert.ok(container !== undefined && container.title === 'RadLab');
    assert.match(container.icon, /^\$\([\w-]+\)$/);
    assert.deepEqual(
      manifest.contributes.views.radlab?.map((v) => v.id),
      ['radlab.runs'],
    );
    assert.match(extensionSource, /RUNS_VIEW_ID = 'radlab\.runs'/);
    for (const welcome of manifest.contributes.viewsWelcome ?? []) {
      assert.equal(welcome.view, 'radlab.runs');
      for (const link of welcome.contents.matchAll(/\(command:([\w.]+)\)/g))
        assert.ok(declared.has(link[1]!), `welcome links to ${link[1]}`);
    }
  });

  it('offers view-item actions only on nodes the Runs view creates, and the right ones per run state', () => {
    const items = manifest.contributes.menus['view/item/context'] ?? [];
    const offered = (command: string, context: string) =>
      items.some(
        (item) =>
          item.command === command &&
          item.when?.includes('view == radlab.runs') &&
          viewItemMatchers(item.when).some((m) => m(context)),
      );
    for (const item of items) {
      assert.ok(item.when?.includes('view == radlab.runs'), `${item.command} is not limited to the Runs view`);
      assert.ok(
        ALL_CONTEXTS.some((c) => viewItemMatchers(item.when!).some((m) => m(c))),
        `${item.command}: ${item.when} matches no node`,
      );
    }
    for (const state of RUN_CONTEXTS)
      assert.match(extensionSource, /`radlab\.run\.\$\{run\.state\}`|radlab\.run\.unreadable/, state);
    assert.equal(offered('radlab.stopRun', 'radlab.run.running'), true);
    assert.equal(offered('radlab.stopRun', 'radlab.run.completed'), false);
    assert.equal(offered('radlab.resumeRun', 'radlab.run.cancelled'), true);
    assert.equal(offered('radlab.resumeRun', 'radlab.run.interrupted'), true);
    assert.equal(offered('radlab.resumeRun', 'radlab.run.completed'), false);
    assert.equal(offered('radlab.resumeRun', 'radlab.run.running'), false);
    assert.equal(offered('radlab.compareRuns', 'radlab.run.completed'), true);
    assert.equal(offered('radlab.openRunResults', 'radlab.run.unreadable'), false);
    for (const state of ['running', 'completed', 'failed', 'cancelled', 'interrupted']) {
      assert.equal(offered('radlab.openRunResults', `radlab.run.${state}`), true, state);
      assert.equal(offered('radlab.revealRunFolder', `radlab.run.${state}`), true, state);
    }
    assert.equal(offered('radlab.runExperiment', 'radlab.experiment.withFile'), true);
    assert.equal(offered('radlab.runExperiment', 'radlab.experiment'), false);
  });

  it('offers Run Experiment on experiment files in the editor title and the explorer', () => {
    const editorTitle = manifest.contributes.menus['editor/title'] ?? [];
    assert.ok(
      editorTitle.some(
        (i) => i.command === 'radlab.runExperiment' && i.when?.includes('resourceLangId == radlab-experiment'),
      ),
    );
    const explorer = manifest.contributes.menus['explorer/context'] ?? [];
    const run = explorer.find((i) => i.command === 'radlab.runExperiment');
    const pattern = /resourceFilename =~ \/((?:[^/\\]|\\.)+)\//.exec(run?.when ?? '');
    assert.ok(pattern, 'the explorer entry is limited by file name');
    const matches = new RegExp(pattern[1]!);
    for (const name of ['a.experiment.yaml', 'canal.experiment.yml']) assert.ok(matches.test(name), name);
    for (const name of ['a.yaml', 'experiment.yaml.bak', 'a.experiment.json']) assert.ok(!matches.test(name), name);
  });

  it('declares the DICOM custom editor the panels register, for *.dcm at default priority', () => {
    const editors = manifest.contributes.customEditors;
    assert.equal(editors.length, 1);
    assert.equal(editors[0]!.viewType, 'radlab.dicomViewer');
    assert.deepEqual(editors[0]!.selector, [{ filenamePattern: '*.dcm' }]);
    assert.equal(editors[0]!.priority, 'default');
    assert.match(sources('extension/panels'), /DICOM_VIEW_TYPE = 'radlab\.dicomViewer'/);
  });

  it('gives every command in a view title or inline slot an icon', () => {
    const iconless = [
      ...(manifest.contributes.menus['view/title'] ?? []),
      ...(manifest.contributes.menus['editor/title'] ?? []),
      ...(manifest.contributes.menus['view/item/context'] ?? []).filter((i) => i.group?.startsWith('inline')),
    ]
      .map((i) => i.command)
      .filter((id) => manifest.contributes.commands.find((c) => c.command === id)?.icon === undefined);
    assert.deepEqual(iconless, []);
  });
});

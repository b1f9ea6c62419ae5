// The Experiments table's model on run folders written by hand (test/helpers/tableRunFolders.ts), whose every score
// is chosen here: the columns read from them, mean ± std of a group worked out by hand, sorting with missing values
// last, filter expressions and their errors, "only columns that differ", annotations and a live run's new epoch,
// the CSV export against text written out by hand, and Compare Runs' selection.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ANNOTATIONS_FILE, readAnnotations, writeAnnotations } from '../../core/table/annotationsFile';
import { compileFilter } from '../../core/table/filterExpression';
import { runStyle } from '../../core/table/runStyle';
import { tableCsv } from '../../core/table/tableCsv';
import { DEFAULT_LAYOUT, tableColumns } from '../../core/table/tableColumns';
import type { Scalar, TableRun } from '../../core/table/tableRun';
import {
  initialTableState,
  selectRuns,
  tableView,
  type GroupRow,
  type GroupStat,
  type TableState,
  type TableView,
  type ViewRow,
} from '../../core/table/tableView';
import { EVENTS_SCHEMA, parseEvents } from '../../core/train/events';
import { followLive, readTableRun } from '../../extension/panels/experimentsTableRuns';
import { applyEvents } from '../../extension/panels/runFolderModel';
import { scanRuns } from '../../extension/runs/runFolders';
import { risingEpochs, writeRunByHand, type EpochScoresByHand } from '../helpers/tableRunFolders';

const epoch = (valF1: number): EpochScoresByHand => ({
  train: { loss: 1 - valF1, accuracy: valF1, macroF1: valF1 },
  val: { loss: 1.1 - valF1, accuracy: valF1, macroF1: valF1, weightedLogLoss: 1 - valF1 / 2 },
});
const scores = (macroF1: number, rsnaScore: number) => ({
  accuracy: macroF1 + 0.1,
  macroF1,
  weightedF1: macroF1,
  rsnaScore,
  conditionLoss: rsnaScore,
});

let root = '';
let runs: TableRun[] = [];
const dirs: Record<string, string> = {};

function state(overrides: Partial<TableState> = {}): TableState {
  return { ...initialTableState(DEFAULT_LAYOUT), ...overrides };
}

const runLabels = (rows: readonly ViewRow[]) => rows.filter((r) => r.kind === 'run').map((r) => basename(r.id));
/** A group row's cell in a column of the view, by the column's key. */
function groupCell(view: TableView, label: string, key: string): GroupStat | Scalar {
  const row = view.rows.find((r): r is GroupRow => r.kind === 'group' && r.label === label)!;
  return row.cells[view.columns.findIndex((c) => c.key === key)]!;
}

before(() => {
  root = mkdtempSync(join(tmpdir(), 'radlab-table-'));
  const alpha = join(root, 'runs', 'alpha');
  const beta = join(root, 'runs', 'beta');
  // Sweep 1 of alpha: three folds of resnet18; each tested its epoch 2 (val macro-F1 0.55 there, 0.5 after).
  [0.5, 0.6, 0.7].forEach((testF1, fold) => {
    dirs[`fold${fold}`] = writeRunByHand({
      experimentDir: alpha,
      runId: '20261201-100000',
      member: `resnet18-fold${fold}`,
      backbone: 'resnet18',
      status: 'completed',
      fold,
      epochs: [epoch(0.3), epoch(0.55), epoch(0.5)],
      bestEpoch: 2,
      test: scores(testF1, [0.9, 0.8, 0.7][fold]!),
    });
  });
  // Sweep 2 of alpha: resnet18 at a higher learning rate, and a convnext still training (events only).
  dirs.fast = writeRunByHand({
    experimentDir: alpha,
    runId: '20261201-110000',
    member: 'resnet18',
    backbone: 'resnet18',
    status: 'completed',
    params: { 'train.optimizer.lr': 0.001 },
    epochs: risingEpochs(2, 0.6),
    bestEpoch: 2,
    test: scores(0.65, 0.75),
  });
  dirs.training = writeRunByHand({
    experimentDir: alpha,
    runId: '20261201-110000',
    member: 'convnext_tiny',
    backbone: 'convnext_tiny',
    status: 'running',
    epochs: [epoch(0.4), epoch(0.45)],
    bestEpoch: 2,
    eventsOnly: true,
  });
  dirs.beta = writeRunByHand({
    experimentDir: beta,
    runId: '20261130-090000',
    member: 'resnet50',
    backbone: 'resnet50',
    status: 'completed',
    params: { 'train.batch_size': 16 },
    epochs: [epoch(0.35), epoch(0.3)],
    bestEpoch: 1,
    test: scores(0.4, 1.1),
  });
  const records = scanRuns([alpha, beta], () => 'gone').flatMap((group) => group.runs);
  runs = records.map((record) => readTableRun(record).run);
});

after(() => rmSync(root, { recursive: true, force: true }));

describe('a run folder as a table row', () => {
  it('takes the validation scores of the tested epoch, not the last one, and the test scores of metrics.json', () => {
    const fold0 = runs.find((run) => run.runDir === dirs.fold0)!;
    assert.equal(fold0.metrics.best_epoch, 2);
    assert.equal(fold0.metrics['val.macro_f1'], 0.55);
    assert.equal(fold0.metrics['test.macro_f1'], 0.5);
    assert.equal(fold0.metrics['test.rsna_score'], 0.9);
    assert.equal(fold0.fold, 0);
    assert.equal(fold0.params['train.optimizer.lr'], 0.0001);
    assert.equal(fold0.params['model.head.hidden'], '512, 256');
    assert.equal(fold0.params.experimentFile, undefined, 'bookkeeping of the run is not a parameter');
    assert.deepEqual(fold0.history.epochs, [1, 2, 3]);
    assert.deepEqual(fold0.history.series['val.macro_f1'], [0.3, 0.55, 0.5]);
  });

  it('reads a run without results from its events log, with no test scores', () => {
    const training = runs.find((run) => run.runDir === dirs.training)!;
    // run.json says running but names no trainer process: the Runs view calls it interrupted, and so does the table.
    assert.equal(training.status, 'interrupted');
    assert.deepEqual(training.history.series['val.macro_f1'], [0.4, 0.45]);
    assert.equal(training.metrics['val.macro_f1'], 0.45);
    assert.equal(training.metrics['test.macro_f1'], undefined);
  });

  it("follows a live run: an appended epoch-end becomes a new point and, when best, the row's validation score", () => {
    const record = scanRuns([join(root, 'runs', 'alpha')], () => 'gone')
      .flatMap((g) => g.runs)
      .find((r) => r.dir === dirs.training)!;
    const { run, events } = readTableRun(record);
    assert.ok(events !== null, 'a run without metrics.json keeps its events model');
    const line = {
      schema: EVENTS_SCHEMA,
      time: '2026-12-01T11:05:00.000Z',
      type: 'epoch-end',
      epoch: 3,
      train: epoch(0.5).train,
      val: epoch(0.52).val,
      lr: 0.0001,
      best: true,
    };
    appendFileSync(join(dirs.training!, 'events.jsonl'), `${JSON.stringify(line)}\n`);
    applyEvents(events, parseEvents(`${JSON.stringify(line)}\n`).events);
    const live = followLive(run, events);
    assert.deepEqual(live.history.epochs, [1, 2, 3]);
    assert.equal(live.metrics['val.macro_f1'], 0.52);
    assert.equal(live.metrics.best_epoch, 3);
  });
});

describe('grouping experiment → sweep → folds', () => {
  it('nests the folds of one backbone under their sweep, and a single run directly under its experiment', () => {
    const rows = tableView(runs, state()).rows;
    const shape = rows.map((row) => `${'  '.repeat(row.depth)}${row.kind === 'group' ? row.label : basename(row.id)}`);
    assert.deepEqual(shape, [
      'alpha',
      '  sweep 20261201-110000 · 2 runs',
      '    20261201-110000-convnext_tiny',
      '    20261201-110000-resnet18',
      '  sweep 20261201-100000 · 3 runs',
      '    resnet18 · spinal_canal_stenosis · 3 folds',
      '      20261201-100000-resnet18-fold0',
      '      20261201-100000-resnet18-fold1',
      '      20261201-100000-resnet18-fold2',
      'beta',
      '  20261130-090000-resnet50',
    ]);
  });

  it('shows mean ± sample std of the members that have a value', () => {
    const view = tableView(runs, state());
    const f1 = groupCell(view, 'resnet18 · spinal_canal_stenosis · 3 folds', 'test.macro_f1') as GroupStat;
    // 0.5, 0.6, 0.7: mean 0.6; squared deviations 0.01 + 0 + 0.01 over n − 1 = 2 → std 0.1.
    assert.equal(f1.n, 3);
    assert.ok(Math.abs(f1.mean - 0.6) < 1e-12 && Math.abs(f1.std! - 0.1) < 1e-12, JSON.stringify(f1));
    // The experiment: 0.5, 0.6, 0.7, 0.65 (the training run has none): mean 0.6125, std sqrt(0.021875 / 3).
    const alpha = groupCell(view, 'alpha', 'test.macro_f1') as GroupStat;
    assert.equal(alpha.n, 4);
    assert.ok(
      Math.abs(alpha.mean - 0.6125) < 1e-12 && Math.abs(alpha.std! - Math.sqrt(0.021875 / 3)) < 1e-12,
      JSON.stringify(alpha),
    );
    // A single member has no deviation.
    const beta = groupCell(view, 'beta', 'test.macro_f1') as GroupStat;
    assert.deepEqual(beta, { mean: 0.4, std: null, n: 1 });
  });

  it('shows a setting on a group row only when every member has the same', () => {
    const view = tableView(runs, state());
    assert.equal(groupCell(view, 'resnet18 · spinal_canal_stenosis · 3 folds', 'train.optimizer.lr'), 0.0001);
    assert.equal(groupCell(view, 'alpha', 'train.optimizer.lr'), null, 'alpha ran 0.0001 and 0.001');
    assert.equal(groupCell(view, 'alpha', 'model.backbone'), null);
    assert.equal(groupCell(view, 'sweep 20261201-100000 · 3 runs', 'model.backbone'), 'resnet18');
  });
});

describe('sorting', () => {
  it('orders groups by their mean and runs by their value, with a missing value last in both directions', () => {
    const descending = tableView(runs, state({ sort: { column: 'test.macro_f1', direction: 'descending' } })).rows;
    assert.deepEqual(runLabels(descending), [
      '20261201-110000-resnet18',
      '20261201-110000-convnext_tiny',
      '20261201-100000-resnet18-fold2',
      '20261201-100000-resnet18-fold1',
      '20261201-100000-resnet18-fold0',
      '20261130-090000-resnet50',
    ]);
    const ascending = tableView(runs, state({ sort: { column: 'test.macro_f1', direction: 'ascending' } })).rows;
    assert.deepEqual(runLabels(ascending), [
      '20261130-090000-resnet50',
      '20261201-100000-resnet18-fold0',
      '20261201-100000-resnet18-fold1',
      '20261201-100000-resnet18-fold2',
      '20261201-110000-resnet18',
      '20261201-110000-convnext_tiny',
    ]);
  });
});

describe('sorting text', () => {
  it('orders text naturally (run-10 after run-9) both ways', () => {
    const notes: Record<string, string> = { [dirs.fold0!]: 'run-10', [dirs.fold1!]: 'run-9', [dirs.fold2!]: 'run-2' };
    const noted = runs.map((run) => ({ ...run, note: notes[run.runDir] ?? run.note }));
    const order = (direction: 'ascending' | 'descending') =>
      runLabels(tableView(noted, state({ filter: 'fold >= 0', sort: { column: 'note', direction } })).rows);
    const [fold0, fold1, fold2] = ['fold0', 'fold1', 'fold2'].map((f) => `20261201-100000-resnet18-${f}`);
    assert.deepEqual(order('ascending'), [fold2, fold1, fold0]);
    assert.deepEqual(order('descending'), [fold0, fold1, fold2]);
  });
});

describe('filter expressions', () => {
  const matching = (filter: string) => {
    const view = tableView(runs, state({ filter }));
    assert.equal(view.filterError, null, `${filter}: ${view.filterError?.message}`);
    return runLabels(view.rows).sort();
  };

  it('compares numbers, text, and combines conditions with and, or, not and parentheses', () => {
    assert.deepEqual(matching('test.macro_f1 > 0.55'), [
      '20261201-100000-resnet18-fold1',
      '20261201-100000-resnet18-fold2',
      '20261201-110000-resnet18',
    ]);
    assert.deepEqual(matching('backbone = convnext_tiny'), ['20261201-110000-convnext_tiny']);
    assert.deepEqual(matching('backbone = resnet18 and test.macro_f1 < 0.62'), [
      '20261201-100000-resnet18-fold0',
      '20261201-100000-resnet18-fold1',
    ]);
    assert.deepEqual(matching('backbone = resnet50 or lr = 0.001'), [
      '20261130-090000-resnet50',
      '20261201-110000-resnet18',
    ]);
    assert.deepEqual(matching('not status = completed'), ['20261201-110000-convnext_tiny']);
    assert.deepEqual(matching('(fold = 1 OR fold = 2) and test.rsna_score < 0.75'), ['20261201-100000-resnet18-fold2']);
    assert.deepEqual(matching('backbone ~ "NEXT"'), ['20261201-110000-convnext_tiny']);
    assert.deepEqual(matching('train.optimizer.lr = 1e-4 and test.macro_f1 >= 0.7'), [
      '20261201-100000-resnet18-fold2',
    ]);
  });

  it('says what is wrong with a bad expression and where, and keeps every run in view', () => {
    const columns = tableColumns(runs);
    const error = (filter: string) => {
      const compiled = compileFilter(filter, columns);
      assert.ok(!compiled.ok, `${filter} should not compile`);
      return compiled.error;
    };
    assert.deepEqual(error('backbon = resnet18'), {
      message: 'no column is named "backbon" (did you mean "backbone"?)',
      at: 0,
    });
    assert.deepEqual(error('test.macro_f1 >'), { message: 'expected a value after ">", found the end', at: 15 });
    assert.deepEqual(error('(status = completed'), { message: 'the "(" at 0 is not closed', at: 19 });
    assert.deepEqual(error('seed = 1'), {
      message: '"seed" could be data.split.seed or train.seed: write the whole column name',
      at: 0,
    });
    assert.deepEqual(error('status completed'), {
      message: 'expected an operator (= != < <= > >= ~) after "status", found "completed"',
      at: 7,
    });
    assert.deepEqual(error('status = completed backbone = x'), {
      message: 'expected "and" or "or" before "backbone"',
      at: 19,
    });
    assert.deepEqual(error("note = 'open"), { message: 'the quote opened at 7 is not closed', at: 7 });
    const view = tableView(runs, state({ filter: 'backbon = resnet18' }));
    assert.equal(view.matched, runs.length);
  });
});

describe('columns', () => {
  it('shows only parameters that differ by default, and every one when asked', () => {
    const differing = tableView(runs, state()).columns.map((c) => c.key);
    for (const key of [
      'model.backbone',
      'train.optimizer.lr',
      'train.batch_size',
      'data.split.fold',
      'test.macro_f1',
      'val.macro_f1',
      'starred',
      'status',
    ]) {
      assert.ok(differing.includes(key), `${key} differs between the runs`);
    }
    for (const key of ['data.input.size', 'data.condition', 'engine', 'device'])
      assert.ok(!differing.includes(key), `${key} is the same in every run`);
    const every = tableView(runs, state({ layout: { ...DEFAULT_LAYOUT, onlyDiffering: false } })).columns.map(
      (c) => c.key,
    );
    assert.ok(every.includes('data.input.size') && every.includes('engine'));
  });

  it('puts the columns the layout orders first and leaves out hidden ones', () => {
    const layout = { order: ['test.macro_f1', 'model.backbone'], hidden: ['status'], onlyDiffering: true };
    const keys = tableView(runs, state({ layout })).columns.map((c) => c.key);
    assert.deepEqual(keys.slice(0, 2), ['test.macro_f1', 'model.backbone']);
    assert.ok(!keys.includes('status'));
  });
});

describe('plots', () => {
  it("draws the selected runs' chosen series by epoch, in their stable style", () => {
    const view = tableView(runs, state({ selected: [dirs.fold0!, dirs.beta!], curve: 'val.loss' }));
    assert.deepEqual(
      view.curves.map((c) => [basename(c.runDir), c.points.map((p) => [p.x, Number(p.y.toFixed(6))])]),
      [
        [
          '20261201-100000-resnet18-fold0',
          [
            [1, 0.8],
            [2, 0.55],
            [3, 0.6],
          ],
        ],
        [
          '20261130-090000-resnet50',
          [
            [1, 0.75],
            [2, 0.8],
          ],
        ],
      ],
    );
    assert.deepEqual(view.curves[0]!.style, runStyle('alpha/20261201-100000-resnet18-fold0'));
  });

  it("scatters a metric against a text parameter by category, and a sweep's varied settings as parallel axes", () => {
    const view = tableView(
      runs,
      state({ filter: 'status = completed', scatter: { x: 'model.backbone', y: 'test.macro_f1' } }),
    );
    assert.deepEqual(view.scatter.categories, ['resnet18', 'resnet50']);
    assert.deepEqual(view.scatter.points.map((p) => [basename(view.rows[p.row]!.id), p.x, p.y]).sort(), [
      ['20261130-090000-resnet50', 1, 0.4],
      ['20261201-100000-resnet18-fold0', 0, 0.5],
      ['20261201-100000-resnet18-fold1', 0, 0.6],
      ['20261201-100000-resnet18-fold2', 0, 0.7],
      ['20261201-110000-resnet18', 0, 0.65],
    ]);
    const axes = view.parallel.axes.map((a) => a.key);
    assert.ok(axes.includes('train.optimizer.lr') && axes.at(-1) === 'test.macro_f1', axes.join(', '));
    const lr = view.parallel.axes.find((a) => a.key === 'train.optimizer.lr')!;
    assert.deepEqual([lr.min, lr.max], [0.0001, 0.001]);
    const fast = view.parallel.lines.find((l) => view.rows[l.row]!.id === dirs.fast)!;
    // 0.65 on an axis from 0.4 to 0.7 sits at (0.65 − 0.4) / 0.3.
    assert.ok(Math.abs(fast.values.at(-1)! - 0.25 / 0.3) < 1e-12);
    assert.equal(fast.values[view.parallel.axes.indexOf(lr)], 1);
  });
});

describe('run styles', () => {
  it('derives a run\'s style from its key alone: FNV-1a("a") = 0xe40c292c, slot 52 of 72 → colour 4, dash 4', () => {
    assert.deepEqual(runStyle('a'), { colour: '#59a14f', dash: [4, 4] });
    assert.deepEqual(runStyle('alpha/x'), runStyle('alpha/x'));
  });

  it('spreads many runs over all twelve colours and several dash patterns', () => {
    const styles = Array.from({ length: 200 }, (_, i) =>
      runStyle(`exp/20261201-1000${String(i).padStart(2, '0')}-resnet18`),
    );
    assert.equal(new Set(styles.map((s) => s.colour)).size, 12);
    assert.ok(new Set(styles.map((s) => s.dash.join(','))).size >= 5);
  });
});

describe('annotations.json', () => {
  it('round-trips a star and a note, and names a file it cannot read', () => {
    writeAnnotations(dirs.beta!, { starred: true, note: 'baseline' });
    assert.deepEqual(JSON.parse(readFileSync(join(dirs.beta!, ANNOTATIONS_FILE), 'utf8')), {
      starred: true,
      note: 'baseline',
    });
    assert.deepEqual(readAnnotations(dirs.beta!), { annotations: { starred: true, note: 'baseline' }, problem: null });
    writeFileSync(join(dirs.fast!, ANNOTATIONS_FILE), '{"starred": "yes"}');
    const bad = readAnnotations(dirs.fast!);
    assert.deepEqual(bad.annotations, { starred: false, note: '' });
    assert.match(bad.problem!, /annotations\.json: expected \{"starred": true or false, "note": "text"\}/);
  });
});

describe('CSV export', () => {
  it('writes the filtered, sorted view: group rows with mean ± std as text, the shown columns in their order', () => {
    const note = 'lr from "the paper", halved\nthen kept';
    const noted = runs.map((run) => (run.runDir === dirs.fold2 ? { ...run, starred: true, note } : run));
    const shown = ['test.macro_f1', 'model.backbone', 'model.head.hidden', 'train.optimizer.lr', 'starred', 'note'];
    const hidden = tableColumns(noted)
      .map((column) => column.key)
      .filter((key) => !shown.includes(key));
    const view = tableView(
      noted,
      state({
        filter: 'experiment = alpha',
        sort: { column: 'test.macro_f1', direction: 'descending' },
        layout: { order: shown, hidden, onlyDiffering: false },
      }),
    );
    // By hand: the folds score 0.5, 0.6, 0.7 (mean 0.6, std 0.1); the fast run 0.65 alone (no std); the experiment
    // 0.6125 ± sqrt(0.021875 / 3) = 0.0853913..., written to six decimals. "512, 256" holds a comma and the note
    // quotes and a newline: each is quoted, its quotes doubled. The training run has no test score: an empty cell.
    const expected = [
      'row,level,test.macro_f1,model.backbone,model.head.hidden,train.optimizer.lr,starred,note,run_dir',
      'alpha,experiment,0.6125 ± 0.085391,,"512, 256",,,,',
      'sweep 20261201-110000 · 2 runs,sweep,0.65,,"512, 256",,,,',
      `20261201-110000-resnet18,run,0.65,resnet18,"512, 256",0.001,false,,${dirs.fast}`,
      `20261201-110000-convnext_tiny,run,,convnext_tiny,"512, 256",0.0001,false,,${dirs.training}`,
      'sweep 20261201-100000 · 3 runs,sweep,0.6 ± 0.1,resnet18,"512, 256",0.0001,,,',
      'resnet18 · spinal_canal_stenosis · 3 folds,folds,0.6 ± 0.1,resnet18,"512, 256",0.0001,,,',
      `20261201-100000-resnet18-fold2,run,0.7,resnet18,"512, 256",0.0001,true,"lr from ""the paper"", halved\nthen kept",${dirs.fold2}`,
      `20261201-100000-resnet18-fold1,run,0.6,resnet18,"512, 256",0.0001,false,,${dirs.fold1}`,
      `20261201-100000-resnet18-fold0,run,0.5,resnet18,"512, 256",0.0001,false,,${dirs.fold0}`,
      '',
    ].join('\n');
    assert.equal(tableCsv(view), expected);
  });
});

describe('Compare Runs', () => {
  it('selects exactly the chosen runs, keeps the other controls, and plots those runs', () => {
    const before = state({
      filter: 'test.macro_f1 > 0.55',
      sort: { column: 'test.macro_f1', direction: 'ascending' },
      selected: [dirs.fast!],
    });
    const chosen = selectRuns(before, [dirs.fold0!, dirs.beta!, dirs.fold0!]);
    assert.deepEqual(chosen, { ...before, selected: [dirs.fold0, dirs.beta] });
    const view = tableView(runs, chosen);
    assert.deepEqual(view.state.selected, [dirs.fold0, dirs.beta]);
    // Plotted even where the filter hides their rows: the curves are of the runs the user chose to compare.
    assert.deepEqual(
      view.curves.map((curve) => [curve.runDir, curve.points.map((p) => p.y)]),
      [
        [dirs.fold0, [0.3, 0.55, 0.5]],
        [dirs.beta, [0.35, 0.3]],
      ],
    );
  });
});

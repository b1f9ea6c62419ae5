// Real run folders (test/fixtures/ui/runs, made by make_runs.ts with `radlab run`) read into the run panel's model
// and the Experiments table's rows and CSV export. The truth is read from the folder's files by the test itself:
// scores worked out again from predictions.csv, epochs from the events log line by line, the trainer's own sweep
// summary.
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse as parseCsv } from 'csv-parse/sync';
import { tableCsv } from '../../core/table/tableCsv';
import { initialTableState, tableView } from '../../core/table/tableView';
import { readTableRun } from '../../extension/panels/experimentsTableRuns';
import { RunGallery } from '../../extension/panels/runGallery';
import { galleryRows, parseRowId, readRunFolder } from '../../extension/panels/runFolderModel';
import { scanRuns } from '../../extension/runs/runFolders';
import type { GalleryQuery, GradeName, PredictionRow } from '../../webview/contract';
import {
  assertClose,
  CANAL_DEMO,
  FIRST_GALLERY_PAGE,
  fixtureRuns,
  GRADE_ORDER,
  readJsonFile,
  readPredictionRows,
  scoresOf,
} from '../fixtures/ui/fixtureRuns';

const { completed, cancelled, failed, running } = fixtureRuns;
const everyRow = FIRST_GALLERY_PAGE;
const eventsOf = (dir: string) =>
  readFileSync(join(dir, 'events.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.endsWith('}'))
    .map((line) => JSON.parse(line) as Record<string, any>);

describe('completed run folder → run panel model', () => {
  const { model, predictions, data } = readRunFolder(completed);
  const runJson = readJsonFile(join(completed, 'run.json'));
  const rows = readPredictionRows(completed);
  const truth = scoresOf(rows);

  it('reads the run identity, state, counts and duration', () => {
    const s = model.summary;
    assert.deepEqual(
      {
        runId: s.runId,
        experiment: s.experiment,
        backbone: s.backbone,
        engine: s.engine,
        state: s.state,
        error: s.error,
      },
      {
        runId: basename(completed).slice(0, 15),
        experiment: 'canal-demo',
        backbone: 'resnet18',
        engine: 'wasm',
        state: 'completed',
        error: null,
      },
    );
    assert.equal(s.device, runJson.device.cpuModel);
    // 10 synthetic studies, 5 levels each, split by study; the test split is the predictions file.
    assert.equal(s.counts!.train + s.counts!.val + s.counts!.test, 50);
    assert.equal(s.counts!.test, rows.length);
    assert.equal(s.durationSeconds, runJson.timings.totalSeconds);
    assert.equal(s.condition, 'spinal_canal_stenosis');
    assert.equal(s.datasetRoot, join(__dirname, '../.tmp/ui-runs-dataset'));
    assert.deepEqual(model.problems, []);
  });

  it('builds the curves from the epoch-end events, the tested epoch marked best, and clears progress at the end', () => {
    const ends = eventsOf(completed).filter((e) => e.type === 'epoch-end');
    assert.deepEqual(
      model.history.map((p) => p.epoch),
      [1, 2],
    );
    assert.deepEqual(
      model.history.map((p) => p.val),
      ends.map((e) => e.val),
    );
    assert.deepEqual(
      model.history.map((p) => p.train),
      ends.map((e) => e.train),
    );
    const metrics = readJsonFile(join(completed, 'results/metrics.json'));
    assert.equal(model.bestEpoch, metrics.bestEpoch);
    assert.deepEqual(
      model.history.map((p) => p.best),
      [1, 2].map((epoch) => epoch === metrics.bestEpoch),
    );
    assert.equal(model.progress, null);
  });

  it("carries metrics.json, whose scores agree with the run's predictions", () => {
    const test = model.metrics!.test;
    assert.equal(test.samples, truth.samples);
    assertClose(test.accuracy, truth.accuracy, 'accuracy');
    assert.deepEqual(test.confusion.counts, truth.counts);
    test.perClass.forEach((row, k) => {
      for (const key of ['precision', 'recall', 'f1', 'support'] as const)
        assertClose(row[key], truth.perClass[k]![key], `${GRADE_ORDER[k]} ${key}`);
    });
    assertClose(test.macro.f1, truth.macroF1, 'macro F1');
    assertClose(test.weighted.f1, truth.weightedF1, 'weighted F1');
    for (const [level, summary] of Object.entries(test.perLevel!)) {
      assert.deepEqual(summary.confusion.counts, scoresOf(rows.filter((r) => r.level === level)).counts, level);
    }
    assert.deepEqual(Object.keys(test.perLevel!).sort(), [...new Set(rows.map((r) => r.level))].sort());
  });

  it('counts predictions and mistakes, and pages the gallery filtered to mistakes', () => {
    const wrong = rows.filter((r) => r.truth !== r.predicted);
    assert.deepEqual(model.predictions, {
      total: rows.length,
      mistakes: wrong.length,
      levels: [...new Set(rows.map((r) => r.level))].sort(),
    });
    assert.deepEqual(
      predictions.map((p) => p.rowId),
      rows.map((r) => r.rowId),
    );
    const first = galleryRows(predictions, { ...everyRow, mistakesOnly: true }, 3);
    assert.equal(first.total, wrong.length);
    assert.deepEqual(
      first.rows.map((r) => r.rowId),
      wrong.slice(0, 3).map((r) => r.rowId),
    );
    assert.equal(galleryRows(predictions, { ...everyRow, page: 1 }, 4).rows.length, Math.min(4, rows.length - 4));
    assert.equal(data?.condition, 'spinal_canal_stenosis');
    assert.deepEqual(data?.synthetic, { studies: 10, seed: 7 });
  });

  it('lists the predictions without images, saying once how to get the dataset back, when it is not on this machine', async () => {
    const gallery = new RunGallery(predictions, { ...data!, root: '/nonexistent/ui-runs-dataset' });
    const page = await gallery.page(everyRow, 4);
    assert.equal(page.total, rows.length);
    assert.deepEqual(
      page.items.map((item) => [item.rowId, item.crop, item.imageError]),
      rows.slice(0, 4).map((r) => [r.rowId, null, null]),
    );
    assert.match(
      page.imagesUnavailable ?? '',
      /dataset folder \/nonexistent\/ui-runs-dataset .* is not on this machine/,
    );
    assert.match(
      page.imagesUnavailable ?? '',
      /radlab synth --out "\/nonexistent\/ui-runs-dataset" --studies 10 --seed 7/,
    );
  });

  it('parses row ids into study and level', () => {
    assert.deepEqual(parseRowId('4646740_spinal_canal_stenosis_l5_s1'), { studyId: '4646740', level: 'L5/S1' });
    assert.deepEqual(parseRowId('12_left_neural_foraminal_narrowing_l1_l2'), { studyId: '12', level: 'L1/L2' });
    assert.equal(parseRowId('not-a-row'), null);
  });
});

describe('gallery order and filters', () => {
  const row = (id: string, level: string, truth: GradeName, predicted: GradeName, p: [number, number, number]) => ({
    rowId: id,
    studyId: id,
    level,
    trueLabel: truth,
    predictedLabel: predicted,
    probabilities: p,
  });
  // Confidence is p(predicted grade), loss -ln p(true grade), worked out by hand in the comments.
  const predictions: PredictionRow[] = [
    row('a', 'L1/L2', 'Normal/Mild', 'Normal/Mild', [0.6, 0.3, 0.1]), // confidence 0.6, loss 0.51
    row('b', 'L2/L3', 'Moderate', 'Severe', [0.1, 0.2, 0.7]), // confidence 0.7, loss 1.61
    row('c', 'L1/L2', 'Severe', 'Severe', [0.05, 0.05, 0.9]), // confidence 0.9, loss 0.11
    row('d', 'L2/L3', 'Moderate', 'Normal/Mild', [0.5, 0.45, 0.05]), // confidence 0.5, loss 0.80
    row('e', 'L1/L2', 'Normal/Mild', 'Moderate', [0.35, 0.4, 0.25]), // confidence 0.4, loss 1.05
  ];
  const ids = (query: Partial<GalleryQuery>, pageSize = 12) =>
    galleryRows(predictions, { ...everyRow, ...query }, pageSize).rows.map((r) => r.rowId);

  it('sorts by confidence and by loss, highest first, and pages the sorted rows', () => {
    assert.deepEqual(ids({ sort: 'confidence' }), ['c', 'b', 'a', 'd', 'e']);
    assert.deepEqual(ids({ sort: 'loss' }), ['b', 'e', 'd', 'a', 'c']);
    assert.deepEqual(ids({ sort: 'confidence', page: 1 }, 2), ['a', 'd']);
    assert.deepEqual(ids({}), ['a', 'b', 'c', 'd', 'e']);
  });

  it('filters by true grade, predicted grade, level and mistakes, together', () => {
    assert.deepEqual(ids({ trueGrade: 'Moderate' }), ['b', 'd']);
    assert.deepEqual(ids({ predictedGrade: 'Severe' }), ['b', 'c']);
    assert.deepEqual(ids({ level: 'L1/L2' }), ['a', 'c', 'e']);
    assert.deepEqual(ids({ mistakesOnly: true }), ['b', 'd', 'e']);
    assert.deepEqual(ids({ mistakesOnly: true, level: 'L2/L3', sort: 'loss' }), ['b', 'd']);
    assert.equal(
      galleryRows(predictions, { ...everyRow, trueGrade: 'Severe', predictedGrade: 'Moderate' }, 12).total,
      0,
    );
  });
});

describe('unfinished run folders → run panel model', () => {
  it('shows a live run: running, one epoch, the last batch as progress, the torn last line ignored', () => {
    const live = readRunFolder(running).model;
    const lastBatch = eventsOf(running)
      .filter((e) => e.type === 'batch')
      .at(-1)!;
    assert.equal(live.summary.state, 'running');
    assert.equal(live.summary.durationSeconds, null);
    assert.deepEqual(
      live.history.map((p) => p.epoch),
      [1],
    );
    assert.deepEqual(live.progress, {
      epoch: 2,
      epochs: 2,
      step: lastBatch.step,
      steps: lastBatch.steps,
      loss: lastBatch.loss,
      imagesPerSecond: lastBatch.imagesPerSecond,
      etaSeconds: lastBatch.etaSeconds,
    });
    assert.equal(live.metrics, null);
    assert.deepEqual(live.problems, []);
  });

  it('shows a cancelled run with the epoch it finished, and a failed run with its error', () => {
    const stopped = readRunFolder(cancelled).model;
    assert.equal(stopped.summary.state, 'cancelled');
    assert.deepEqual(
      stopped.history.map((p) => [p.epoch, p.best]),
      [[1, true]],
    );
    assert.equal(stopped.metrics, null);
    const broken = readRunFolder(failed).model;
    assert.equal(broken.summary.state, 'failed');
    assert.equal(broken.summary.error, readJsonFile(join(failed, 'run.json')).error);
    assert.deepEqual(broken.history, []);
  });
});

describe('unreadable run files become problems naming file, line or field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'radlab-run-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(completed, dir, { recursive: true });
  const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8').trim().split('\n').length;
  appendFileSync(join(dir, 'events.jsonl'), '{"schema":"radlab.events/1","time":"x","type":"epoch-end","epoch":4}\n');
  writeFileSync(
    join(dir, 'results', 'predictions.csv'),
    'row_id,true_label,predicted_label,prob_normal_mild,prob_moderate,prob_severe\n1_spinal_canal_stenosis_l1_l2,Normal/Mild,Sever,0.1,0.2,0.7\n',
  );
  const metrics = readJsonFile(join(dir, 'results/metrics.json'));
  metrics.test.perClass[1].recall = 'high';
  writeFileSync(join(dir, 'results/metrics.json'), JSON.stringify(metrics));

  it('reports the bad event line, the bad CSV row and the bad metrics field, and keeps the rest', () => {
    const { model } = readRunFolder(dir);
    assert.equal(model.problems.length, 3, model.problems.join('\n'));
    assert.match(model.problems[0]!, new RegExp(`events\\.jsonl line ${lines + 1}: epoch-end event lacks train`));
    assert.match(model.problems[1]!, /metrics\.json: test\.perClass\[1\]\.recall must be a number/);
    assert.match(model.problems[2]!, /predictions\.csv line 2: /);
    assert.deepEqual(
      model.history.map((p) => p.epoch),
      [1, 2],
    );
    assert.equal(model.metrics, null);
    assert.deepEqual(model.predictions, { total: 0, mistakes: 0, levels: [] });
  });
});

describe('run folders → Experiments table rows and their CSV', () => {
  // The fixture's running run names no live trainer: the Runs view, and so the table, calls it interrupted.
  const runs = scanRuns([CANAL_DEMO], () => 'gone')
    .flatMap((group) => group.runs)
    .map((record) => readTableRun(record).run);
  const runOf = (dir: string) => runs.find((run) => run.runDir === dir)!;

  it('takes each row from its run, the parameter count from the registry and the failure from run.json', () => {
    assert.deepEqual(
      [completed, cancelled, failed, running].map((dir) => [runOf(dir).label, runOf(dir).backbone, runOf(dir).status]),
      [
        [basename(completed), 'resnet18', 'completed'],
        [basename(cancelled), 'resnet18', 'cancelled'],
        [basename(failed), 'resnet50', 'failed'],
        [basename(running), 'resnet18', 'interrupted'],
      ],
    );
    // torchvision's resnet18 has 11,689,512 parameters with its 512x1000+1000 classifier, resnet50 25,557,032 with 2048x1000+1000.
    assert.equal(runOf(completed).paramCount, 11_689_512 - 513_000);
    assert.equal(runOf(failed).paramCount, 25_557_032 - 2_049_000);
    assert.equal(runOf(failed).error, readJsonFile(join(failed, 'run.json')).error);
    assert.equal(runOf(completed).error, null);
    assertClose(
      runOf(completed).metrics['test.accuracy'],
      scoresOf(readPredictionRows(completed)).accuracy,
      'test accuracy',
    );
    assert.equal(runOf(cancelled).metrics['test.accuracy'], undefined);
    assert.ok(runOf(cancelled).history.epochs.length > 0, "a stopped run's curves come from its events");
  });

  it("exports the sweep's runs as the trainer's own sweep summary has them, cell for cell", () => {
    const summary = parseCsv(readFileSync(join(CANAL_DEMO, 'model_performance_summary.csv'), 'utf8'), {
      columns: true,
    }) as Record<string, string>[];
    const view = tableView(runs, {
      ...initialTableState({ order: [], hidden: [], onlyDiffering: false }),
      filter: `run_id = ${summary[0]!.run_id}`,
      sort: { column: 'model.backbone', direction: 'ascending' },
    });
    const exported = (parseCsv(tableCsv(view), { columns: true }) as Record<string, string>[]).filter(
      (row) => row.level === 'run',
    );
    assert.equal(exported.length, 2);
    // The summary's columns and the table's names for them.
    const asSummary = (row: Record<string, string>) => ({
      backbone: row['model.backbone'],
      run_id: row.run_id,
      status: row.status,
      params: row.param_count,
      best_epoch: row.best_epoch,
      best_val_macro_f1: row['val.macro_f1'],
      test_accuracy: row['test.accuracy'],
      test_macro_f1: row['test.macro_f1'],
      test_weighted_f1: row['test.weighted_f1'],
      test_weighted_log_loss: row['test.rsna_score'],
      duration_s: row.duration_s,
      run_dir: row.run_dir,
      error: row.error,
    });
    // run_dir and the error's file path are relative to different folders in the fixture, and the summary gives
    // parameters only for completed runs (the table shows them for every run); every other cell matches.
    const comparable = (row: Record<string, string | undefined>) => ({
      ...row,
      run_dir: basename(row.run_dir!),
      error: row.error!.replace(/^\S*weights\//, ''),
      params: row.status === 'completed' ? row.params : '',
    });
    assert.deepEqual(exported.map(asSummary).map(comparable), summary.map(comparable));
  });
});

// A run folder read into the run panel's model, against values worked out by hand from the fixture's files
// (test/fixtures/ui/runs, written by test/fixtures/ui/make_runs.py with its own Python metrics).
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readCompareModel } from '../../extension/panels/compareModel';
import { galleryRows, parseRowId, readRunFolder } from '../../extension/panels/runFolderModel';

const runs = join(__dirname, '../fixtures/ui/runs/canal-demo');
const completed = join(runs, '20260105-101500-resnet18');
const cancelled = join(runs, '20260106-090000-convnext_tiny');
const failed = join(runs, '20260106-100000-vit_b_16');
const running = join(runs, '20260106-110000-resnet18');

const close = (actual: number | null | undefined, expected: number) => assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 1e-9, `${actual} ≈ ${expected}`);

describe('run folder → run panel model', () => {
  const { model, predictions, data } = readRunFolder(completed);

  it('reads the run identity, state, counts and duration (10:15:00 → 10:21:00 = 360 s)', () => {
    const s = model.summary;
    assert.deepEqual(
      { runId: s.runId, experiment: s.experiment, backbone: s.backbone, engine: s.engine, device: s.device, state: s.state, error: s.error },
      { runId: '20260105-101500', experiment: 'canal-demo', backbone: 'resnet18', engine: 'wasm', device: 'cpu (2 threads)', state: 'completed', error: null },
    );
    assert.deepEqual(s.counts, { train: 60, val: 5, test: 15 });
    assert.equal(s.durationSeconds, 360);
    assert.equal(s.condition, 'spinal_canal_stenosis');
    assert.equal(s.datasetRoot, '/workspace/data/synthetic-lsdc');
    assert.deepEqual(model.problems, []);
  });

  it('builds the curves from the epoch-end events, best epoch marked, and clears progress at the end', () => {
    assert.deepEqual(model.history.map((p) => p.epoch), [1, 2, 3]);
    assert.deepEqual(model.history.map((p) => p.val.macroF1), [0.19, 0.778, 0.556]);
    assert.deepEqual(model.history.map((p) => p.train.loss), [0.981, 0.744, 0.602]);
    assert.deepEqual(model.history.map((p) => p.best), [false, true, false]);
    assert.equal(model.bestEpoch, 2);
    assert.equal(model.progress, null);
  });

  it('shows the test metrics of the 15 hand-written predictions (11 right)', () => {
    const test = model.test!;
    close(test.accuracy, 11 / 15);
    // Rows: true Normal/Mild (8), Moderate (4), Severe (3), counted from predictions.csv.
    assert.deepEqual(test.confusion.counts, [[7, 1, 0], [1, 2, 1], [0, 1, 2]]);
    test.confusion.normalised.forEach((row, t) => row.forEach((v, p) => close(v, [[7 / 8, 1 / 8, 0], [1 / 4, 2 / 4, 1 / 4], [0, 1 / 3, 2 / 3]][t]![p]!)));
    assert.deepEqual(test.perClass.map((c) => [c.grade, c.support]), [['Normal/Mild', 8], ['Moderate', 4], ['Severe', 3]]);
    close(test.perClass[0]!.precision, 7 / 8);
    close(test.perClass[1]!.f1, 0.5);
    close(test.macroF1, (7 / 8 + 1 / 2 + 2 / 3) / 3);
    assert.deepEqual(Object.keys(test.perLevel), ['L1/L2', 'L2/L3', 'L3/L4', 'L4/L5', 'L5/S1']);
    // L2/L3: 4003253 NM→NM, 4646740 Moderate→NM, 7143189 NM→Moderate.
    assert.deepEqual(test.perLevel['L2/L3']!.counts, [[1, 1, 0], [1, 0, 0], [0, 0, 0]]);
    assert.deepEqual(test.roc.map((c) => c.grade), ['Normal/Mild', 'Moderate', 'Severe']);
    for (const curve of test.roc) {
      assert.deepEqual(curve.points[0], [0, 0]);
      assert.deepEqual(curve.points.at(-1), [1, 1]);
    }
    assert.ok(model.val !== null);
  });

  it('counts predictions and mistakes, and pages the gallery filtered to mistakes', () => {
    assert.deepEqual(model.predictions, { total: 15, mistakes: 4 });
    assert.equal(predictions[6]!.rowId, '4646740_spinal_canal_stenosis_l2_l3');
    assert.deepEqual(predictions[6]!.probabilities, [0.61, 0.3, 0.09]);
    const first = galleryRows(predictions, 0, 3, true);
    assert.equal(first.total, 4);
    assert.deepEqual(first.rows.map((r) => `${r.studyId} ${r.level} ${r.trueLabel}→${r.predictedLabel}`), [
      '4646740 L2/L3 Moderate→Normal/Mild',
      '4646740 L4/L5 Severe→Moderate',
      '7143189 L2/L3 Normal/Mild→Moderate',
    ]);
    assert.deepEqual(galleryRows(predictions, 1, 3, true).rows.map((r) => r.rowId), ['7143189_spinal_canal_stenosis_l4_l5']);
    assert.equal(galleryRows(predictions, 1, 10, false).rows.length, 5);
    assert.equal(data?.condition, 'spinal_canal_stenosis');
  });

  it('parses row ids into study and level', () => {
    assert.deepEqual(parseRowId('4646740_spinal_canal_stenosis_l5_s1'), { studyId: '4646740', level: 'L5/S1' });
    assert.deepEqual(parseRowId('12_left_neural_foraminal_narrowing_l1_l2'), { studyId: '12', level: 'L1/L2' });
    assert.equal(parseRowId('not-a-row'), null);
  });

  it('shows a live run: running, one epoch, the last batch as progress, the torn last line ignored', () => {
    const live = readRunFolder(running).model;
    assert.equal(live.summary.state, 'running');
    assert.equal(live.summary.durationSeconds, null);
    assert.deepEqual(live.history.map((p) => p.epoch), [1]);
    assert.deepEqual(live.progress, { epoch: 1, epochs: 3, step: 2, steps: 2, loss: 0.981, imagesPerSecond: 6.5, etaSeconds: 220 });
    assert.equal(live.test, null);
    assert.deepEqual(live.problems, []);
  });

  it('shows a failed run with its error', () => {
    const broken = readRunFolder(failed).model;
    assert.equal(broken.summary.state, 'failed');
    assert.equal(broken.summary.error, 'out of memory while allocating a 768x3072 tensor');
  });
});

describe('unreadable run files become problems naming file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'radlab-run-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(completed, dir, { recursive: true });
  appendFileSync(join(dir, 'events.jsonl'), '{"schema":"radlab.events/1","time":"x","type":"epoch-end","epoch":4}\n');
  writeFileSync(join(dir, 'results', 'predictions.csv'), 'row_id,true_label,predicted_label,prob_normal_mild,prob_moderate,prob_severe\n1_spinal_canal_stenosis_l1_l2,Normal/Mild,Sever,0.1,0.2,0.7\n');

  it('reports the bad event line and the bad CSV row, and keeps the rest', () => {
    const { model } = readRunFolder(dir);
    assert.equal(model.problems.length, 2, model.problems.join('\n'));
    assert.match(model.problems[0]!, /events\.jsonl line 18: epoch-end event lacks train/);
    assert.match(model.problems[1]!, /predictions\.csv line 2: /);
    assert.deepEqual(model.history.map((p) => p.epoch), [1, 2, 3]);
    assert.deepEqual(model.predictions, { total: 0, mistakes: 0 });
  });
});

describe('run folders → compare panel model', () => {
  const model = readCompareModel([completed, cancelled, failed, running]);

  it('takes each row from its run and the parameter count from the registry', () => {
    assert.deepEqual(model.rows.map((r) => [r.label, r.backbone, r.state]), [
      ['20260105-101500-resnet18', 'resnet18', 'completed'],
      ['20260106-090000-convnext_tiny', 'convnext_tiny', 'cancelled'],
      ['20260106-100000-vit_b_16', 'vit_b_16', 'failed'],
      ['20260106-110000-resnet18', 'resnet18', 'running'],
    ]);
    // torchvision resnet18 has 11,689,512 parameters with its 512x1000+1000 classifier; vit_b_16 86,567,656 with 768x1000+1000.
    assert.equal(model.rows[0]!.parameters, 11_689_512 - 513_000);
    assert.equal(model.rows[2]!.parameters, 86_567_656 - 769_000);
    assert.deepEqual(model.rows.map((r) => r.bestValF1), [0.778, 0.778, 0.19, 0.19]);
    assert.deepEqual(model.rows.map((r) => r.durationSeconds), [360, 420, 420, null]);
    close(model.rows[0]!.testAccuracy, 11 / 15);
    assert.equal(model.rows[1]!.testAccuracy, null);
    assert.equal(model.curves.length, 4);
  });
});

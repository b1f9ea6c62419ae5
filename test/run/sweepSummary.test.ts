// The sweep-level files: model_performance_summary.csv with its cross-validation mean and std rows, and
// competition_score.csv scored from the five condition runs' predictions.csv files (hand-computed values).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { Condition } from '../../core/data/lsdcVocabulary';
import { predictionsCsv } from '../../core/metrics/predictionsCsv';
import { COMPETITION_FILE, writeCompetitionScores } from '../../core/run/competitionScores';
import { sweepSummaryCsv, type SweepMember } from '../../core/run/sweepSummary';

const rows = (csv: string) => parse(csv, { columns: true }) as Record<string, string>[];

describe('model_performance_summary.csv', () => {
  const member = (condition: string, fold: number | null, testAccuracy: number, status = 'completed'): SweepMember => ({
    backbone: 'resnet18',
    condition,
    fold,
    runId: '20261201-220000',
    runDir: `/runs/x/20261201-220000-resnet18-fold${fold}`,
    status,
    ...(status === 'completed' ? { testAccuracy, testWeightedLogLoss: 1 - testAccuracy } : {}),
  });

  it('keeps the plain columns when the sweep varies neither condition nor fold', () => {
    const csv = sweepSummaryCsv([
      member('spinal_canal_stenosis', null, 0.5),
      member('spinal_canal_stenosis', null, 0.7),
    ]);
    assert.equal(
      csv.split('\n')[0],
      'backbone,run_id,status,params,best_epoch,best_val_macro_f1,test_accuracy,test_macro_f1,test_weighted_f1,test_weighted_log_loss,duration_s,run_dir,error',
    );
  });

  it('gives mean and sample standard deviation over the completed folds', () => {
    // Folds 0-2 completed with test accuracy 0.6, 0.7, 0.8: mean 0.7, std sqrt((0.01 + 0 + 0.01) / 2) = 0.1.
    // Fold 3 failed and counts in neither.
    const summary = rows(
      sweepSummaryCsv([
        member('spinal_canal_stenosis', 0, 0.6),
        member('spinal_canal_stenosis', 1, 0.7),
        member('spinal_canal_stenosis', 2, 0.8),
        member('spinal_canal_stenosis', 3, 0, 'failed'),
      ]),
    );
    assert.deepEqual(
      summary.map((row) => [row.fold, row.status, row.test_accuracy, row.test_weighted_log_loss]),
      [
        ['0', 'completed', '0.6', '0.4'],
        ['1', 'completed', '0.7', '0.3'],
        ['2', 'completed', '0.8', '0.2'],
        ['3', 'failed', '', ''],
        ['mean', 'mean of 3 completed folds', '0.7', '0.3'],
        ['std', 'std of 3 completed folds', '0.1', '0.1'],
      ],
    );
    assert.equal(summary[0]!.condition, undefined, 'one condition: no condition column');
  });
});

describe('competition_score.csv', () => {
  const folder = mkdtempSync(join(tmpdir(), 'radlab-competition-'));
  after(() => rmSync(folder, { recursive: true, force: true }));

  // The hand-computed case of test/metrics/rsnaLogLoss.test.ts, written as five runs' predictions.csv:
  // spinal canal 0.592988, foraminal 0.414932, subarticular ln 2, any_severe_spinal 0.497218, score 0.549571.
  const predictions: Record<
    Condition,
    { studyId: string; level: string; trueLabel: number; probabilities: number[] }[]
  > = {
    spinal_canal_stenosis: [
      { studyId: '11', level: 'L1/L2', trueLabel: 0, probabilities: [0.7, 0.2, 0.1] },
      { studyId: '11', level: 'L2/L3', trueLabel: 2, probabilities: [0.2, 0.3, 0.5] },
      { studyId: '22', level: 'L1/L2', trueLabel: 1, probabilities: [0.3, 0.6, 0.1] },
    ],
    left_neural_foraminal_narrowing: [{ studyId: '11', level: 'L1/L2', trueLabel: 1, probabilities: [0.3, 0.6, 0.1] }],
    right_neural_foraminal_narrowing: [{ studyId: '11', level: 'L1/L2', trueLabel: 0, probabilities: [0.8, 0.1, 0.1] }],
    left_subarticular_stenosis: [{ studyId: '11', level: 'L1/L2', trueLabel: 2, probabilities: [0.25, 0.25, 0.5] }],
    right_subarticular_stenosis: [{ studyId: '22', level: 'L1/L2', trueLabel: 0, probabilities: [0.5, 0.25, 0.25] }],
  };
  const members = (Object.keys(predictions) as Condition[]).map((condition): SweepMember => {
    const runDir = join(folder, `20261201-220000-resnet18-${condition}`);
    mkdirSync(join(runDir, 'results'), { recursive: true });
    writeFileSync(join(runDir, 'results', 'predictions.csv'), predictionsCsv(condition, predictions[condition]));
    return { backbone: 'resnet18', condition, fold: null, runId: '20261201-220000', runDir, status: 'completed' };
  });

  it('scores the five condition runs together as the competition does', () => {
    const path = writeCompetitionScores(folder, members);
    assert.equal(path, join(folder, COMPETITION_FILE));
    const [row] = rows(readFileSync(path!, 'utf8'));
    assert.deepEqual(Object.keys(row!), [
      'backbone',
      'score',
      'spinal_canal',
      'neural_foraminal',
      'subarticular',
      'any_severe_spinal',
      'studies',
      'samples',
    ]);
    assert.equal(row!.backbone, 'resnet18');
    const near = (value: string, expected: number) =>
      assert.ok(Math.abs(Number(value) - expected) < 1e-6, `${value} vs ${expected}`);
    near(row!.score!, 0.549571);
    near(row!.spinal_canal!, 0.592988);
    near(row!.neural_foraminal!, 0.414932);
    near(row!.subarticular!, Math.LN2);
    near(row!.any_severe_spinal!, 0.497218);
    assert.equal(row!.studies, '2');
    assert.equal(row!.samples, '7');
  });

  it('writes nothing while a condition is missing or failed', () => {
    assert.equal(writeCompetitionScores(folder, members.slice(0, 4)), undefined);
    assert.equal(
      writeCompetitionScores(folder, [...members.slice(0, 4), { ...members[4]!, status: 'failed' }]),
      undefined,
    );
  });

  it('names the file and line of a damaged predictions.csv', () => {
    const broken = join(folder, 'broken');
    mkdirSync(join(broken, 'results'), { recursive: true });
    writeFileSync(
      join(broken, 'results', 'predictions.csv'),
      'row_id,true_label,predicted_label,prob_normal_mild,prob_moderate,prob_severe\n22_spinal_canal_stenosis_l1_l2,Mild,Normal/Mild,1,0,0\n',
    );
    assert.throws(
      () => writeCompetitionScores(folder, [{ ...members[0]!, runDir: broken }, ...members.slice(1)]),
      /broken\/results\/predictions\.csv line 2: expected a spinal_canal_stenosis row/,
    );
  });
});

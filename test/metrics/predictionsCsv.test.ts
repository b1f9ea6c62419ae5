import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse } from 'csv-parse/sync';
import { classificationReport } from '../../core/metrics/classification';
import { predictionsCsv, rowId, submissionCsv, writeResultCsvs } from '../../core/metrics/predictionsCsv';
import type { GradedSample } from '../../core/metrics/rsnaLogLoss';

const samples: GradedSample[] = [
  { studyId: '4003253', level: 'L1/L2', trueLabel: 0, probabilities: [0.7, 0.2, 0.1] },
  { studyId: '4003253', level: 'L5/S1', trueLabel: 2, probabilities: [0.25, 0.3, 0.45] },
  { studyId: '4646740', level: 'L4/L5', trueLabel: 1, probabilities: [0.5, 0.125, 0.375] },
];

const folder = mkdtempSync(join(tmpdir(), 'radlab-csv-'));
after(() => rmSync(folder, { recursive: true, force: true }));

describe('result CSVs', () => {
  it("builds the competition's row ids", () => {
    assert.equal(rowId('4003253', 'spinal_canal_stenosis', 'L1/L2'), '4003253_spinal_canal_stenosis_l1_l2');
    assert.equal(rowId('7', 'left_neural_foraminal_narrowing', 'L5/S1'), '7_left_neural_foraminal_narrowing_l5_s1');
    assert.throws(() => rowId('7', 'spinal_canal_stenosis', 'L6/L7'), /level "L6\/L7" of study 7 is not one of/);
  });

  it('writes predictions.csv with the original columns and labels', () => {
    const records = parse(predictionsCsv('spinal_canal_stenosis', samples), { columns: true });
    assert.deepEqual(records[1], {
      row_id: '4003253_spinal_canal_stenosis_l5_s1',
      true_label: 'Severe',
      predicted_label: 'Severe',
      prob_normal_mild: '0.25',
      prob_moderate: '0.3',
      prob_severe: '0.45',
    });
    assert.equal(records[2].predicted_label, 'Normal/Mild');
    assert.equal(records[2].true_label, 'Moderate');
  });

  it("writes submission.csv in the competition's format", () => {
    const text = submissionCsv('spinal_canal_stenosis', samples);
    assert.equal(text.split('\n')[0], 'row_id,normal_mild,moderate,severe');
    assert.equal(text.split('\n')[3], '4646740_spinal_canal_stenosis_l4_l5,0.5,0.125,0.375');
  });

  it('writes the four files, confusion matrices with grade labels', () => {
    const report = classificationReport(
      samples.map((s) => s.trueLabel),
      samples.map((s) => s.probabilities),
    );
    const paths = writeResultCsvs(join(folder, 'results'), 'spinal_canal_stenosis', samples, report.confusion);
    const counts = parse(readFileSync(paths.confusionCounts, 'utf8'), { columns: true });
    // truth [0, 2, 1], predicted [0, 2, 0]: Moderate row has its sample under Normal/Mild.
    assert.deepEqual(counts[1], {
      true_label: 'Moderate',
      'predicted_Normal/Mild': '1',
      predicted_Moderate: '0',
      predicted_Severe: '0',
    });
    const normalised = parse(readFileSync(paths.confusionNormalised, 'utf8'), { columns: true });
    assert.equal(normalised[0]['predicted_Normal/Mild'], '1');
    assert.equal(readFileSync(paths.predictions, 'utf8'), predictionsCsv('spinal_canal_stenosis', samples));
  });
});

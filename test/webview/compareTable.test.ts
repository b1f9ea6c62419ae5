// The compare table's sort order and CSV export, against orders and text written out by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCsv, sortCompareRows } from '../../webview/compareTable';
import type { CompareRow } from '../../webview/contract';

function row(label: string, values: Partial<CompareRow>): CompareRow {
  return {
    runDir: `/runs/${label}`,
    label,
    backbone: 'resnet18',
    parameters: null,
    bestValF1: null,
    testAccuracy: null,
    testMacroF1: null,
    weightedLogLoss: null,
    durationSeconds: null,
    state: 'completed',
    ...values,
  };
}

const rows = [
  row('run-9', { backbone: 'vit_b_16', testMacroF1: 0.5, durationSeconds: 100 }),
  row('run-10', { backbone: 'convnext_tiny', testMacroF1: null, durationSeconds: 50 }),
  row('run-2', { backbone: 'resnet18', testMacroF1: 0.7, durationSeconds: 100 }),
  row('run-1', { backbone: 'efficientnet_v2_s', testMacroF1: 0.5, durationSeconds: null }),
];
const labels = (list: CompareRow[]) => list.map((r) => r.label);

describe('compare table sorting', () => {
  it('orders numbers both ways with runs lacking a value last', () => {
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'testMacroF1', direction: 'descending' })), ['run-2', 'run-9', 'run-1', 'run-10']);
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'testMacroF1', direction: 'ascending' })), ['run-9', 'run-1', 'run-2', 'run-10']);
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'durationSeconds', direction: 'ascending' })), ['run-10', 'run-9', 'run-2', 'run-1']);
  });

  it('orders text naturally (run-10 after run-9)', () => {
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'label', direction: 'ascending' })), ['run-1', 'run-2', 'run-9', 'run-10']);
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'backbone', direction: 'descending' })), ['run-9', 'run-2', 'run-1', 'run-10']);
  });

  it('leaves the input untouched', () => {
    sortCompareRows(rows, { column: 'label', direction: 'descending' });
    assert.deepEqual(labels(rows), ['run-9', 'run-10', 'run-2', 'run-1']);
  });
});

describe('compare CSV export', () => {
  it('writes a titled header, full-precision numbers, empty cells for missing values and quotes commas', () => {
    const csv = compareCsv([
      row('sweep, first', { backbone: 'resnet18', parameters: 11176512, bestValF1: 0.778, testAccuracy: 11 / 15, testMacroF1: 0.6805555555555555, weightedLogLoss: 0.6125, durationSeconds: 360 }),
      row('say "hi"', { backbone: 'vit_b_16' }),
    ]);
    assert.equal(
      csv,
      'Run,Backbone,Parameters,Best val macro-F1,Test accuracy,Test macro-F1,Weighted log loss,Duration (s)\n' +
        '"sweep, first",resnet18,11176512,0.778,0.7333333333333333,0.6805555555555555,0.6125,360\n' +
        '"say ""hi""",vit_b_16,,,,,,\n',
    );
  });
});

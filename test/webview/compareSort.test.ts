// The compare table's sort order, against orders written out by hand. (Its CSV export is the sweep summary's
// writer, core/run/sweepSummary.ts; runFolderModel.test.ts checks it against a summary the trainer wrote.)
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPARE_HEADERS, sortCompareRows } from '../../webview/contract';
import { COMPARE_COLUMNS, type CompareRow } from '../../webview/contract';

function row(label: string, values: Partial<CompareRow>): CompareRow {
  return { runDir: `/runs/${label}`, runId: label, label, backbone: 'resnet18', status: 'completed', ...values };
}

const rows = [
  row('run-9', { backbone: 'vit_b_16', testMacroF1: 0.5, durationSeconds: 100 }),
  row('run-10', { backbone: 'convnext_tiny', durationSeconds: 50 }),
  row('run-2', { backbone: 'resnet18', testMacroF1: 0.7, durationSeconds: 100 }),
  row('run-1', { backbone: 'efficientnet_v2_s', testMacroF1: 0.5 }),
];
const labels = (list: CompareRow[]) => list.map((r) => r.label);

describe('compare table sorting', () => {
  it('orders numbers both ways with runs lacking a value last', () => {
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'testMacroF1', direction: 'descending' })), [
      'run-2',
      'run-9',
      'run-1',
      'run-10',
    ]);
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'testMacroF1', direction: 'ascending' })), [
      'run-9',
      'run-1',
      'run-2',
      'run-10',
    ]);
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'durationSeconds', direction: 'ascending' })), [
      'run-10',
      'run-9',
      'run-2',
      'run-1',
    ]);
  });

  it('orders text naturally (run-10 after run-9)', () => {
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'label', direction: 'ascending' })), [
      'run-1',
      'run-2',
      'run-9',
      'run-10',
    ]);
    assert.deepEqual(labels(sortCompareRows(rows, { column: 'backbone', direction: 'descending' })), [
      'run-9',
      'run-2',
      'run-1',
      'run-10',
    ]);
  });

  it('leaves the input untouched', () => {
    sortCompareRows(rows, { column: 'label', direction: 'descending' });
    assert.deepEqual(labels(rows), ['run-9', 'run-10', 'run-2', 'run-1']);
  });

  it('titles every column', () => {
    assert.deepEqual(Object.keys(COMPARE_HEADERS).sort(), [...COMPARE_COLUMNS].sort());
  });
});

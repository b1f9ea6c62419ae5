// The Experiments table's page messages are checked field by field before the host acts on them (it stores the
// layout and writes annotations.json into the folder a message names): each malformed shape is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FromWebview, ToWebview } from '../../webview/contract';
import { FromTablePage, isTableHostMessage, isTablePageMessage } from '../../webview/experimentsContract';

const state = {
  filter: 'test.macro_f1 > 0.6',
  sort: { column: 'test.macro_f1', direction: 'descending' },
  layout: { order: ['model.backbone'], hidden: ['run'], onlyDiffering: true },
  selected: ['/runs/a/20261201-100000-resnet18'],
  curve: 'val.loss',
  scatter: { x: 'model.backbone', y: 'test.macro_f1' },
};

describe('Experiments table page messages', () => {
  it('accepts the handshake, a full state, an annotation, an open request and an export request', () => {
    for (const message of [
      { type: FromWebview.Ready },
      { type: FromWebview.Failed, message: 'boom' },
      { type: FromTablePage.State, state },
      { type: FromTablePage.State, state: { ...state, sort: null } },
      { type: FromTablePage.Annotate, runDir: '/runs/a/x', starred: true },
      { type: FromTablePage.Annotate, runDir: '/runs/a/x', note: 'baseline' },
      { type: FromTablePage.OpenRun, runDir: '/runs/a/x' },
      { type: FromTablePage.ExportCsv },
    ]) {
      assert.ok(isTablePageMessage(message), JSON.stringify(message));
    }
  });

  it('refuses a state with a field of the wrong shape, an empty annotation and unknown types', () => {
    for (const message of [
      { type: FromTablePage.State, state: { ...state, sort: { column: 'x', direction: 'up' } } },
      { type: FromTablePage.State, state: { ...state, layout: { ...state.layout, hidden: [1] } } },
      { type: FromTablePage.State, state: { ...state, layout: { order: [], hidden: [] } } },
      { type: FromTablePage.State, state: { ...state, selected: '/runs/a' } },
      { type: FromTablePage.State, state: { ...state, scatter: { x: 'a' } } },
      { type: FromTablePage.State, state: { ...state, filter: 3 } },
      { type: FromTablePage.Annotate, runDir: '/runs/a/x' },
      { type: FromTablePage.Annotate, runDir: '/runs/a/x', starred: 'yes' },
      { type: FromTablePage.OpenRun },
      // The removed compare panel's export request: the table's export takes the host's state, not the page's sort.
      { type: 'export-csv', sort: null },
      { type: 'constructor' },
      null,
    ]) {
      assert.ok(!isTablePageMessage(message), JSON.stringify(message));
    }
  });

  it('lets the page take a view or an error from the host, nothing else', () => {
    assert.ok(isTableHostMessage({ type: 'table-view', view: {} }));
    assert.ok(isTableHostMessage({ type: ToWebview.Error, message: 'no' }));
    assert.ok(!isTableHostMessage({ type: 'table-view' }));
    assert.ok(!isTableHostMessage({ type: ToWebview.RunModel, model: {} }));
  });
});

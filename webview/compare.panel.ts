// The compare panel page: a sortable table of runs, their validation curves overlaid, and CSV export.
import './panels.css';
import { lineChart, setSeries } from './charts';
import {
  COMPARE_COLUMNS,
  COMPARE_HEADERS,
  sortCompareRows,
  FromWebview,
  ToWebview,
  isCompareHostMessage,
  type CompareColumn,
  type CompareHostMessage,
  type CompareModel,
  type ComparePageMessage,
  type CompareSort,
} from './contract';
import { byId, formatDuration, formatNumber, h } from './dom';
import { connectToHost, showError } from './pageConnection';
import { registerToolkit } from './toolkit';

registerToolkit();

const app = byId('app');
app.append(
  h(
    'header',
    {},
    h('h1', {}, 'Compare runs'),
    h('vscode-button', { id: 'compare-export', 'aria-label': 'Export table as CSV' }, 'Export CSV'),
  ),
  h('vscode-data-grid', {
    id: 'compare-table',
    'aria-label': 'Runs',
    'grid-template-columns': '2fr 1.2fr 1fr 1fr 1fr 1fr 1fr 1fr 1fr',
  }),
  h(
    'section',
    { 'aria-label': 'Validation curves', class: 'charts' },
    h(
      'div',
      { class: 'chart' },
      h('canvas', { id: 'compare-chart-f1', 'aria-label': 'Validation macro-F1 by epoch, one line per run' }),
    ),
    h(
      'div',
      { class: 'chart' },
      h('canvas', { id: 'compare-chart-loss', 'aria-label': 'Validation loss by epoch, one line per run' }),
    ),
  ),
  h('section', { 'aria-label': 'Problems' }, h('ul', { id: 'problems', class: 'problems' })),
);

const f1Chart = lineChart(
  byId<HTMLCanvasElement>('compare-chart-f1'),
  'Validation macro-F1',
  'Epoch',
  'Macro-F1',
  { min: 0, max: 1 },
  1,
);
const lossChart = lineChart(
  byId<HTMLCanvasElement>('compare-chart-loss'),
  'Validation loss',
  'Epoch',
  'Loss',
  undefined,
  1,
);

let model: CompareModel | null = null;
let sort: CompareSort | null = null;

function cellText(column: CompareColumn, value: string | number | undefined): string {
  if (typeof value !== 'number') return value ?? '—';
  if (column === 'params') return `${(value / 1e6).toFixed(1)} M`;
  if (column === 'durationSeconds') return formatDuration(value);
  return formatNumber(value);
}

function renderTable(): void {
  if (model === null) return;
  const rows = sort === null ? model.rows : sortCompareRows(model.rows, sort);
  const header = h(
    'vscode-data-grid-row',
    { 'row-type': 'header' },
    ...COMPARE_COLUMNS.map((column, i) => {
      const direction = sort?.column === column ? sort.direction : 'none';
      const cell = h(
        'vscode-data-grid-cell',
        {
          'cell-type': 'columnheader',
          'grid-column': String(i + 1),
          'data-column': column,
          'aria-sort': direction,
          role: 'columnheader',
          tabindex: '0',
        },
        `${COMPARE_HEADERS[column]}${direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : ''}`,
      );
      cell.addEventListener('click', () => {
        sort = {
          column,
          direction: sort?.column === column && sort.direction === 'ascending' ? 'descending' : 'ascending',
        };
        renderTable();
      });
      return cell;
    }),
  );
  byId('compare-table').replaceChildren(
    header,
    ...rows.map((row) =>
      h(
        'vscode-data-grid-row',
        { 'data-run-dir': row.runDir },
        ...COMPARE_COLUMNS.map((column, i) =>
          h('vscode-data-grid-cell', { 'grid-column': String(i + 1) }, cellText(column, row[column])),
        ),
      ),
    ),
  );
}

function renderCurves(m: CompareModel): void {
  setSeries(
    f1Chart,
    m.curves.map((curve, i) => ({
      label: curve.label,
      points: curve.history.map((p) => ({ x: p.epoch, y: p.val.macroF1 })),
      colour: i,
    })),
  );
  setSeries(
    lossChart,
    m.curves.map((curve, i) => ({
      label: curve.label,
      points: curve.history.map((p) => ({ x: p.epoch, y: p.val.loss })),
      colour: i,
    })),
  );
}

function handle(message: CompareHostMessage): void {
  if (message.type === ToWebview.Error) {
    showError(message.message);
    return;
  }
  model = message.model;
  app.setAttribute('aria-busy', 'false');
  renderTable();
  renderCurves(model);
  byId('problems').replaceChildren(...model.problems.map((problem) => h('li', {}, problem)));
}

const send = connectToHost<CompareHostMessage, ComparePageMessage>(isCompareHostMessage, handle);
byId('compare-export').addEventListener('click', () => send({ type: FromWebview.ExportCsv, sort }));

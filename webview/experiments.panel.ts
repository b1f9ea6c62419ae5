// The Experiments table page: every run of the workspace grouped experiment → sweep → folds, sortable by any
// column, filtered by an expression, with a star and a note per run; below it the curves of the selected runs in
// their stable styles, a metric against a parameter, and parallel coordinates of the filtered runs; Export CSV asks
// the host to save the view. The host computes each view (core/table/tableView.ts); the page keeps only what is its
// own: collapsed groups and the text being typed.
import './panels.css';
import './experiments.css';
import type { Column } from '../core/table/tableColumns';
import type { GroupStat, RunRow, TableState, TableView, ViewRow } from '../core/table/tableView';
import type { RunStyle } from '../core/table/runStyle';
import type { Scalar } from '../core/table/tableRun';
import type { Chart } from 'chart.js';
import { lineChart, setSeries } from './charts';
import { drawParallelCoordinates } from './parallelCoordinates';
import { ToWebview } from './contract';
import { byId, formatDuration, h } from './dom';
import { FromTablePage, isTableHostMessage, type TableHostMessage, type TablePageMessage } from './experimentsContract';
import { connectToHost, showError } from './pageConnection';

const SVG = 'http://www.w3.org/2000/svg';

const app = byId('app');
app.append(
  h('header', {}, h('h1', {}, 'Experiments'), h('span', { id: 'table-counts', role: 'status' })),
  h(
    'div',
    { class: 'toolbar table-controls' },
    h('input', {
      id: 'table-filter',
      type: 'text',
      placeholder: 'Filter: test.macro_f1 > 0.6 and backbone = convnext_tiny',
      'aria-label': 'Filter expression',
      spellcheck: 'false',
    }),
    h('label', {}, h('input', { id: 'table-differing', type: 'checkbox' }), ' Only columns that differ'),
    h('button', { id: 'table-columns-button', 'aria-expanded': 'false' }, 'Columns…'),
    h('button', { id: 'table-export', title: 'Save the rows and columns shown as a CSV file' }, 'Export CSV'),
  ),
  h('div', { id: 'table-filter-error', role: 'alert' }),
  h('div', { id: 'table-column-chooser', hidden: '' }),
  h(
    'div',
    { class: 'table-scroll', id: 'table-scroll' },
    h('table', { id: 'experiments-table', 'aria-label': 'Runs' }),
  ),
  h(
    'section',
    { 'aria-label': 'Plots' },
    h(
      'div',
      { class: 'toolbar plot-controls' },
      h('label', {}, 'Curves of the selected runs: ', h('select', { id: 'plot-curve', 'aria-label': 'Curve series' })),
      h('label', {}, 'Scatter: ', h('select', { id: 'plot-scatter-y', 'aria-label': 'Scatter metric' })),
      h('label', {}, ' against ', h('select', { id: 'plot-scatter-x', 'aria-label': 'Scatter parameter' })),
    ),
    h(
      'div',
      { class: 'charts' },
      h(
        'div',
        { class: 'chart wide' },
        h('canvas', { id: 'plot-curves', 'aria-label': 'Curves of the selected runs' }),
      ),
      h('div', { class: 'chart wide' }, h('canvas', { id: 'plot-scatter', 'aria-label': 'Metric against parameter' })),
    ),
    h(
      'div',
      { class: 'chart wide' },
      h('canvas', { id: 'plot-parallel', 'aria-label': 'Parallel coordinates of the filtered runs' }),
    ),
  ),
  h('section', { 'aria-label': 'Problems' }, h('ul', { id: 'problems', class: 'problems' })),
);

let view: TableView | null = null;
const collapsed = new Set<string>();
const send = connectToHost<TableHostMessage, TablePageMessage>(isTableHostMessage, handle);

function sendState(change: Partial<TableState>): void {
  if (view === null) return;
  send({ type: FromTablePage.State, state: { ...view.state, ...change } });
}

// ---- cells --------------------------------------------------------------------------------------------------

function isStat(value: GroupStat | Scalar | undefined): value is GroupStat {
  return typeof value === 'object' && value !== null;
}

function formatValue(column: Column, value: Scalar | undefined): string {
  if (value === undefined || value === null) return '—';
  if (typeof value !== 'number') return String(value);
  if (column.key === 'duration_s') return formatDuration(value);
  if (column.key === 'param_count') return `${(value / 1e6).toFixed(1)} M`;
  if (column.kind === 'metric' && !Number.isInteger(value)) return value.toFixed(3);
  return String(value);
}

function formatStat(column: Column, stat: GroupStat): string {
  const mean = formatValue(column, column.kind === 'metric' ? stat.mean : Number(stat.mean.toPrecision(4)));
  return stat.std === null
    ? mean
    : `${mean} ± ${formatValue(column, column.kind === 'metric' ? stat.std : Number(stat.std.toPrecision(2)))}`;
}

function swatch(style: RunStyle): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'swatch');
  svg.setAttribute('width', '28');
  svg.setAttribute('height', '10');
  svg.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS(SVG, 'line');
  for (const [name, value] of Object.entries({
    x1: '1',
    y1: '5',
    x2: '27',
    y2: '5',
    stroke: style.colour,
    'stroke-width': '3',
  })) {
    line.setAttribute(name, value);
  }
  if (style.dash.length > 0) line.setAttribute('stroke-dasharray', style.dash.join(' '));
  svg.append(line);
  return svg;
}

function runCell(row: RunRow, column: Column, index: number): HTMLTableCellElement {
  const value = row.cells[index];
  if (column.key === 'starred') {
    const starred = value === true;
    const star = h(
      'button',
      { class: 'star', 'aria-pressed': String(starred), 'aria-label': 'Star', title: 'Star this run' },
      starred ? '★' : '☆',
    );
    star.addEventListener('click', () => send({ type: FromTablePage.Annotate, runDir: row.id, starred: !starred }));
    return h('td', {}, star);
  }
  if (column.key === 'note') {
    const note = h(
      'span',
      { class: 'note', tabindex: '0', role: 'button', title: 'Edit the note' },
      String(value ?? ''),
    );
    note.addEventListener('click', () => editNote(row, note));
    note.addEventListener('keydown', (event) => event.key === 'Enter' && editNote(row, note));
    return h('td', {}, note);
  }
  return h('td', { class: typeof value === 'number' ? 'number' : '' }, formatValue(column, value));
}

function editNote(row: RunRow, shown: HTMLElement): void {
  const input = h('input', { type: 'text', class: 'note-input', 'aria-label': 'Note', value: shown.textContent ?? '' });
  let done = false;
  const save = (keep: boolean) => {
    if (done) return;
    done = true;
    if (keep && input.value !== shown.textContent) {
      send({ type: FromTablePage.Annotate, runDir: row.id, note: input.value });
    }
    input.replaceWith(shown);
  };
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') save(true);
    if (event.key === 'Escape') save(false);
  });
  input.addEventListener('blur', () => save(true));
  shown.replaceWith(input);
  input.focus();
}

// ---- the table ----------------------------------------------------------------------------------------------

/** The runs under each group (by the group's row index), for a group's checkbox. */
function runsUnder(rows: readonly ViewRow[]): Map<number, string[]> {
  const under = new Map<number, string[]>();
  for (const row of rows) {
    if (row.kind !== 'run') continue;
    for (let parent = row.parent; parent >= 0; parent = rows[parent]!.parent) {
      const members = under.get(parent);
      if (members === undefined) under.set(parent, [row.id]);
      else members.push(row.id);
    }
  }
  return under;
}

function headerRow(columns: readonly Column[], state: TableState): HTMLTableRowElement {
  return h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'Run'),
    ...columns.map((column) => {
      const direction = state.sort?.column === column.key ? state.sort.direction : 'none';
      const th = h(
        'th',
        {
          scope: 'col',
          'data-column': column.key,
          'aria-sort': direction,
          tabindex: '0',
          title: `Sort by ${column.key}`,
        },
        `${column.key === 'starred' ? '★' : column.key}${direction === 'ascending' ? ' ▲' : direction === 'descending' ? ' ▼' : ''}`,
      );
      const sortBy = () =>
        sendState({
          sort: { column: column.key, direction: direction === 'ascending' ? 'descending' : 'ascending' },
        });
      th.addEventListener('click', sortBy);
      th.addEventListener('keydown', (event) => event.key === 'Enter' && sortBy());
      return th;
    }),
  );
}

/** Rows are one line each, so the table can draw only the rows in view (hundreds of runs stay instant). */
const ROW_HEIGHT = 24;
const OVERSCAN = 6;
const scroller = byId('table-scroll');

/**
 * The rows not hidden under a collapsed group, with their index in the view (rows come in tree order: a parent is
 * decided before its children).
 */
function shownRows(rows: readonly ViewRow[]): { row: ViewRow; index: number }[] {
  const hidden = new Set<number>();
  const shown: { row: ViewRow; index: number }[] = [];
  rows.forEach((row, index) => {
    if (row.parent >= 0 && (hidden.has(row.parent) || collapsed.has(rows[row.parent]!.id))) hidden.add(index);
    else shown.push({ row, index });
  });
  return shown;
}

function cellText(row: ViewRow, column: Column, index: number): string {
  const value = row.cells[index];
  if (isStat(value)) return formatStat(column, value);
  if (row.kind === 'group' && (column.key === 'starred' || column.key === 'note' || value === null)) return '';
  return column.key === 'starred' ? '☆' : formatValue(column, value as Scalar);
}

/** Column widths from the longest text each column holds in any row, so widths stay put while scrolling. */
function columnWidths(v: TableView): string[] {
  const treeWidth = Math.max(
    12,
    ...v.rows.map(
      (row) =>
        row.depth * 2 + 8 + (row.kind === 'group' ? row.label.length : (row.id.split(/[\\/]/).pop() ?? '').length),
    ),
  );
  return [
    `${treeWidth}ch`,
    ...v.columns.map((column, i) => {
      const longest = Math.max(column.key.length + 2, ...v.rows.map((row) => cellText(row, column, i).length));
      return `${Math.min(longest, 48) + 2}ch`;
    }),
  ];
}

function groupRow(
  v: TableView,
  row: Extract<ViewRow, { kind: 'group' }>,
  members: readonly string[],
  selected: ReadonlySet<string>,
): HTMLTableRowElement {
  const check = h('input', { type: 'checkbox', 'aria-label': `Plot the runs of ${row.label}` });
  check.checked = members.length > 0 && members.every((id) => selected.has(id));
  check.addEventListener('change', () => {
    const next = new Set(selected);
    for (const id of members) {
      if (check.checked) next.add(id);
      else next.delete(id);
    }
    sendState({ selected: [...next] });
  });
  const open = !collapsed.has(row.id);
  const toggle = h(
    'button',
    { 'aria-expanded': String(open), 'aria-label': `Expand or collapse ${row.label}` },
    open ? '▾' : '▸',
  );
  toggle.addEventListener('click', () => {
    if (open) collapsed.add(row.id);
    else collapsed.delete(row.id);
    renderTable(v);
  });
  const first = h('th', { scope: 'row' }, toggle, check, ` ${row.label}`);
  first.style.paddingLeft = `${row.depth * 16 + 4}px`;
  const cells = v.columns.map((column, i) => {
    const value = row.cells[i];
    return isStat(value)
      ? h('td', { class: 'number', title: `mean ± std of ${value.n} runs` }, formatStat(column, value))
      : h('td', {}, cellText(row, column, i));
  });
  return h('tr', { class: 'group', 'data-id': row.id, 'data-level': row.level }, first, ...cells);
}

function runRow(v: TableView, row: RunRow, selected: ReadonlySet<string>): HTMLTableRowElement {
  const check = h('input', { type: 'checkbox', 'aria-label': 'Plot this run' });
  check.checked = selected.has(row.id);
  check.addEventListener('change', () => {
    const next = new Set(selected);
    if (check.checked) next.add(row.id);
    else next.delete(row.id);
    sendState({ selected: [...next] });
  });
  const name = h('a', { href: '#', title: 'Open the run panel' }, row.id.split(/[\\/]/).pop() ?? row.id);
  name.addEventListener('click', (event) => {
    event.preventDefault();
    send({ type: FromTablePage.OpenRun, runDir: row.id });
  });
  const first = h('th', { scope: 'row' }, check, swatch(row.style), name);
  first.style.paddingLeft = `${row.depth * 16 + 4}px`;
  return h(
    'tr',
    { class: selected.has(row.id) ? 'run selected' : 'run', 'data-id': row.id },
    first,
    ...v.columns.map((column, i) => runCell(row, column, i)),
  );
}

function spacer(rows: number, columns: number): HTMLTableRowElement {
  const cell = h('td', { colspan: String(columns), 'aria-hidden': 'true' });
  cell.style.height = `${rows * ROW_HEIGHT}px`;
  cell.style.padding = '0';
  return h('tr', { class: 'spacer' }, cell);
}

let drawWindow: () => void = () => undefined;

function renderTable(v: TableView): void {
  const selected = new Set(v.state.selected);
  const under = runsUnder(v.rows);
  const rows = shownRows(v.rows);
  const body = h('tbody', {});
  const widths = columnWidths(v);
  const colgroup = h(
    'colgroup',
    {},
    ...widths.map((width) => {
      const col = h('col', {});
      col.style.width = width;
      return col;
    }),
  );
  // The whole height first, so the scroller takes its size (up to its maximum) before the window is measured.
  body.replaceChildren(spacer(rows.length, v.columns.length + 1));
  // The table's width is the sum of its columns': a max-content width would have the browser measure every cell's
  // text on each layout, which fixed layout exists to avoid.
  const table = byId('experiments-table');
  table.style.width = `calc(${widths.join(' + ')})`;
  table.replaceChildren(colgroup, h('thead', {}, headerRow(v.columns, v.state)), body);
  let drawn = '';
  drawWindow = () => {
    const first = Math.max(0, Math.floor(scroller.scrollTop / ROW_HEIGHT) - OVERSCAN);
    const last = Math.min(rows.length, Math.ceil((scroller.scrollTop + scroller.clientHeight) / ROW_HEIGHT) + OVERSCAN);
    if (drawn === `${first}:${last}`) return;
    drawn = `${first}:${last}`;
    body.replaceChildren(
      spacer(first, v.columns.length + 1),
      ...rows
        .slice(first, last)
        .map(({ row, index }) =>
          row.kind === 'group' ? groupRow(v, row, under.get(index) ?? [], selected) : runRow(v, row, selected),
        ),
      spacer(rows.length - last, v.columns.length + 1),
    );
  };
  drawWindow();
}

let scrolling = false;
scroller.addEventListener('scroll', () => {
  if (scrolling) return;
  scrolling = true;
  requestAnimationFrame(() => {
    scrolling = false;
    drawWindow();
  });
});

function renderChooser(v: TableView): void {
  const differing = new Set(v.differing);
  const hidden = new Set(v.state.layout.hidden);
  const keys = v.allColumns.map((column) => column.key);
  const move = (from: number, to: number) => {
    const order = [...keys];
    const [key] = order.splice(from, 1);
    order.splice(to, 0, key!);
    sendState({ layout: { ...v.state.layout, order } });
  };
  byId('table-column-chooser').replaceChildren(
    ...v.allColumns.map((column, i) => {
      const box = h('input', { type: 'checkbox', 'data-column': column.key });
      box.checked = !hidden.has(column.key);
      box.addEventListener('change', () => {
        const next = new Set(hidden);
        if (box.checked) next.delete(column.key);
        else next.add(column.key);
        sendState({ layout: { ...v.state.layout, hidden: [...next] } });
      });
      const up = h('button', { 'aria-label': `Move ${column.key} left`, title: 'Move left' }, '↑');
      up.addEventListener('click', () => i > 0 && move(i, i - 1));
      const down = h('button', { 'aria-label': `Move ${column.key} right`, title: 'Move right' }, '↓');
      down.addEventListener('click', () => i < keys.length - 1 && move(i, i + 1));
      const same = differing.has(column.key) ? '' : ' (same in every run)';
      return h('label', { class: same === '' ? '' : 'same' }, box, up, down, ` ${column.key}${same}`);
    }),
  );
}

// ---- plots --------------------------------------------------------------------------------------------------

/** The two charts, made on the first plot (after the table's first paint, which they would otherwise delay). */
let charts: { curves: Chart<'line'>; scatter: Chart<'line'> } | null = null;

function plotCharts(): { curves: Chart<'line'>; scatter: Chart<'line'> } {
  if (charts !== null) return charts;
  const curves = lineChart(byId<HTMLCanvasElement>('plot-curves'), 'Curves', 'Epoch', '', undefined, 1);
  // A line chart whose one dataset draws no line: chart.js' scatter, with the panels' themed axes.
  const scatter = lineChart(byId<HTMLCanvasElement>('plot-scatter'), 'Metric against parameter', '', '');
  for (const chart of [curves, scatter]) chart.options.plugins!.legend!.display = false;
  charts = { curves, scatter };
  return charts;
}

/** The line style of the run at a row of the view. */
function styleOf(v: TableView, row: number): RunStyle {
  return (v.rows[row] as RunRow).style;
}

function fillSelect(id: string, keys: readonly string[], chosen: string, onChange: (value: string) => void): void {
  const select = byId<HTMLSelectElement>(id);
  select.replaceChildren(...keys.map((key) => h('option', { value: key }, key)));
  select.value = chosen;
  select.onchange = () => onChange(select.value);
}

/** What the plots show, to redraw them only when it changes (a sort changes none of it). */
let plotted = '';

function renderPlots(v: TableView): void {
  // Points and lines come in the runs' order, whatever the sort; only their row indexes move with it.
  const shown = JSON.stringify([
    v.state.curve,
    v.state.scatter,
    v.allColumns,
    v.curves,
    v.curveSeries,
    v.scatter.categories,
    v.scatter.points.map((p) => [p.x, p.y, styleOf(v, p.row)]),
    v.parallel.axes,
    v.parallel.lines.map((line) => [line.values, styleOf(v, line.row)]),
  ]);
  if (shown === plotted) return;
  plotted = shown;
  parallel = {
    plot: v.parallel,
    styles: v.parallel.lines.map((line) => styleOf(v, line.row)),
    title: `Parallel coordinates of the ${v.parallel.lines.length} filtered runs`,
  };
  const { curves: curvesChart, scatter: scatterChart } = plotCharts();
  fillSelect('plot-curve', v.curveSeries, v.state.curve, (curve) => sendState({ curve }));
  const metrics = v.allColumns.filter((c) => c.kind === 'metric').map((c) => c.key);
  const across = v.allColumns.filter((c) => c.kind !== 'metric').map((c) => c.key);
  fillSelect('plot-scatter-y', metrics, v.state.scatter.y, (y) => sendState({ scatter: { ...v.state.scatter, y } }));
  fillSelect('plot-scatter-x', across, v.state.scatter.x, (x) => sendState({ scatter: { ...v.state.scatter, x } }));

  curvesChart.options.plugins!.title!.text = `${v.state.curve} by epoch · ${v.curves.length} selected runs`;
  setSeries(
    curvesChart,
    v.curves.map((curve) => ({ label: curve.label, points: curve.points, style: curve.style })),
  );

  const { scatter } = v;
  const categories = scatter.categories;
  scatterChart.options.plugins!.title!.text = `${scatter.y ?? '—'} against ${scatter.x ?? '—'} · ${scatter.points.length} runs`;
  const xScale = scatterChart.options.scales!.x as {
    title: { text?: string };
    ticks: { stepSize?: number; callback?: (value: number | string) => string | number };
  };
  xScale.title.text = scatter.x ?? '';
  // A text parameter's points sit at its categories' indexes; the ticks name them.
  xScale.ticks.stepSize = categories === null ? undefined : 1;
  xScale.ticks.callback =
    categories === null
      ? (value) => value
      : (value) => (Number.isInteger(Number(value)) ? (categories[Number(value)] ?? '') : '');
  (scatterChart.options.scales!.y as { title: { text?: string } }).title.text = scatter.y ?? '';
  // A line chart's unparsed data must come in x order, or it skips points it thinks are out of view.
  const points = [...scatter.points].sort((a, b) => a.x - b.x);
  scatterChart.data.datasets = [
    {
      data: points.map((p) => ({ x: p.x, y: p.y })),
      pointBackgroundColor: points.map((p) => styleOf(v, p.row).colour),
      pointBorderColor: points.map((p) => styleOf(v, p.row).colour),
      pointRadius: 4,
      showLine: false,
    },
  ];
  scatterChart.update('none');

  drawParallel();
}

let parallel: { plot: TableView['parallel']; styles: RunStyle[]; title: string } | null = null;
function drawParallel(): void {
  if (parallel === null) return;
  drawParallelCoordinates(byId<HTMLCanvasElement>('plot-parallel'), parallel.plot, parallel.styles, parallel.title);
}
new ResizeObserver(drawParallel).observe(byId('plot-parallel'));

// ---- messages -----------------------------------------------------------------------------------------------

let plotsFrame = 0;
let plotsPending = 0;

function render(v: TableView): void {
  const filter = byId<HTMLInputElement>('table-filter');
  if (document.activeElement !== filter) filter.value = v.state.filter;
  filter.setAttribute('aria-invalid', String(v.filterError !== null));
  byId('table-filter-error').textContent =
    v.filterError === null ? '' : `Filter: ${v.filterError.message} (at character ${v.filterError.at + 1})`;
  byId<HTMLInputElement>('table-differing').checked = v.state.layout.onlyDiffering;
  byId('table-counts').textContent =
    v.matched === v.total ? `${v.total} runs` : `${v.matched} of ${v.total} runs match the filter`;
  renderTable(v);
  renderChooser(v);
  // The plots are drawn once the table has painted and the page is idle: a sort or filter shows its rows first.
  // (Asked for from the next frame: an idle period left over from the last frame would come before the paint.)
  cancelAnimationFrame(plotsFrame);
  cancelIdleCallback(plotsPending);
  plotsFrame = requestAnimationFrame(() => {
    plotsPending = requestIdleCallback(() => renderPlots(v), { timeout: 1000 });
  });
  byId('problems').replaceChildren(...v.problems.map((problem) => h('li', {}, problem)));
  app.setAttribute('aria-busy', 'false');
}

function handle(message: TableHostMessage): void {
  if (message.type === ToWebview.Error) {
    showError(message.message);
    return;
  }
  view = message.view;
  render(view);
}

// The filter applies a moment after typing stops, or at once on Enter.
let typing: ReturnType<typeof setTimeout> | undefined;
const filterInput = byId<HTMLInputElement>('table-filter');
filterInput.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => sendState({ filter: filterInput.value }), 250);
});
filterInput.addEventListener('keydown', (event) => {
  if (event.key !== 'Enter') return;
  clearTimeout(typing);
  sendState({ filter: filterInput.value });
});
byId<HTMLInputElement>('table-differing').addEventListener('change', (event) => {
  if (view !== null)
    sendState({ layout: { ...view.state.layout, onlyDiffering: (event.target as HTMLInputElement).checked } });
});
byId('table-columns-button').addEventListener('click', () => {
  const chooser = byId('table-column-chooser');
  const open = chooser.hasAttribute('hidden');
  chooser.toggleAttribute('hidden', !open);
  byId('table-columns-button').setAttribute('aria-expanded', String(open));
});
byId('table-export').addEventListener('click', () => send({ type: FromTablePage.ExportCsv }));

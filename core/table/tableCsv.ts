// The Experiments table as CSV, the way its view shows it: the filtered runs in the view's order, each group row
// (experiment, sweep, folds) before its members, and the shown columns in their order. Group rows are kept so the
// file reads like the table, with their mean ± std as text; the `level` column tells them from runs, so
// `level == "run"` gives the plain per-run table. Collapsing a group on the page hides rows from view only: the
// export always has every row the filter passes.
import { stringify } from 'csv-stringify/sync';
import { cell } from '../run/sweepSummary';
import type { Scalar } from './tableRun';
import type { GroupStat, TableView, ViewRow } from './tableView';

/** The columns before and after the shown ones: what the page's first column shows, its kind, and the run folder. */
const TREE = ['row', 'level'];
const AFTER = ['run_dir'];

function scalarText(value: Scalar): string {
  if (value === null) return '';
  return typeof value === 'boolean' ? String(value) : cell(value);
}

function statText({ mean, std }: GroupStat): string {
  return std === null ? cell(mean) : `${cell(mean)} ± ${cell(std)}`;
}

function rowCells(view: TableView, row: ViewRow): string[] {
  const cells = view.columns.map((column, i) => {
    const value = row.cells[i]!;
    if (value !== null && typeof value === 'object') return statText(value);
    // A group's star and note would be a member's, which the page does not show on the group either.
    if (row.kind === 'group' && (column.key === 'starred' || column.key === 'note')) return '';
    return scalarText(value);
  });
  if (row.kind === 'group') return [row.label, row.level, ...cells, ''];
  return [row.id.split(/[\\/]/).pop() ?? row.id, 'run', ...cells, row.id];
}

export function tableCsv(view: TableView): string {
  const header = [...TREE, ...view.columns.map((column) => column.key), ...AFTER];
  return stringify([header, ...view.rows.map((row) => rowCells(view, row))]);
}

// The Experiments table's messages, in a contract module of their own beside webview/contract.ts, whose handshake
// and error messages (FromWebview.Ready/Failed, ToWebview.Error) they share. The page sends the state of its
// controls, the user's annotations and its requests (open a run, export CSV); the host answers with the whole view
// (core/table/tableView.ts), computed where the run folders are read. Like contract.ts, this file is bundled into
// the page: it imports types only, and values from modules with no imports.
import { isRecord } from '../core/json/isRecord';
import type { TableState, TableView } from '../core/table/tableView';
import { FromWebview, hostGuard, ToWebview } from './contract';

export type { TableState, TableView };

/** Messages of the Experiments table page (besides the shared handshake). */
export enum FromTablePage {
  /** The controls changed (sort, filter, columns, selection, plot axes): the host answers with a new view. */
  State = 'table-state',
  /** Star or note on a run (whichever is given), written to its annotations.json. */
  Annotate = 'table-annotate',
  /** Opens the run's panel. */
  OpenRun = 'table-open-run',
  /** The host writes the table as the view shows it to a CSV file the user picks. */
  ExportCsv = 'table-export-csv',
}

export enum ToTablePage {
  View = 'table-view',
}

export type TableHostMessage = { type: ToTablePage.View; view: TableView } | { type: ToWebview.Error; message: string };

export type TablePageMessage =
  | { type: FromWebview.Ready }
  | { type: FromWebview.Failed; message: string }
  | { type: FromTablePage.State; state: TableState }
  | { type: FromTablePage.Annotate; runDir: string; starred?: boolean; note?: string }
  | { type: FromTablePage.OpenRun; runDir: string }
  | { type: FromTablePage.ExportCsv };

const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

/** The page's state, checked field by field: the host stores its layout and reads run folders it names. */
export function isTableState(value: unknown): value is TableState {
  if (!isRecord(value) || typeof value.filter !== 'string' || typeof value.curve !== 'string') return false;
  const { sort, layout, scatter } = value;
  const sortOk =
    sort === null ||
    (isRecord(sort) &&
      typeof sort.column === 'string' &&
      (sort.direction === 'ascending' || sort.direction === 'descending'));
  const layoutOk =
    isRecord(layout) &&
    isStringList(layout.order) &&
    isStringList(layout.hidden) &&
    typeof layout.onlyDiffering === 'boolean';
  const scatterOk = isRecord(scatter) && typeof scatter.x === 'string' && typeof scatter.y === 'string';
  return sortOk && layoutOk && scatterOk && isStringList(value.selected);
}

export function isTablePageMessage(value: unknown): value is TablePageMessage {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case FromWebview.Ready:
      return true;
    case FromWebview.Failed:
      return typeof value.message === 'string';
    case FromTablePage.State:
      return isTableState(value.state);
    case FromTablePage.Annotate:
      return (
        typeof value.runDir === 'string' &&
        (value.starred === undefined || typeof value.starred === 'boolean') &&
        (value.note === undefined || typeof value.note === 'string') &&
        (value.starred !== undefined || value.note !== undefined)
      );
    case FromTablePage.OpenRun:
      return typeof value.runDir === 'string';
    case FromTablePage.ExportCsv:
      return true;
    default:
      return false;
  }
}

export const isTableHostMessage = hostGuard<TableHostMessage>({ [ToTablePage.View]: 'view' });

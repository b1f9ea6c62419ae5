// The compare table's order and its CSV export. Shared by the page (sorting on a header click) and the host
// (exporting in the order the user sees), so both agree on one definition. Pure: no DOM, no Node.
import { COMPARE_COLUMNS, type CompareColumn, type CompareRow, type CompareSort } from './contract';

export const COMPARE_HEADERS: Readonly<Record<CompareColumn, string>> = {
  label: 'Run',
  backbone: 'Backbone',
  parameters: 'Parameters',
  bestValF1: 'Best val macro-F1',
  testAccuracy: 'Test accuracy',
  testMacroF1: 'Test macro-F1',
  weightedLogLoss: 'Weighted log loss',
  durationSeconds: 'Duration (s)',
};

/**
 * Rows ordered by one column. Text compares with localeCompare (numeric, so run-10 follows run-9); a row
 * without a value (a run still training, an unknown backbone) goes last in either direction, because "no
 * number" is neither the best nor the worst. Equal values keep their input order (Array.prototype.sort is
 * stable).
 */
export function sortCompareRows(rows: readonly CompareRow[], sort: CompareSort): CompareRow[] {
  const sign = sort.direction === 'ascending' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const x = a[sort.column];
    const y = b[sort.column];
    if (x === null || y === null) return x === y ? 0 : x === null ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y), 'en', { numeric: true });
  });
}

/** RFC 4180: quote a field only when it holds a comma, quote or line break. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The table as CSV: a header of the columns' titles, then one line per row, full-precision numbers. */
export function compareCsv(rows: readonly CompareRow[]): string {
  const lines = [COMPARE_COLUMNS.map((column) => csvField(COMPARE_HEADERS[column]))];
  for (const row of rows) lines.push(COMPARE_COLUMNS.map((column) => csvField(row[column])));
  return lines.map((fields) => fields.join(',')).join('\n') + '\n';
}

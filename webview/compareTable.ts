// The compare table's column titles and order. Shared by the page (sorting on a header click) and the host
// (exporting in the order the user sees), so both agree on one definition. Pure: no DOM, no Node.
import type { CompareColumn, CompareRow, CompareSort } from './contract';

export const COMPARE_HEADERS: Readonly<Record<CompareColumn, string>> = {
  label: 'Run',
  backbone: 'Backbone',
  status: 'Status',
  params: 'Parameters',
  bestValMacroF1: 'Best val macro-F1',
  testAccuracy: 'Test accuracy',
  testMacroF1: 'Test macro-F1',
  testWeightedLogLoss: 'Weighted log loss',
  durationSeconds: 'Duration',
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
    if (x === undefined || y === undefined) return x === y ? 0 : x === undefined ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y), 'en', { numeric: true });
  });
}

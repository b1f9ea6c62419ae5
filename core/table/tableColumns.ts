// The Experiments table's columns come from the runs themselves: the run's own fields, then every parameter any
// run's resolved experiment has, then every metric any run measured. "Only columns that differ" hides a field or
// parameter whose value is the same in every run, which is what makes a table of fifty settings readable.
import type { Scalar, TableRun } from './tableRun';

export type ColumnKind = 'run' | 'param' | 'metric';

export interface Column {
  key: string;
  kind: ColumnKind;
  /** Every value the column holds is a number: it sorts numerically and group rows show mean ± std. */
  numeric: boolean;
}

/** The run's own fields, in the order the table shows them by default. */
const RUN_FIELDS: Record<string, (run: TableRun) => Scalar | undefined> = {
  starred: (run) => run.starred,
  run: (run) => run.label,
  status: (run) => run.status,
  experiment: (run) => run.experiment,
  run_id: (run) => run.runId,
  engine: (run) => run.engine,
  device: (run) => run.device,
  param_count: (run) => run.paramCount,
  started: (run) => run.startedAt,
  duration_s: (run) => (run.durationSeconds === null ? null : Math.round(run.durationSeconds)),
  error: (run) => run.error,
  note: (run) => run.note,
};

/** Shown even when every run has the same value: what identifies a row and what the user wrote on it. */
const ALWAYS_SHOWN = new Set(['starred', 'run', 'status', 'note']);

/** A cell's value; undefined when the run has none (a parameter its version lacked, a metric not yet measured). */
export function cellValue(run: TableRun, column: Column): Scalar | undefined {
  switch (column.kind) {
    case 'run':
      return RUN_FIELDS[column.key]!(run);
    case 'param':
      return run.params[column.key];
    case 'metric':
      return run.metrics[column.key];
  }
}

/** Every column the runs give, run fields first, then parameters and metrics in the order they first appear. */
export function tableColumns(runs: readonly TableRun[]): Column[] {
  // Per parameter: whether some run has a number, and whether any run has text or a flag (then it is not numeric).
  const params = new Map<string, { someNumber: boolean; other: boolean }>();
  const metrics = new Set<string>();
  for (const run of runs) {
    for (const [key, value] of Object.entries(run.params)) {
      const seen = params.get(key) ?? { someNumber: false, other: false };
      if (typeof value === 'number') seen.someNumber = true;
      else if (value !== null) seen.other = true;
      params.set(key, seen);
    }
    for (const key of Object.keys(run.metrics)) metrics.add(key);
  }
  const numericRunFields = new Set(['param_count', 'duration_s']);
  return [
    ...Object.keys(RUN_FIELDS).map((key): Column => ({ key, kind: 'run', numeric: numericRunFields.has(key) })),
    ...[...params].map(([key, seen]): Column => ({ key, kind: 'param', numeric: seen.someNumber && !seen.other })),
    ...[...metrics].map((key): Column => ({ key, kind: 'metric', numeric: true })),
  ];
}

/**
 * The keys of columns whose value differs between runs (a run without the value counts as one more value).
 * Metrics always differ for the table's purpose: they are what the runs are compared on.
 */
export function differingKeys(runs: readonly TableRun[], columns: readonly Column[]): Set<string> {
  const differing = new Set<string>();
  for (const column of columns) {
    if (column.kind === 'metric' || ALWAYS_SHOWN.has(column.key)) {
      differing.add(column.key);
      continue;
    }
    const first = runs.length > 0 ? cellValue(runs[0]!, column) : undefined;
    if (runs.some((run) => cellValue(run, column) !== first)) differing.add(column.key);
  }
  return differing;
}

/** The user's column choice, remembered per workspace: an order, the columns hidden, and the differing switch. */
export interface TableLayout {
  /** Column keys in the order the user put them; columns not listed follow in their natural order. */
  order: string[];
  hidden: string[];
  onlyDiffering: boolean;
}

/** The tree column already names each run and its experiment and sweep; the started time is in the run id. */
export const DEFAULT_LAYOUT: TableLayout = {
  order: [],
  hidden: ['run', 'experiment', 'run_id', 'started'],
  onlyDiffering: true,
};

/** The columns the layout orders first, then the rest in their natural order. */
export function orderedColumns(columns: readonly Column[], order: readonly string[]): Column[] {
  const rank = new Map(order.map((key, i) => [key, i]));
  const natural = new Map(columns.map((column, i) => [column.key, i]));
  const position = (column: Column) => rank.get(column.key) ?? order.length + natural.get(column.key)!;
  return [...columns].sort((a, b) => position(a) - position(b));
}

/** The columns the table shows: in the layout's order, without hidden ones and, when asked, without constant ones. */
export function visibleColumns(
  columns: readonly Column[],
  layout: TableLayout,
  differing: ReadonlySet<string>,
): Column[] {
  const hidden = new Set(layout.hidden);
  return orderedColumns(columns, layout.order).filter(
    (column) => !hidden.has(column.key) && (!layout.onlyDiffering || differing.has(column.key)),
  );
}

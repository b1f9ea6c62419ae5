// What the Experiments table shows for one state of its controls: the runs that pass the filter, grouped
// experiment → sweep → folds with mean ± std of each group's members, sorted within every group, the columns the
// layout chooses, and the plots of the selected and filtered runs. Pure: the panel host calls it on every change
// (a sort, a filter, a run's new epoch) and posts the result; the benchmark times its parts.
import { groupBy, meanAndStd } from '../run/sweepSummary';
import { compileFilter, type FilterError } from './filterExpression';
import { runStyle, type RunStyle } from './runStyle';
import {
  cellValue,
  differingKeys,
  orderedColumns,
  tableColumns,
  visibleColumns,
  type Column,
  type TableLayout,
} from './tableColumns';
import type { Scalar, TableRun } from './tableRun';

export interface TableSort {
  column: string;
  direction: 'ascending' | 'descending';
}

/** The table's controls, as the page sets them. */
export interface TableState {
  filter: string;
  sort: TableSort | null;
  layout: TableLayout;
  /** Run folders whose curves are plotted. */
  selected: string[];
  /** The history series the curves show (`val.macro_f1`, `train.loss`, ...). */
  curve: string;
  /** The scatter's axes: a parameter (or run field) across, a metric up; empty picks a default. */
  scatter: { x: string; y: string };
}

/** The controls as a table first opens: no filter or sort, the validation macro-F1 curves, default plot axes. */
export function initialTableState(layout: TableLayout): TableState {
  return { filter: '', sort: null, layout, selected: [], curve: 'val.macro_f1', scatter: { x: '', y: '' } };
}

/**
 * The controls with exactly these runs selected, everything else as it was: what Compare Runs asks of the table,
 * whose curves then show the chosen runs.
 */
export function selectRuns(state: TableState, runDirs: readonly string[]): TableState {
  return { ...state, selected: [...new Set(runDirs)] };
}

export interface GroupStat {
  mean: number;
  /** Sample standard deviation; null for a single member. */
  std: number | null;
  n: number;
}

export type GroupLevel = 'experiment' | 'sweep' | 'folds';

// Rows and plot points are compact (cells aligned to `columns`, parents and points as row indexes): a view of
// hundreds of runs is posted to the page on every sort and filter, and its size is most of the time that takes.

export interface GroupRow {
  kind: 'group';
  id: string;
  /** Index of the parent group's row; -1 at the top. */
  parent: number;
  depth: number;
  level: GroupLevel;
  label: string;
  runs: number;
  /**
   * Per shown column: for a metric or duration, mean ± std over the members that have a value; for a setting, the
   * value all members share; null when there is neither.
   */
  cells: (GroupStat | Scalar)[];
}

export interface RunRow {
  kind: 'run';
  /** The run folder. */
  id: string;
  parent: number;
  depth: number;
  style: RunStyle;
  /** Per shown column; null where the run has no value. */
  cells: Scalar[];
}

export type ViewRow = GroupRow | RunRow;

export interface RunCurve {
  runDir: string;
  label: string;
  style: RunStyle;
  points: { x: number; y: number }[];
}

export interface ScatterPlot {
  x: string | null;
  y: string | null;
  /** The x axis' values when x is not numeric: a point's x is an index into them. */
  categories: string[] | null;
  /** `row`: the run's row in the view. */
  points: { row: number; x: number; y: number }[];
}

export interface ParallelAxis {
  key: string;
  /** Numeric axes span min..max; categorical ones list their values, spread evenly from 0 to 1. */
  min: number | null;
  max: number | null;
  categories: string[] | null;
}

export interface ParallelPlot {
  axes: ParallelAxis[];
  /** Each run's value on each axis, scaled to 0..1; null where the run has none. */
  lines: { row: number; values: (number | null)[] }[];
}

export interface TableView {
  state: TableState;
  /** Shown columns, in order. */
  columns: Column[];
  /** Every column, in the layout's order, for the column chooser. */
  allColumns: Column[];
  differing: string[];
  rows: ViewRow[];
  total: number;
  matched: number;
  filterError: FilterError | null;
  /** History series any run has, for the curve chooser. */
  curveSeries: string[];
  curves: RunCurve[];
  scatter: ScatterPlot;
  parallel: ParallelPlot;
  problems: string[];
}

/** At most this many parameters become parallel-coordinate axes (the ones that vary, in column order). */
const PARALLEL_AXES = 10;

/** The key the run's colour is derived from: its experiment and folder name, the same on every machine. */
function runStyleKey(run: TableRun): string {
  return `${run.experiment}/${run.label}`;
}

// ---- grouping -------------------------------------------------------------------------------------------------

interface GroupNode {
  kind: 'group';
  id: string;
  level: GroupLevel;
  label: string;
  children: Node[];
  members: TableRun[];
}
type Node = GroupNode | { kind: 'run'; run: TableRun };

function group(id: string, level: GroupLevel, label: string, children: Node[], members: TableRun[]): GroupNode {
  return { kind: 'group', id, level, label, children, members };
}

/** A sweep's members, with the folds of one backbone and condition gathered under a group of their own. */
function sweepChildren(sweepId: string, runs: readonly TableRun[]): Node[] {
  if (!runs.some((run) => run.fold !== null)) return runs.map((run) => ({ kind: 'run', run }));
  return groupBy(runs, (run) => `${run.backbone}\u0000${run.condition ?? ''}`).map((members): Node => {
    if (members.length === 1) return { kind: 'run', run: members[0]! };
    const { backbone, condition } = members[0]!;
    const label = `${backbone}${condition !== null ? ` · ${condition}` : ''} · ${members.length} folds`;
    return group(
      `${sweepId}/${backbone}/${condition ?? ''}`,
      'folds',
      label,
      members.map((run) => ({ kind: 'run', run })),
      members,
    );
  });
}

/** Experiments, each holding its sweeps (a run of several members) and single runs. */
function groupRuns(runs: readonly TableRun[]): GroupNode[] {
  return groupBy(runs, (run) => run.experimentDir).map((members) => {
    const experimentId = `experiment:${members[0]!.experimentDir}`;
    const children = groupBy(members, (run) => run.runId).flatMap((sweep): Node[] => {
      const sweepId = `sweep:${sweep[0]!.experimentDir}/${sweep[0]!.runId}`;
      if (sweep.length === 1) return sweepChildren(sweepId, sweep);
      return [
        group(
          sweepId,
          'sweep',
          `sweep ${sweep[0]!.runId} · ${sweep.length} runs`,
          sweepChildren(sweepId, sweep),
          sweep,
        ),
      ];
    });
    return group(experimentId, 'experiment', members[0]!.experiment, children, members);
  });
}

/** A group's cell: metrics and durations as mean ± std, settings as the value all members share. */
function groupCell(members: readonly TableRun[], column: Column): GroupStat | Scalar | undefined {
  // The parameter count is a fact of the backbone, a setting like the backbone itself: a mean of it means nothing.
  if (column.numeric && (column.kind === 'metric' || column.key === 'duration_s')) {
    const values = members.map((run) => cellValue(run, column)).filter((v): v is number => typeof v === 'number');
    if (values.length === 0) return undefined;
    const { mean, std } = meanAndStd(values);
    return { mean, std: std ?? null, n: values.length };
  }
  const first = cellValue(members[0]!, column);
  return members.every((run) => cellValue(run, column) === first) ? first : undefined;
}

// ---- sorting --------------------------------------------------------------------------------------------------

function sortValue(node: Node, column: Column): Scalar | undefined {
  if (node.kind === 'run') return cellValue(node.run, column);
  const cell = groupCell(node.members, column);
  return cell !== null && typeof cell === 'object' ? cell.mean : cell;
}

/** Newest run id first, then the member's folder name: the order a table opens in. */
function naturalOrder(a: Node, b: Node): number {
  const first = (node: Node) => (node.kind === 'run' ? node.run : node.members[0]!);
  const [x, y] = [first(a), first(b)];
  if (a.kind === 'group' && b.kind === 'group' && a.level === 'experiment')
    return x.experiment.localeCompare(y.experiment);
  return y.runId.localeCompare(x.runId) || x.label.localeCompare(y.label, 'en', { numeric: true });
}

/**
 * Orders nodes by a column. Numbers compare as numbers, text with numeric collation (run-10 after run-9); a node
 * without a value goes last in either direction, since "no number" is neither the best nor the worst. Ties keep the
 * natural order.
 */
function sortNodes<T extends Node>(nodes: readonly T[], sort: TableSort | null, column: Column | undefined): T[] {
  const natural = [...nodes].sort(naturalOrder);
  if (sort === null || column === undefined) return natural;
  const sign = sort.direction === 'ascending' ? 1 : -1;
  const keyed = natural.map((node) => ({ node, value: sortValue(node, column) }));
  keyed.sort((a, b) => {
    const [x, y] = [a.value, b.value];
    const missingX = x === undefined || x === null;
    const missingY = y === undefined || y === null;
    if (missingX || missingY) return missingX === missingY ? 0 : missingX ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y), 'en', { numeric: true });
  });
  return keyed.map((k) => k.node);
}

// ---- the view -------------------------------------------------------------------------------------------------

function flatten(nodes: readonly Node[], columns: readonly Column[], sort: TableSort | null): ViewRow[] {
  const sortColumn = sort === null ? undefined : columns.find((column) => column.key === sort.column);
  const rows: ViewRow[] = [];
  const visit = (level: readonly Node[], parent: number, depth: number): void => {
    for (const node of sortNodes(level, sort, sortColumn)) {
      if (node.kind === 'run') {
        const cells = columns.map((column) => cellValue(node.run, column) ?? null);
        rows.push({ kind: 'run', id: node.run.runDir, parent, depth, style: runStyle(runStyleKey(node.run)), cells });
      } else {
        const cells = columns.map((column) => groupCell(node.members, column) ?? null);
        const at = rows.length;
        rows.push({
          kind: 'group',
          id: node.id,
          parent,
          depth,
          level: node.level,
          label: node.label,
          runs: node.members.length,
          cells,
        });
        visit(node.children, at, depth + 1);
      }
    }
  };
  visit(nodes, -1, 0);
  return rows;
}

function curvesOf(runs: readonly TableRun[], state: TableState): RunCurve[] {
  const byDir = new Map(runs.map((run) => [run.runDir, run]));
  return state.selected.flatMap((runDir) => {
    const run = byDir.get(runDir);
    const values = run?.history.series[state.curve];
    if (run === undefined || values === undefined) return [];
    return [
      {
        runDir,
        label: run.label,
        style: runStyle(runStyleKey(run)),
        points: values.map((y, i) => ({ x: run.history.epochs[i]!, y })),
      },
    ];
  });
}

/** Each value's position on an axis: numbers as they are, anything else as an index into its sorted categories. */
function axisPositions(values: readonly (Scalar | undefined)[]): {
  positions: (number | null)[];
  categories: string[] | null;
} {
  const present = values.filter((v): v is Exclude<Scalar, null> => v !== undefined && v !== null);
  if (present.every((v) => typeof v === 'number')) {
    return { positions: values.map((v) => (typeof v === 'number' ? v : null)), categories: null };
  }
  const categories = [...new Set(present.map(String))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const index = new Map(categories.map((c, i) => [c, i]));
  return { positions: values.map((v) => (v === undefined || v === null ? null : index.get(String(v))!)), categories };
}

/** Where each run's row is in the view: plot points refer to it. */
type RowIndex = ReadonlyMap<string, number>;

function scatterOf(
  runs: readonly TableRun[],
  rowOf: RowIndex,
  x: Column | undefined,
  y: Column | undefined,
): ScatterPlot {
  if (x === undefined || y === undefined) return { x: x?.key ?? null, y: y?.key ?? null, categories: null, points: [] };
  const withY = runs.filter((run) => typeof cellValue(run, y) === 'number');
  const { positions, categories } = axisPositions(withY.map((run) => cellValue(run, x)));
  const points = withY.flatMap((run, i) =>
    positions[i] === null ? [] : [{ row: rowOf.get(run.runDir)!, x: positions[i]!, y: cellValue(run, y) as number }],
  );
  return { x: x.key, y: y.key, categories, points };
}

function parallelOf(
  runs: readonly TableRun[],
  rowOf: RowIndex,
  columns: readonly Column[],
  metric: Column | undefined,
): ParallelPlot {
  const varying = differingKeys(runs, columns);
  const params = columns.filter((column) => column.kind === 'param' && varying.has(column.key)).slice(0, PARALLEL_AXES);
  const axisColumns = metric === undefined ? params : [...params, metric];
  if (runs.length === 0 || axisColumns.length === 0) return { axes: [], lines: [] };
  const axes: ParallelAxis[] = [];
  const scaled: (number | null)[][] = runs.map(() => []);
  for (const column of axisColumns) {
    const { positions, categories } = axisPositions(runs.map((run) => cellValue(run, column)));
    const present = positions.filter((p): p is number => p !== null);
    const min = categories !== null ? 0 : present.length > 0 ? Math.min(...present) : null;
    const max =
      categories !== null ? Math.max(categories.length - 1, 0) : present.length > 0 ? Math.max(...present) : null;
    axes.push({
      key: column.key,
      min: categories === null ? min : null,
      max: categories === null ? max : null,
      categories,
    });
    positions.forEach((p, i) => {
      scaled[i]!.push(p === null || min === null || max === null ? null : max === min ? 0.5 : (p - min) / (max - min));
    });
  }
  return {
    axes,
    lines: runs.map((run, i) => ({ row: rowOf.get(run.runDir)!, values: scaled[i]! })),
  };
}

/**
 * The default scatter: the backbone (or else the first varying parameter) across, the test macro-F1 (or best
 * validation macro-F1) up.
 */
function scatterAxes(
  columns: readonly Column[],
  differing: ReadonlySet<string>,
  state: TableState,
): { x?: Column; y?: Column } {
  const find = (key: string) => columns.find((column) => column.key === key);
  const varied = (key: string) => (differing.has(key) ? find(key) : undefined);
  const x =
    find(state.scatter.x) ??
    varied('model.backbone') ??
    columns.find((c) => c.kind === 'param' && differing.has(c.key));
  const y =
    find(state.scatter.y) ?? find('test.macro_f1') ?? find('val.macro_f1') ?? columns.find((c) => c.kind === 'metric');
  return { x, y };
}

export function tableView(runs: readonly TableRun[], state: TableState): TableView {
  const columns = tableColumns(runs);
  const differing = differingKeys(runs, columns);
  const shown = visibleColumns(columns, state.layout, differing);
  const compiled = compileFilter(state.filter, columns);
  const matched = compiled.ok ? runs.filter(compiled.matches) : [...runs];
  const rows = flatten(groupRuns(matched), shown, state.sort);
  const { x, y } = scatterAxes(columns, differing, state);
  const curveSeries = [...new Set(runs.flatMap((run) => Object.keys(run.history.series)))];
  const rowOf = new Map(rows.flatMap((row, i) => (row.kind === 'run' ? [[row.id, i] as const] : [])));
  return {
    state: { ...state, scatter: { x: x?.key ?? '', y: y?.key ?? '' } },
    columns: shown,
    allColumns: orderedColumns(columns, state.layout.order),
    differing: [...differing],
    rows,
    total: runs.length,
    matched: matched.length,
    filterError: compiled.ok ? null : compiled.error,
    curveSeries,
    curves: curvesOf(runs, state),
    scatter: scatterOf(matched, rowOf, x, y),
    parallel: parallelOf(matched, rowOf, columns, y),
    problems: runs.flatMap((run) => run.problems),
  };
}

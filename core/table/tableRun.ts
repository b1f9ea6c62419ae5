// One run as the Experiments table holds it: who it is (experiment, sweep, member), where it stands, the resolved
// experiment's parameters flattened to `section.key` columns, its best-epoch validation and test metrics, and its
// curves. Plain data (no functions, no class instances) so the same value crosses to the webview unchanged.

/** A table cell: parameters may be text, numbers, flags or null (an option left unset). */
export type Scalar = string | number | boolean | null;

/** A run's curves by epoch: the epochs, and one list per series (`train.loss`, `val.macro_f1`, ...) aligned to them. */
export interface RunHistory {
  epochs: number[];
  series: Record<string, number[]>;
}

export interface TableRun {
  /** The run folder: the run's identity in the table, its colour and its annotations file. */
  runDir: string;
  /** The folder's name (<run id>-<member>), what the table shows as the run. */
  label: string;
  experiment: string;
  /** <output>/<experiment name>: runs of one experiment group under it. */
  experimentDir: string;
  /** One `radlab run` of a sweep: its members share the run id. */
  runId: string;
  backbone: string;
  condition: string | null;
  /** The test fold under cross-validation, null without. */
  fold: number | null;
  /** run.json's status, or interrupted when a running run's trainer is gone (the Runs view's state). */
  status: string;
  engine: string | null;
  device: string | null;
  startedAt: string | null;
  durationSeconds: number | null;
  /** The backbone's parameter count from the model registry; null for a backbone it does not know. */
  paramCount: number | null;
  /** Why the run failed, as run.json says; null otherwise. */
  error: string | null;
  /** experiment.resolved.yaml flattened: `train.optimizer.lr` → 0.0001. */
  params: Record<string, Scalar>;
  /** Best-epoch validation (`val.*`), test (`test.*`) and best_epoch; absent keys were not measured. */
  metrics: Record<string, number>;
  history: RunHistory;
  starred: boolean;
  note: string;
  /** What in the run folder could not be read, naming the file. */
  problems: string[];
}

// experiment.resolved.yaml as table columns: every leaf of the resolved experiment under its dotted path
// (`train.optimizer.lr`), so a sweep's varied settings, and any setting two runs differ in, become columns without a
// list of names to keep in step with the schema.
import { isRecord } from '../json/isRecord';
import type { Scalar } from './tableRun';

/** Bookkeeping of one run, not a setting: where the file was, the run's place in its sweep, its output folder. */
const NOT_PARAMETERS = new Set([
  'name',
  'description',
  'experimentFile',
  'sweepIndex',
  'sweepSize',
  'memberName',
  'output',
]);

function isScalar(value: unknown): value is Scalar {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value);
}

/**
 * The leaves of a resolved experiment by dotted path. A list of plain values (levels, head.hidden) is one cell,
 * its items joined with ", "; a list holding objects is its JSON text.
 */
export function flattenParameters(resolved: unknown): Record<string, Scalar> {
  const flat: Record<string, Scalar> = {};
  const visit = (value: unknown, path: string): void => {
    if (isRecord(value)) {
      for (const [key, child] of Object.entries(value)) {
        if (path === '' && NOT_PARAMETERS.has(key)) continue;
        visit(child, path === '' ? key : `${path}.${key}`);
      }
    } else if (Array.isArray(value)) {
      flat[path] = value.every(isScalar) ? value.map(String).join(', ') : JSON.stringify(value);
    } else if (isScalar(value)) {
      flat[path] = value;
    }
  };
  visit(resolved, '');
  return flat;
}

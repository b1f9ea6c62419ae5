// annotations.json in a run folder: the star and the free-text note a user puts on a run in the Experiments table.
// It lives with the run (a run is a folder), so it travels with the folder and survives the editor; the trainer
// never writes it.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord } from '../json/isRecord';

export const ANNOTATIONS_FILE = 'annotations.json';

export interface RunAnnotations {
  starred: boolean;
  note: string;
}

/** The run's annotations; none when the file is absent. A file that cannot be read is a problem naming it. */
export function readAnnotations(runDir: string): { annotations: RunAnnotations; problem: string | null } {
  const path = join(runDir, ANNOTATIONS_FILE);
  const none: RunAnnotations = { starred: false, note: '' };
  if (!existsSync(path)) return { annotations: none, problem: null };
  try {
    const value: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (!isRecord(value) || typeof value.starred !== 'boolean' || typeof value.note !== 'string') {
      return { annotations: none, problem: `${path}: expected {"starred": true or false, "note": "text"}` };
    }
    return { annotations: { starred: value.starred, note: value.note }, problem: null };
  } catch (error) {
    return { annotations: none, problem: `${path} could not be read: ${(error as Error).message}` };
  }
}

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export function writeAnnotations(runDir: string, annotations: RunAnnotations): void {
  const path = join(runDir, ANNOTATIONS_FILE);
  writeFileSync(`${path}.tmp`, `${JSON.stringify(annotations, null, 2)}\n`);
  renameSync(`${path}.tmp`, path);
}

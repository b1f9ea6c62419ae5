// The dataset folders below a folder (a workspace): folders in the RSNA LSDC layout, marked by train.csv or
// train_series_descriptions.csv, and RadLab's synthetic datasets, marked by synthetic.json (which a generation that
// is still under way has before its CSVs). Offered where an experiment's data.root must be chosen.
import { readdirSync, type Dirent } from 'node:fs';
import { join } from 'node:path';
import { SERIES_CSV, TRAIN_CSV } from './lsdcVocabulary';
import { MARKER_FILE } from './synthetic/dataset';

const MARKERS = new Set<string>([TRAIN_CSV, SERIES_CSV, MARKER_FILE]);

/** Folders that never hold a dataset worth offering and can be large: dependencies, build output, caches. */
const SKIPPED = new Set(['node_modules', 'dist', 'out', 'build', '__pycache__', 'venv']);

export interface DatasetSearchLimits {
  /** Folder levels below the start that are looked into. */
  depth: number;
  /** Folders read at most, so a huge workspace costs a bounded time. */
  folders: number;
}

const DEFAULT_LIMITS: DatasetSearchLimits = { depth: 4, folders: 2000 };

function entriesOf(folder: string): Dirent[] {
  try {
    return readdirSync(folder, { withFileTypes: true });
  } catch {
    return [];
  }
}

/**
 * Dataset folders under `root` (itself included), sorted. The search does not descend into a dataset (its
 * train_images holds a folder per study) nor into hidden folders (.git, .radlab-cache) or the ones in SKIPPED.
 */
export function findDatasetFolders(root: string, limits: DatasetSearchLimits = DEFAULT_LIMITS): string[] {
  const found: string[] = [];
  let queue = [root];
  let read = 0;
  for (let depth = 0; depth <= limits.depth && queue.length > 0; depth++) {
    const next: string[] = [];
    for (const folder of queue) {
      if (read++ >= limits.folders) return found.sort();
      const entries = entriesOf(folder);
      if (entries.some((entry) => entry.isFile() && MARKERS.has(entry.name))) {
        found.push(folder);
        continue;
      }
      for (const entry of entries) {
        if (entry.isDirectory() && !entry.name.startsWith('.') && !SKIPPED.has(entry.name)) {
          next.push(join(folder, entry.name));
        }
      }
    }
    queue = next;
  }
  return found.sort();
}

// Diagnostics such as "data.root does not exist" or "train.csv lacks the condition's columns" depend on files
// outside the edited document, often outside the workspace (../data), where the client's file watcher does not
// look. Each open document's referenced paths are therefore stat-polled. Hand-written rather than fs.watch (which
// cannot watch a path that does not exist yet) or fs.watchFile (whose first stat is taken asynchronously at an
// unknown moment): here the baseline is taken synchronously when a path starts being watched, and the caller is
// told so it can validate once more after that moment.
import { statSync } from 'node:fs';
import { sep } from 'node:path';

/** What identifies one state of a path on disk; any difference is a change worth re-validating for. */
function signatureOf(path: string): string {
  try {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats === undefined ? 'missing' : `${stats.ino}:${stats.mtimeMs}:${stats.size}:${stats.mode}`;
  } catch {
    return 'unreadable';
  }
}

/** True when a change at `changed` can affect `referenced`: the same path, inside it, or one of its ancestors. */
export function pathsRelated(changed: string, referenced: string): boolean {
  return changed === referenced || changed.startsWith(referenced + sep) || referenced.startsWith(changed + sep);
}

interface WatchedPath {
  signature: string;
  documents: Set<string>;
}

export class ReferencedPathWatcher {
  private readonly watched = new Map<string, WatchedPath>();
  private readonly pathsByDocument = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly onReferencedPathChanged: (documentUris: string[]) => void,
    private readonly pollIntervalMs: number,
  ) {}

  /** Replaces the set of paths watched on behalf of `uri`; true when it holds a path it did not hold before
   * (whose baseline is taken now, so a change between the last validation and now would go unseen). */
  setPaths(uri: string, paths: readonly string[]): boolean {
    const next = new Set(paths);
    const previous = this.pathsByDocument.get(uri) ?? new Set<string>();
    for (const path of previous) if (!next.has(path)) this.release(uri, path);
    let added = false;
    for (const path of next) {
      added ||= !previous.has(path);
      let entry = this.watched.get(path);
      if (entry === undefined) {
        entry = { signature: signatureOf(path), documents: new Set() };
        this.watched.set(path, entry);
      }
      entry.documents.add(uri);
    }
    if (next.size === 0) this.pathsByDocument.delete(uri);
    else this.pathsByDocument.set(uri, next);
    this.updateTimer();
    return added;
  }

  forget(uri: string): void {
    this.setPaths(uri, []);
  }

  /** Documents whose diagnostics may change because something happened at `changedPath`. */
  documentsAffectedBy(changedPath: string): string[] {
    const affected = new Set<string>();
    for (const [path, entry] of this.watched) {
      if (pathsRelated(changedPath, path)) for (const uri of entry.documents) affected.add(uri);
    }
    return [...affected];
  }

  dispose(): void {
    this.watched.clear();
    this.pathsByDocument.clear();
    this.updateTimer();
  }

  private release(uri: string, path: string): void {
    const entry = this.watched.get(path);
    if (entry === undefined) return;
    entry.documents.delete(uri);
    if (entry.documents.size === 0) this.watched.delete(path);
  }

  private poll(): void {
    const affected = new Set<string>();
    for (const [path, entry] of this.watched) {
      const signature = signatureOf(path);
      if (signature === entry.signature) continue;
      entry.signature = signature;
      for (const uri of entry.documents) affected.add(uri);
    }
    if (affected.size > 0) this.onReferencedPathChanged([...affected]);
  }

  private updateTimer(): void {
    if (this.watched.size > 0 && this.timer === undefined) {
      this.timer = setInterval(() => this.poll(), this.pollIntervalMs);
      // The poll alone must not keep the server alive once its client has gone.
      this.timer.unref();
    } else if (this.watched.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}

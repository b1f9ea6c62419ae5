// What a command was invoked on. The same command arrives from the palette (nothing), the Runs view (a node,
// plus the multi-selection), the explorer or editor title (a Uri), a CodeLens (a Uri) or a notification (a
// run folder path) or the status bar (a request to ask before stopping). No `vscode` import beyond types, so the mapping is unit-tested.
import type { RunsNode } from '../runs/runsTreeView';

interface UriLike {
  scheme: string;
  fsPath: string;
}

function isUriLike(value: unknown): value is UriLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as UriLike).fsPath === 'string' &&
    typeof (value as UriLike).scheme === 'string'
  );
}

function isRunsNode(value: unknown): value is RunsNode {
  const kind = (value as RunsNode | null)?.kind;
  return typeof value === 'object' && value !== null && (kind === 'run' || kind === 'experiment');
}

/** A file-system path from a Uri or string argument; undefined for anything else (non-file Uris included). */
export function pathArgument(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (isUriLike(value) && value.scheme === 'file') return value.fsPath;
  return undefined;
}

/** The run folders a command is about: the multi-selection when there is one, else the clicked node or path. */
export function runDirsArgument(clicked: unknown, selection: unknown): string[] {
  const nodes = Array.isArray(selection) && selection.length > 0 ? selection : [clicked];
  const dirs: string[] = [];
  for (const node of nodes) {
    if (isRunsNode(node)) {
      if (node.kind === 'run') dirs.push(node.run.dir);
      continue;
    }
    const given = pathArgument(node);
    if (given !== undefined) dirs.push(given);
  }
  return [...new Set(dirs)];
}

/** The experiment file a command is about: an explorer/editor Uri, a path, or an experiment node that has a file. */
export function experimentFileArgument(value: unknown): string | undefined {
  if (isRunsNode(value)) return value.kind === 'experiment' ? value.experimentFile : undefined;
  return pathArgument(value);
}

/** What the status bar passes to Stop Run: a click there is easily a slip, so the command asks first. */
export const ASK_BEFORE_STOPPING = { askBeforeStopping: true } as const;

export function asksBeforeStopping(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && (value as { askBeforeStopping?: unknown }).askBeforeStopping === true
  );
}

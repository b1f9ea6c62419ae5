// Maps document URIs to the file paths the core resolves relative paths against, and watched-file URIs back to
// paths. Unsaved (untitled:) documents have no path; their relative paths resolve against the workspace folder.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export function filePathOfUri(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function experimentPathForDocument(uri: string, workspaceRoot: string | undefined): string {
  return filePathOfUri(uri) ?? resolve(workspaceRoot ?? process.cwd(), 'untitled.experiment.yaml');
}

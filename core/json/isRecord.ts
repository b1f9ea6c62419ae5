// The one check every reader of JSON (run files, events, webview messages) makes before touching fields: a plain
// object, not null and not an array (both of which typeof calls 'object').

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

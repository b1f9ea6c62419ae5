// Whether an experiment may start: the same validation the language server shows (core/experiment), so a run
// is refused for exactly the errors the Problems panel lists. No `vscode` import, so it is unit-tested.
import type { ExperimentDiagnostic } from '../../core/experiment/languageService';

/** The message refusing to run `fileLabel`, or undefined when it has no errors (warnings do not block). */
export function refusalMessage(fileLabel: string, diagnostics: readonly ExperimentDiagnostic[]): string | undefined {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length === 0) return undefined;
  // The validator reports by rule, not by position: the message names the error a reader meets first in the file.
  const first = errors.reduce((earliest, error) =>
    error.range.start.line < earliest.range.start.line ||
    (error.range.start.line === earliest.range.start.line &&
      error.range.start.character < earliest.range.start.character)
      ? error
      : earliest,
  );
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length === 2 ? '' : 's'})` : '';
  return `RadLab: ${fileLabel} cannot run: line ${first.range.start.line + 1}: ${first.message}${more}. Fix the problems, then run it again.`;
}

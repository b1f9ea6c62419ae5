// Every request must get an answer and no input may take the server down: an editor whose language server died
// shows nothing until it is restarted. A handler that throws (or rejects) answers with an empty result instead,
// and the failure goes to the client's output channel so it can still be reported and fixed.

export type ErrorLogger = (message: string) => void;

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export function guarded<Args extends unknown[], Result>(
  logError: ErrorLogger,
  name: string,
  emptyResult: Result,
  handler: (...args: Args) => Result | Promise<Result>,
): (...args: Args) => Result | Promise<Result> {
  const report = (error: unknown): Result => {
    logError(`RadLab language server: ${name} failed and answered with an empty result.\n${describeError(error)}`);
    return emptyResult;
  };
  return (...args: Args) => {
    try {
      const result = handler(...args);
      return result instanceof Promise ? result.catch(report) : result;
    } catch (error) {
      return report(error);
    }
  };
}

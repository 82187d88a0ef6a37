// The one channel for isolog's own failures: a handler that cannot emit, a bad format, a queue that
// rejects. It writes to console.error by default and cannot recurse into logging: a failure while
// reporting goes straight to the console.

/** Receives the text of an internal error report. */
export type InternalErrorSink = (text: string) => void;

const consoleSink: InternalErrorSink = (text) => console.error(text.replace(/\n$/, ''));
let sink: InternalErrorSink = consoleSink;
let reporting = false;

/** Python's `logging.raiseExceptions`: when false, logging errors are not reported at all. */
export const settings = { raiseExceptions: true };

/**
 * Sends isolog's internal error reports somewhere else (tests, an app's own telemetry); `null` restores
 * the console. The sink must not log through isolog; if it does, the report goes to the console instead.
 * @example setInternalErrorSink((text) => errors.push(text))
 */
export function setInternalErrorSink(next: InternalErrorSink | null): void {
  sink = next ?? consoleSink;
}

/** Reports one internal error. Never throws. */
export function reportInternalError(text: string): void {
  if (!settings.raiseExceptions) return;
  if (reporting) {
    try { consoleSink(text); } catch { /* nowhere left to report */ }
    return;
  }
  reporting = true;
  try {
    sink(text);
  } catch {
    try { consoleSink(text); } catch { /* nowhere left to report */ }
  } finally {
    reporting = false;
  }
}

/** An error's name, message and stack as one text, for reports. Never throws. */
export function describeError(err: unknown): string {
  try {
    if (err instanceof Error) {
      const head = `${err.name}: ${err.message}`;
      const stack = typeof err.stack === 'string' ? err.stack : '';
      if (!stack) return head;
      return stack.startsWith(head) ? stack : `${head}\n${stack}`;
    }
    return String(err);
  } catch {
    return 'unprintable error';
  }
}

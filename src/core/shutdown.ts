// shutdown(): flush and close every handler, as Python's logging.shutdown.
import { allHandlers, type Handler } from './handler.js';
import { describeError, reportInternalError } from './internal-error.js';

function reportShutdownError(err: unknown): void {
  reportInternalError(`--- Logging error ---\nshutdown: ${describeError(err)}\n`);
}

/** Flushes then closes one handler; synchronous handlers are done when it returns. Never throws. */
export function flushAndClose(h: Handler): Promise<void> | undefined {
  try {
    const flushed = h.flush();
    if (flushed instanceof Promise) {
      return flushed.then(() => h.close()).then(undefined, reportShutdownError);
    }
    const closed = h.close();
    if (closed instanceof Promise) return closed.then(undefined, reportShutdownError);
  } catch (err) {
    reportShutdownError(err);
  }
  return undefined;
}

/**
 * Flushes and closes every handler (newest first), as Python's `logging.shutdown`. Resolves once
 * handlers that flush asynchronously have finished. Never throws; failures are reported.
 * @example await shutdown()
 */
export async function shutdown(handlerList: Handler[] = allHandlers()): Promise<void> {
  for (const h of [...handlerList].reverse()) await flushAndClose(h);
}


// Uncaught errors as records, in any global scope that has `error` and `unhandledrejection` events:
// a page's window, a Service Worker.
import type { Logger } from '../core/logger.js';

/** The global `error` and `unhandledrejection` events become ERROR records of `log`, with stacks and causes; returns the undo. */
export function captureUncaughtErrors(log: Logger): () => void {
  const onError = (e: ErrorEvent): void => log.error('Uncaught %s', e.message, e.error instanceof Error ? e.error : new Error(e.message));
  const onRejection = (e: PromiseRejectionEvent): void => {
    const reason: unknown = e.reason;
    log.error('Unhandled promise rejection: %s', reason instanceof Error ? reason.message : String(reason), reason instanceof Error ? reason : new Error(String(reason)));
  };
  addEventListener('error', onError);
  addEventListener('unhandledrejection', onRejection);
  return () => {
    removeEventListener('error', onError);
    removeEventListener('unhandledrejection', onRejection);
  };
}

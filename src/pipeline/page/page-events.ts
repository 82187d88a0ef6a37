// What a page does around the pipeline: beacons when it is left, its uncaught errors as records,
// its session id. Each touches the page's globals only when called, and only where they exist, so
// that the pipeline can start where there is no document (a Service Worker).
import type { Logger } from '../../core/logger.js';
import { randomId } from '../../core/record.js';

/** Calls `leave` on pagehide, on visibilitychange to hidden and on freeze; returns the undo. `unload` is never used. */
export function onLeavingPage(leave: () => void): () => void {
  if (typeof document === 'undefined') return () => undefined;
  const onVisibility = (): void => { if (document.visibilityState === 'hidden') leave(); };
  addEventListener('pagehide', leave);
  document.addEventListener('visibilitychange', onVisibility);
  document.addEventListener('freeze', leave);
  return () => {
    removeEventListener('pagehide', leave);
    document.removeEventListener('visibilitychange', onVisibility);
    document.removeEventListener('freeze', leave);
  };
}

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

/** One id per browser tab, kept across reloads in sessionStorage (a new one where there is none). */
export function tabSessionId(): string {
  try {
    const existing = sessionStorage.getItem('isolog.session');
    if (existing) return existing;
    const id = randomId();
    sessionStorage.setItem('isolog.session', id);
    return id;
  } catch {
    return randomId();
  }
}

// What a page does around the pipeline: beacons when it is left, its session id (its uncaught
// errors as records: ../uncaught-errors.ts). Each touches the page's globals only when called, and
// only where they exist, so that the pipeline can start where there is no document.
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

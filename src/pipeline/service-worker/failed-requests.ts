// The Service Worker's own view of the network: a request its fetch handler makes that fails (no
// answer, or an error status) becomes a WARNING record, with the URL cut before its query (which
// often carries tokens), the status or the error, and how long it took.
import type { Logger } from '../../core/logger.js';
import { extra } from '../../core/log-options.js';

/** The URL without query and fragment. */
function withoutQuery(url: string): string {
  try {
    const u = new URL(url);
    u.search = '';
    u.hash = '';
    return u.toString();
  } catch {
    return url.replace(/[?#].*$/, '');
  }
}

/**
 * `fetch`, and a WARNING record of `log` when the request fails or is answered 4xx/5xx. Requests to
 * `skip` (the collector: its failures are the flusher's to handle) are not logged.
 * @example event.respondWith(fetchLogging(getLogger('sw.fetch'), '')(event.request))
 */
export function fetchLogging(log: Logger, skip: string): (input: Request | string | URL, init?: RequestInit) => Promise<Response> {
  return async (input, init) => {
    const request = input instanceof Request ? input : null;
    const url = withoutQuery(request ? request.url : String(input));
    const method = init?.method ?? request?.method ?? 'GET';
    const started = Date.now();
    const fields = (more: Record<string, unknown>) => extra({ 'url.full': url, 'http.request.method': method, duration_ms: Date.now() - started, ...more });
    try {
      const response = await fetch(input, init);
      if (response.status >= 400 && !(skip && url.startsWith(skip))) {
        log.warning('%s %s answered %d (%d ms)', method, url, response.status, Date.now() - started, fields({ 'http.response.status_code': response.status }));
      }
      return response;
    } catch (err) {
      if (!(skip && url.startsWith(skip))) log.warning('%s %s failed: %s (%d ms)', method, url, String(err), Date.now() - started, fields({ 'error.type': (err as Error)?.name ?? 'Error' }));
      throw err;
    }
  };
}

// isolog/service-worker: the listener inside a Service Worker (pipeline/service-worker/start.ts).
// Nothing runs at import: startServiceWorkerLogging, called in the Service Worker's global scope,
// starts it and adds its event listeners.
import { startServiceWorkerLogging as startIn } from '../pipeline/service-worker/start.js';
import { serviceWorkerScope } from '../pipeline/service-worker/scope.js';
import type { ServiceWorkerLogging, ServiceWorkerLoggingOptions } from '../pipeline/service-worker/options.js';

export type { ServiceWorkerLogging, ServiceWorkerLoggingOptions } from '../pipeline/service-worker/options.js';
export type { PeriodicSyncState } from '../pipeline/service-worker/periodic-sync.js';
export { FlushError } from '../pipeline/page/options.js';
export { SYNC_TAG } from '../pipeline/service-worker/start.js';

/**
 * Stores the records of the Service Worker and of the pages that choose it
 * (`startBrowserLogging({ listener: 'service-worker' })`) in IndexedDB, and sends them to the
 * collector inside its events, on Background Sync (`sync`, tag `isolog-flush`) and `periodicsync`.
 * Call it once, at the top level of the Service Worker's script (its event listeners must be added
 * during the first evaluation).
 * @example
 * import { startServiceWorkerLogging } from 'isolog/service-worker';
 * const logging = startServiceWorkerLogging({ collector: 'https://logs.example.com/v1/logs' });
 * self.addEventListener('fetch', (event) => event.respondWith(logging.fetch(event.request)));
 */
export function startServiceWorkerLogging(options: ServiceWorkerLoggingOptions): ServiceWorkerLogging {
  const scope = serviceWorkerScope();
  if (!scope) throw new Error('isolog: startServiceWorkerLogging runs in a Service Worker\'s global scope; in a page use startBrowserLogging from isolog/browser');
  return startIn(options, scope);
}

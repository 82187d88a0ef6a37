// What startServiceWorkerLogging (isolog/service-worker) takes and gives.
import type { PipelineStats } from '../protocol.js';
import type { BrowserLoggingOptions } from '../page/options.js';
import type { PeriodicSyncState } from './periodic-sync.js';

/** Options of startServiceWorkerLogging: those of startBrowserLogging that concern the listener, and the Service Worker's own. */
export interface ServiceWorkerLoggingOptions extends Pick<BrowserLoggingOptions,
  'collector' | 'transport' | 'token' | 'resource' | 'storage' | 'send' | 'redact' | 'batchSize' | 'flushTimeoutMs'> {
  /** The root logger's level, as startBrowserLogging sets it (default INFO; `null` leaves it). */
  level?: number | string | null;
  /** The Service Worker's `error` and `unhandledrejection` become ERROR records of logger `serviceworker` (default true). */
  captureErrors?: boolean;
  /**
   * How long one event's flush may take new batches (default 30 s): a browser ends a Service
   * Worker's event after some minutes (Chromium: 5), so what is not sent by then stays stored for
   * the next event.
   */
  flushBudgetMs?: number;
  /**
   * Register a Background Sync when a send fails for lack of network (default true where the browser
   * has it). Without it, or with `false`, the next fetch, message or activate event and `online` flush.
   */
  backgroundSync?: boolean;
  /**
   * Register a Periodic Background Sync (tag `isolog-flush`) every `minIntervalMs` at the earliest,
   * which wakes the Service Worker to send what is stored (off by default). Chromium grants it only
   * to an installed app and paces it itself (about daily, by site engagement); elsewhere it does not
   * exist. Where it is missing or refused nothing is reported: the other events and Background Sync
   * flush as without it, and `logging.periodicSync` says which it was.
   */
  periodicSync?: { minIntervalMs: number };
  /**
   * Answer the closing pages' beacons (keepalive POSTs to the collector) by sending them from the
   * Service Worker (default true): one left to fall back to the network is lost in Chromium when
   * its page is gone first. Listeners added after startServiceWorkerLogging do not see those it
   * answered; one added before it that answers a beacon keeps it.
   */
  relayBeacons?: boolean;
}

/** What startServiceWorkerLogging returns. */
export interface ServiceWorkerLogging {
  /** Resolves once the listener is ready (its IndexedDB queue open). */
  readonly ready: Promise<void>;
  /**
   * What became of the `periodicSync` option: `'registered'`; `'unsupported'` (the browser has no
   * Periodic Background Sync); `'not allowed'` (refused: not installed, permission denied); `'off'`
   * (not asked for). Resolves at once, or in the first `activate` event of a new Service Worker.
   */
  readonly periodicSync: Promise<PeriodicSyncState>;
  /**
   * Sends what is stored now, within the flush budget, and resolves once every record logged
   * before the call is acknowledged; rejects with a FlushError otherwise. Pass it to `event.waitUntil`.
   */
  flush(timeoutMs?: number): Promise<void>;
  stats(): Promise<PipelineStats>;
  /**
   * Flushes (rejecting as flush() does), then takes the handler off the root logger and stops the
   * listener: what is still stored is sent by the next Service Worker or page of the origin.
   */
  stop(timeoutMs?: number): Promise<void>;
  /**
   * `fetch`, with a WARNING record (logger `serviceworker.fetch`) for a request that fails or is
   * answered 4xx/5xx: URL without its query, method, status or error, duration. Opt-in: only what
   * goes through it is logged.
   */
  fetch(input: Request | string | URL, init?: RequestInit): Promise<Response>;
}

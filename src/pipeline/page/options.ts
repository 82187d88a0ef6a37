// What startBrowserLogging (isolog/browser) takes and gives, and the error its flush() rejects with:
// apart from the pipeline's code (page/start.ts), which the page loads only once logging starts.
import type { SamplingFilter } from '../../core/sampling.js';
import type { PipelineStats } from '../protocol.js';
import type { WorkerSource } from './listener-link.js';

/** Options of startBrowserLogging. */
export interface BrowserLoggingOptions extends WorkerSource {
  /** The OTLP endpoint: `http://host:4318/v1/logs`, or `ws://host:4318/v1/logs` for the WebSocket transport. */
  collector: string;
  /**
   * The root logger's level, set as `basicConfig({ level })` sets it (default INFO, so that
   * `getLogger(name).info(...)` ships; Python's root starts at WARNING). `null` leaves the root's
   * level as it is, for a page that sets it itself.
   */
  level?: number | string | null;
  transport?: 'fetch' | 'websocket';
  token?: string;
  /**
   * The page's listener: `'worker'` (default), a dedicated worker of this page; `'service-worker'`,
   * the Service Worker that controls the page, which must call startServiceWorkerLogging
   * (isolog/service-worker) with the same collector, transport and token. It keeps storing and
   * sending after the page has closed.
   */
  listener?: 'worker' | 'service-worker';
  /** Where the page serves isolog's worker.js; by default the one beside this module. */
  workerUrl?: string | URL;
  /**
   * Starts the worker, as bundlers want it written in the app:
   * `() => new Worker(new URL('isolog/worker.js', import.meta.url), { type: 'module' })`.
   * Called again if the worker dies.
   */
  createWorker?: () => Worker;
  /** A batch the worker has not stored after this long means the worker died: it is restarted (default 10 s). */
  putTimeoutMs?: number;
  /** window `error` and `unhandledrejection` become ERROR records (default true). */
  captureErrors?: boolean;
  /** Resource attributes sent with every batch; `service.name`, `service.version`, `session.id`… */
  resource?: Record<string, unknown>;
  /** Records are posted at the end of each task (a microtask), at most this many to a batch (default 1,000). */
  batchSize?: number;
  /**
   * Durable-queue caps (defaults: 100,000 records, 20 MB) and how the IndexedDB database's name
   * starts (default `isolog`); the name goes on with a hash of the collector, transport and token.
   */
  storage?: { maxRecords?: number; maxBytes?: number; database?: string };
  /** Per-request limits and the first retry delay. */
  send?: { maxRecords?: number; maxBytes?: number; retryBaseMs?: number };
  /** Keys whose values are masked before records leave the page; `false` turns masking off. */
  redact?: false | { keys?: (string | RegExp)[]; replacement?: string };
  /** Default timeout of flush() (ms). */
  flushTimeoutMs?: number;
  /**
   * Apply the levels the collector serves (`isolog levels`, the live view's form) to this page's
   * loggers with setLevel, polled from its `/v1/levels` with an ETag every `intervalMs` (default
   * 5,000): `true`, or `{ intervalMs }`. Off by default (another OTLP backend serves no levels).
   */
  remoteLevels?: boolean | { intervalMs?: number };
  /**
   * Context that ships only with an error: records below `passLevel` (default WARNING) wait in a
   * ring of `capacity` (default 100) in the worker's IndexedDB and go to the collector only with a
   * record at `triggerLevel` (default ERROR) or above, each marked `contextOf` its uid; those older
   * than `maxAgeSeconds` (default 300) are dropped. `true` for the defaults. Set the root's level
   * (`level: 'DEBUG'`) low enough for the quiet records to be logged at all.
   */
  /**
   * Sampling ratios and rate limits by logger name prefix, applied on the page before a record is
   * queued: `new SamplingFilter({ rules: { 'app.metrics': { sample: 0.1 } } })` (an instance, so
   * that a page without sampling carries none of its code); stop() has it report what is pending.
   */
  sampling?: SamplingFilter;
  errorContext?: boolean | { capacity?: number; passLevel?: number | string; triggerLevel?: number | string; maxAgeSeconds?: number };
}

// one FlushError class for every sender (this flush, FetchHandler's): `instanceof` holds across entries
export { FlushError } from '../../transport/flush-error.js';

/** What startBrowserLogging resolves to. */
export interface BrowserLogging {
  /**
   * Resolves once every record logged before the call is acknowledged by the collector. Rejects with
   * a FlushError when some are not by the timeout, or when records were dropped since the last flush.
   */
  flush(timeoutMs?: number): Promise<void>;
  stats(): Promise<PipelineStats>;
  /** Drains (flush, then stops) and ends the worker. */
  stop(timeoutMs?: number): Promise<void>;
}

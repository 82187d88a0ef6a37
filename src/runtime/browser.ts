// isolog/browser: the page side of the pipeline. Puts the page's QueueHandler on the root logger,
// connects it to its listener (a worker, pipeline/page/listener-link.ts), and on leaving sends
// what is not yet durable itself (pipeline/page/beacon.ts).
import { INFO } from '../core/level.js';
import { getLogger } from '../core/logger.js';
import { PY_TEXT } from '../core/repr.js';
import { toJsonValue } from '../core/serialize.js';
import { decodeBatch } from '../pipeline/batch-decoder.js';
import { beaconUrl, sendBeacons } from '../pipeline/page/beacon.js';
import { listenerLink, type WorkerSource } from '../pipeline/page/listener-link.js';
import { captureUncaughtErrors, onLeavingPage, tabSessionId } from '../pipeline/page/page-events.js';
import { PageQueueHandler } from '../pipeline/page/queue-handler.js';
import { PROTOCOL_VERSION, type PipelineStats, type WorkerInit } from '../pipeline/protocol.js';
import { maskerFor } from '../pipeline/redact.js';

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
  /** Durable-queue caps (defaults: 100,000 records, 20 MB) and the IndexedDB database name. */
  storage?: { maxRecords?: number; maxBytes?: number; database?: string };
  /** Per-request limits and the first retry delay. */
  send?: { maxRecords?: number; maxBytes?: number; retryBaseMs?: number };
  /** Keys whose values are masked before records leave the page; `false` turns masking off. */
  redact?: false | { keys?: (string | RegExp)[]; replacement?: string };
  /** Default timeout of flush() (ms). */
  flushTimeoutMs?: number;
}

/** What startBrowserLogging resolves to. */
export interface BrowserLogging {
  /** Resolves once every record logged before the call is acknowledged by the collector; rejects after the timeout. */
  flush(timeoutMs?: number): Promise<void>;
  stats(): Promise<PipelineStats>;
  /** Drains (flush, then stops) and ends the worker. */
  stop(timeoutMs?: number): Promise<void>;
}

/** What the worker is told at start: where and how to send, the storage caps, the resource. */
function workerInit(options: BrowserLoggingOptions): WorkerInit {
  return {
    version: PROTOCOL_VERSION,
    transport: {
      collector: new URL(options.collector, globalThis.location?.href).toString(),
      transport: options.transport ?? (/^wss?:/.test(options.collector) ? 'websocket' : 'fetch'),
      token: options.token,
      maxRecordsPerRequest: options.send?.maxRecords ?? 10_000,
      maxBytesPerRequest: options.send?.maxBytes ?? 4 * 1024 * 1024,
      retryBaseMs: options.send?.retryBaseMs ?? 1000,
    },
    storage: {
      maxRecords: options.storage?.maxRecords ?? 100_000,
      maxBytes: options.storage?.maxBytes ?? 20 * 1024 * 1024,
      database: options.storage?.database ?? 'isolog',
    },
    // JSON-safe once here: the worker and the beacons encode it as it is
    resource: toJsonValue({ 'session.id': tabSessionId(), ...options.resource }) as Record<string, unknown>,
  };
}

/**
 * Ships every record of the page (through the root logger) to a worker that stores it in IndexedDB
 * and sends it to the collector. Resolves once the worker is ready.
 * @example const logging = await startBrowserLogging({ collector: 'http://127.0.0.1:4318/v1/logs', resource: { 'service.name': 'shop' } })
 */
export async function startBrowserLogging(options: BrowserLoggingOptions): Promise<BrowserLogging> {
  const init = workerInit(options);
  const root = getLogger();
  if (options.level !== null) root.setLevel(options.level ?? INFO);
  const link = listenerLink(init, options);
  // a batch is the records of one task, so most are small; the cap splits a long burst, and each
  // Comlink call (and its ack) costs the main thread several µs, so it is not set lower
  const handler: PageQueueHandler = new PageQueueHandler(link.starting, options.batchSize ?? 1000, options.putTimeoutMs ?? 10_000,
    maskerFor(options.redact), () => link.restart((api) => { handler.setTarget(api); handler.resend(); }));
  root.addHandler(handler);
  handler.setTarget(await link.connect());

  const url = beaconUrl(options.collector, options.token);
  const stopLeaving = onLeavingPage(() => {
    const batches = handler.takeForBeacon();
    if (batches.length) sendBeacons(url, batches.map((b) => decodeBatch(b, PY_TEXT)), init.resource);
  });
  const stopCapturing = options.captureErrors ?? true ? captureUncaughtErrors(getLogger('window')) : () => undefined;

  const flushTimeout = options.flushTimeoutMs ?? 10_000;
  const flush = async (timeoutMs = flushTimeout): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    await handler.drain();
    await link.settled();
    await handler.drain();
    await link.api.flush(Math.max(0, deadline - Date.now()));
  };
  return {
    flush,
    async stats(): Promise<PipelineStats> {
      return { ...(await link.api.stats()), logged: handler.logged };
    },
    async stop(timeoutMs = flushTimeout): Promise<void> {
      link.stopRestarting();
      try {
        await flush(timeoutMs);
      } finally {
        root.removeHandler(handler);
        handler.close();
        stopLeaving();
        stopCapturing();
        await link.stop();
      }
    },
  };
}

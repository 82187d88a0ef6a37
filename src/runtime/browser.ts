// isolog/browser: the page side. Starts the worker, puts the page's QueueHandler (pipeline/page/) on
// the root logger, and on pagehide/hidden/freeze sends what is not yet durable itself (beacon.ts).
import { wrap, type Remote } from 'comlink';
import { reportInternalError } from '../core/internal-error.js';
import { INFO } from '../core/level.js';
import { getLogger } from '../core/logger.js';
import { PY_TEXT } from '../core/repr.js';
import { toJsonValue } from '../core/serialize.js';
import { PROTOCOL_VERSION, type ListenerApi, type PipelineStats, type WorkerInit } from '../pipeline/protocol.js';
import { decodeBatch } from '../pipeline/batch-decoder.js';
import { beaconUrl, sendBeacons } from '../pipeline/page/beacon.js';
import { maskerFor } from '../pipeline/redact.js';
import { PageQueueHandler } from '../pipeline/page/queue-handler.js';

/** Options of startBrowserLogging. */
export interface BrowserLoggingOptions {
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

function sessionId(): string {
  try {
    const existing = sessionStorage.getItem('isolog.session');
    if (existing) return existing;
    const id = crypto.randomUUID();
    sessionStorage.setItem('isolog.session', id);
    return id;
  } catch {
    return crypto.randomUUID();
  }
}

async function connectWorker(worker: Worker, init: WorkerInit): Promise<Remote<ListenerApi>> {
  const api = wrap<ListenerApi>(worker);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (e) => reject(new Error(`the worker failed to load: ${e.message || 'error event'}`)), { once: true });
    timer = setTimeout(() => reject(new Error('the worker did not answer within 10 s')), 10_000);
  });
  try {
    await Promise.race([api.init(init), failed]);
  } finally {
    clearTimeout(timer);
  }
  return api;
}

function defaultWorker(options: BrowserLoggingOptions): Worker {
  if (options.createWorker) return options.createWorker();
  if (options.workerUrl) return new Worker(options.workerUrl, { type: 'module', name: 'isolog' });
  // written out in full so that bundlers (Vite, webpack) see and emit the worker
  return new Worker(new URL('../worker.js', import.meta.url), { type: 'module', name: 'isolog' });
}

/**
 * Ships every record of the page (through the root logger) to a worker that stores it in IndexedDB
 * and sends it to the collector. Resolves once the worker is ready.
 * @example const logging = await startBrowserLogging({ collector: 'http://127.0.0.1:4318/v1/logs', resource: { 'service.name': 'shop' } })
 */
export async function startBrowserLogging(options: BrowserLoggingOptions): Promise<BrowserLogging> {
  // JSON-safe once here: the worker and the beacons encode it as it is
  const resource = toJsonValue({ 'session.id': sessionId(), ...options.resource }) as Record<string, unknown>;
  const init: WorkerInit = {
    version: PROTOCOL_VERSION,
    transport: {
      collector: new URL(options.collector, location.href).toString(),
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
    resource,
  };
  const root = getLogger();
  if (options.level !== null) root.setLevel(options.level ?? INFO);
  // records logged while the worker starts wait in the handler's batches
  let ready!: (api: ListenerApi | Remote<ListenerApi>) => void;
  const apiReady = new Promise<ListenerApi | Remote<ListenerApi>>((r) => { ready = r; });
  const starting: ListenerApi = {
    init: async () => ({ version: PROTOCOL_VERSION, durableStorage: false }),
    put: async (batch, count) => (await apiReady).put(batch, count),
    flush: async (ms) => (await apiReady).flush(ms),
    stats: async () => (await apiReady).stats(),
    stop: async () => (await apiReady).stop(),
  };
  let worker: Worker | null = null;
  let api: ListenerApi | Remote<ListenerApi>;
  let restarting: Promise<void> | null = null;
  let stopped = false;

  /** A worker if one can start, else the same listener inside the page (IndexedDB still, if it can). */
  const connect = async (): Promise<ListenerApi | Remote<ListenerApi>> => {
    try {
      if (typeof Worker === 'undefined') throw new Error('Web Workers are not available here');
      worker = defaultWorker(options);
      return await connectWorker(worker, init);
    } catch (err) {
      // CSP, an old browser, a worker that cannot load: the page runs the same listener itself
      reportInternalError(`isolog: no worker (${err instanceof Error ? err.message : String(err)}); the page stores and sends its records itself`);
      worker?.terminate();
      worker = null;
      const { Listener } = await import('../pipeline/worker/listener.js');
      const local = new Listener();
      await local.init(init);
      return local as ListenerApi;
    }
  };
  const restart = (): void => {
    if (restarting || stopped) return;
    restarting = (async () => {
      reportInternalError('isolog: the worker stopped answering; starting a new one and sending it what was not stored');
      worker?.terminate();
      api = await connect();
      handler.setTarget(api);
      handler.resend();
    })().finally(() => { restarting = null; });
  };

  // a batch is the records of one task, so most are small; the cap splits a long burst, and each
  // Comlink call (and its ack) costs the main thread several µs, so it is not set lower
  const handler = new PageQueueHandler(starting, options.batchSize ?? 1000, options.putTimeoutMs ?? 10_000, maskerFor(options.redact), restart);
  root.addHandler(handler);
  api = await connect();
  handler.setTarget(api);
  ready(api);

  const url = beaconUrl(options.collector, options.token);
  const onLeave = (): void => {
    const batches = handler.takeForBeacon();
    if (batches.length) sendBeacons(url, batches.map((b) => decodeBatch(b, PY_TEXT)), resource);
  };
  const onVisibility = (): void => { if (document.visibilityState === 'hidden') onLeave(); };
  addEventListener('pagehide', onLeave);
  document.addEventListener('visibilitychange', onVisibility);
  document.addEventListener('freeze', onLeave);

  const errorLog = getLogger('window');
  const onError = (e: ErrorEvent): void => errorLog.error('Uncaught %s', e.message, e.error instanceof Error ? e.error : new Error(e.message));
  const onRejection = (e: PromiseRejectionEvent): void => {
    const reason = e.reason;
    errorLog.error('Unhandled promise rejection: %s', reason instanceof Error ? reason.message : String(reason), reason instanceof Error ? reason : new Error(String(reason)));
  };
  if (options.captureErrors ?? true) {
    addEventListener('error', onError);
    addEventListener('unhandledrejection', onRejection);
  }

  const flushTimeout = options.flushTimeoutMs ?? 10_000;
  const flush = async (timeoutMs = flushTimeout): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    await handler.drain();
    while (restarting) await restarting;
    await handler.drain();
    await api.flush(Math.max(0, deadline - Date.now()));
  };
  return {
    flush,
    async stats(): Promise<PipelineStats> {
      const s = await api.stats();
      return { ...s, logged: handler.logged };
    },
    async stop(timeoutMs = flushTimeout): Promise<void> {
      stopped = true;
      try {
        await flush(timeoutMs);
      } finally {
        root.removeHandler(handler);
        handler.close();
        removeEventListener('pagehide', onLeave);
        document.removeEventListener('visibilitychange', onVisibility);
        document.removeEventListener('freeze', onLeave);
        removeEventListener('error', onError);
        removeEventListener('unhandledrejection', onRejection);
        await api.stop();
        worker?.terminate();
      }
    },
  };
}


// isolog/browser: the page side of the pipeline. Puts the page's QueueHandler on the root logger,
// connects it to its listener (a worker, pipeline/page/listener-link.ts), and on leaving sends
// what is not yet durable itself (pipeline/page/beacon.ts).
import { INFO } from '../core/level.js';
import { getLogger } from '../core/logger.js';
import { toJsonValue } from '../core/serialize.js';
import type { PageCounts } from '../pipeline/page/direct-send.js';
import { listenerLink, type WorkerSource } from '../pipeline/page/listener-link.js';
import { beaconUrl, queueName } from '../pipeline/page/destination.js';
import { captureUncaughtErrors, onLeavingPage, tabSessionId } from '../pipeline/page/page-events.js';
import { PageQueueHandler } from '../pipeline/page/queue-handler.js';
import { PROTOCOL_VERSION, type FlushResult, type PipelineStats, type WorkerInit } from '../pipeline/protocol.js';
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
}

/**
 * What a flush() that could not keep its promise rejects with: how many records were not delivered
 * by its deadline, and how many were dropped since the last flush, by reason (`quota`, `storage
 * cap`, `rejected` by the collector, `unreadable`).
 * @example try { await logging.flush(); } catch (err) { if (err instanceof FlushError) show(err.notDelivered, err.dropped); }
 */
export class FlushError extends Error {
  override name = 'FlushError';
  constructor(message: string, readonly notDelivered: number, readonly dropped: Record<string, number>) {
    super(message);
  }
}

/** Adds counts by reason into `into`. */
function addCounts(into: Record<string, number>, from: Record<string, number>): Record<string, number> {
  for (const reason in from) into[reason] = (into[reason] ?? 0) + from[reason];
  return into;
}

const records = (n: number): string => `${n} record${n === 1 ? '' : 's'}`;

/** The FlushError for what a flush found (the worker's answer, null if none), or null when it kept its promise. */
function flushError(timeoutMs: number, held: number, worker: FlushResult | null, own: Record<string, number>): FlushError | null {
  const notDelivered = held + (worker?.notDelivered ?? 0);
  const dropped = addCounts({ ...worker?.dropped }, own);
  const lost = Object.values(dropped).reduce((a, b) => a + b, 0);
  if (!notDelivered && !lost && worker) return null;
  const parts = [
    worker ? '' : `the worker did not answer flush() within ${timeoutMs} ms`,
    notDelivered ? `flush timed out after ${timeoutMs} ms with ${records(notDelivered)} not delivered` : '',
    lost ? `${records(lost)} dropped (${Object.keys(dropped).map((r) => `${r}: ${dropped[r]}`).join(', ')})` : '',
    // why they did not go yet; a drop's reason is in its name, its WARNING record and the error channel
    notDelivered && worker?.lastError ? `last error: ${worker.lastError}` : '',
  ];
  return new FlushError(`isolog: ${parts.filter(Boolean).join('; ')}`, notDelivered, dropped);
}

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

/** What the worker is told at start: where and how to send, the storage caps, the resource. */
function workerInit(options: BrowserLoggingOptions): WorkerInit {
  const collector = new URL(options.collector, globalThis.location?.href).toString();
  const transport = options.transport ?? (/^wss?:/.test(options.collector) ? 'websocket' : 'fetch');
  return {
    version: PROTOCOL_VERSION,
    transport: {
      collector,
      transport,
      token: options.token,
      maxRecordsPerRequest: options.send?.maxRecords ?? 10_000,
      // by default MAX_BYTES_PER_REQUEST, which the worker and the page's own sender apply
      maxBytesPerRequest: options.send?.maxBytes,
      retryBaseMs: options.send?.retryBaseMs ?? 1000,
    },
    storage: {
      maxRecords: options.storage?.maxRecords ?? 100_000,
      maxBytes: options.storage?.maxBytes ?? 20 * 1024 * 1024,
      // a queue (and a flusher) per destination: tabs sending elsewhere keep out of each other's
      database: queueName(options.storage?.database ?? 'isolog', transport, collector, options.token),
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
  // what the page sends itself (rare: a batch the worker keeps refusing, leaving): a chunk of its
  // own, loaded now, beside the worker, and ready before this resolves
  const loadingSelfDelivery = import('../pipeline/page/self-delivery.js');
  const init = workerInit(options);
  const root = getLogger();
  if (options.level !== null) root.setLevel(options.level ?? INFO);
  const link = listenerLink(init, options);
  // what the page delivers itself, when the worker keeps refusing a batch
  const own: PageCounts = { sent: 0, acknowledged: 0, dropped: {}, lastError: null };
  let told: Record<string, number> = {};
  // the page's own requests go to the collector's http(s) URL, the token as a header
  const url = beaconUrl(options.collector);
  const sendingSelf = loadingSelfDelivery.then((m) => m.directSender(url, options.token, init.resource, init.transport.maxBytesPerRequest, own));
  const sendSelf = async (batch: string): Promise<boolean> => (await sendingSelf)(batch);
  // a batch is the records of one task, so most are small; the cap splits a long burst, and each
  // call to the worker (and its ack) costs the main thread several µs, so it is not set lower
  const handler: PageQueueHandler = new PageQueueHandler(link.starting, options.batchSize ?? 1000, options.putTimeoutMs ?? 10_000,
    maskerFor(options.redact), () => link.restart((api) => { handler.setTarget(api); handler.resend(); }), sendSelf);
  root.addHandler(handler);
  let selfDelivery: typeof import('../pipeline/page/self-delivery.js') | null = null;
  const leave = (): void => {
    const batches = handler.takeForBeacon();
    if (batches.length === 0) return;
    // a page left while the chunk still loads sends once it is there, if the page still runs then
    if (selfDelivery) selfDelivery.sendLeavingBatches(url, options.token, batches, init.resource);
    else void loadingSelfDelivery.then((m) => m.sendLeavingBatches(url, options.token, batches, init.resource));
  };
  const stopLeaving = onLeavingPage(leave);
  const [api] = await Promise.all([link.connect(), loadingSelfDelivery.then((m) => { selfDelivery = m; })]);
  handler.setTarget(api);

  const stopCapturing = options.captureErrors ?? true ? captureUncaughtErrors(getLogger('window')) : () => undefined;

  const flushTimeout = options.flushTimeoutMs ?? 10_000;
  const flush = async (timeoutMs = flushTimeout): Promise<void> => {
    const deadline = Date.now() + timeoutMs;
    await handler.drain(deadline);
    await link.settled();
    const held = await handler.drain(deadline);
    const left = Math.max(0, deadline - Date.now());
    // a worker that never answers (it hangs) must not hang flush()
    let timer: ReturnType<typeof setTimeout> | undefined;
    const worker = await Promise.race([link.api.flush(left), new Promise<null>((resolve) => { timer = setTimeout(resolve, left + 2000, null); })]);
    clearTimeout(timer);
    // the page's own drops, each told by one flush as the worker's are
    const dropped: Record<string, number> = {};
    for (const reason in own.dropped) if (own.dropped[reason] > (told[reason] ?? 0)) dropped[reason] = own.dropped[reason] - (told[reason] ?? 0);
    told = { ...own.dropped };
    const failed = flushError(timeoutMs, held, worker, dropped);
    if (failed) throw failed;
  };
  return {
    flush,
    async stats(): Promise<PipelineStats> {
      // the worker's counts and what the page delivered itself
      const stats = await link.api.stats();
      return {
        ...stats, logged: handler.logged, sent: stats.sent + own.sent, acknowledged: stats.acknowledged + own.acknowledged,
        dropped: addCounts({ ...stats.dropped }, own.dropped), lastError: stats.lastError ?? own.lastError,
      };
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

// isolog/browser: the page side. A QueueHandler on the root logger batches records (per microtask, at
// most N to a batch, one Comlink call per batch) to the worker, keeps each batch until the worker says it is
// durable, and on pagehide/hidden/freeze sends what is not yet durable itself, by beacon.
import { wrap, type Remote } from 'comlink';
import { reportInternalError } from '../core/internal-error.js';
import { getLogger } from '../core/logger.js';
import { Handler } from '../core/handler.js';
import { toJsonValue } from '../core/serialize.js';
import type { LogRecord } from '../core/record.js';
import { encodeRecord, encodeRecords } from '../transport/otlp.js';
import { PROTOCOL_VERSION, type ListenerApi, type PipelineStats, type WireRecord, type WorkerInit } from '../worker/protocol.js';
import { decodeBatch } from '../worker/raw-batch.js';
import { encodeBatch, masker, type Masker, type RedactSpec } from './page-batch.js';

/** Options of startBrowserLogging. */
export interface BrowserLoggingOptions {
  /** The OTLP endpoint: `http://host:4318/v1/logs`, or `ws://host:4318/v1/logs` for the WebSocket transport. */
  collector: string;
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

const DEFAULT_REDACT: RegExp = /authorization|cookie|passw(or)?d|secret|token|api[-_]?key|session[-_]?key|credential/i;
// keepalive bodies share a 64 KiB budget per page; leave room for headers
const BEACON_BUDGET = 60 * 1024;

function redactSpec(option: BrowserLoggingOptions['redact']): RedactSpec | null {
  if (option === false) return null;
  return { keys: option?.keys ?? [DEFAULT_REDACT], replacement: option?.replacement ?? '[REDACTED]' };
}

/** A batch posted to the worker and not yet confirmed durable. */
interface PendingBatch {
  body: string;
  count: number;
  /** When it was last sent, while the worker has not answered; 0 once it has (stored, or failed). */
  sentAt: number;
  beaconed: boolean;
  /** Resolves once the worker has answered (stored, or failed) the last time the batch was sent. */
  answered: Promise<void>;
  answer: () => void;
}

/**
 * The page's queue handler (Python's QueueHandler, with the worker as its queue). A logging call
 * only pushes its record; at the end of the task (a microtask) the records are encoded, at most
 * `batchSize` to a batch, as one string of columns, one Comlink call per batch. Each batch's
 * string is kept until the worker confirms it durable.
 */
class PageQueueHandler extends Handler {
  private current: LogRecord[] = [];
  /** Batches that reached batchSize in this task, waiting for the microtask. */
  private full: LogRecord[][] = [];
  private scheduled = false;
  private nextId = 0;
  /** Batches the listener has not yet confirmed durable, by id, oldest first. */
  readonly unconfirmed = new Map<number, PendingBatch>();
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  logged = 0;

  constructor(private target: ListenerApi | Remote<ListenerApi>, private readonly batchSize: number,
    private readonly putTimeoutMs: number, private readonly mask: Masker | null, private readonly onStuck: () => void) {
    super();
  }

  setTarget(target: ListenerApi | Remote<ListenerApi>): void {
    this.target = target;
  }

  override emit(record: LogRecord): void {
    this.logged++;
    const current = this.current;
    current.push(record);
    if (current.length >= this.batchSize) {
      this.full.push(current);
      this.current = [];
    }
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.post());
    }
  }

  /** Encodes and posts every batch waiting. */
  post(): void {
    this.scheduled = false;
    const batches = this.full;
    if (this.current.length > 0) batches.push(this.current);
    if (batches.length === 0) return;
    this.full = [];
    this.current = [];
    for (const records of batches) {
      let body: string;
      try {
        body = encodeBatch(records, this.mask);
      } catch (err) {
        this.handleError(records[0], err);
        continue;
      }
      const id = this.nextId++;
      let answer!: () => void;
      const answered = new Promise<void>((resolve) => { answer = resolve; });
      const batch: PendingBatch = { body, count: records.length, sentAt: 0, beaconed: false, answered, answer };
      this.unconfirmed.set(id, batch);
      this.send(id, batch);
    }
  }

  private send(id: number, batch: PendingBatch): void {
    batch.sentAt = Date.now();
    this.armWatchdog(this.putTimeoutMs);
    let call: Promise<void>;
    try {
      call = Promise.resolve(this.target.put(batch.body, batch.count));
    } catch (err) {
      call = Promise.reject(err);
    }
    // a dead worker never answers: the watchdog restarts it and this batch is sent again
    call.then(
      () => {
        this.unconfirmed.delete(id);
        batch.sentAt = 0;
        batch.answer();
      },
      (err: unknown) => {
        // a worker that answers is alive: the batch stays for the beacon and a restart, not for the watchdog
        if (this.unconfirmed.has(id)) reportInternalError(`isolog: the worker could not store a batch of ${batch.count} records (kept for the pagehide beacon): ${String(err)}`);
        batch.sentAt = 0;
        batch.answer();
      },
    );
  }

  /**
   * One timer for every batch in flight: a batch the worker has not confirmed within putTimeoutMs
   * means it has died (it is restarted and gets every unconfirmed batch again).
   */
  private armWatchdog(delay: number): void {
    if (this.watchdog !== undefined) return;
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined;
      let oldest = Infinity;
      for (const batch of this.unconfirmed.values()) if (batch.sentAt > 0) oldest = Math.min(oldest, batch.sentAt);
      if (oldest === Infinity) return;
      const waited = Date.now() - oldest;
      if (waited >= this.putTimeoutMs) this.onStuck();
      else this.armWatchdog(this.putTimeoutMs - waited);
    }, delay);
  }

  /** Hands every batch not yet confirmed to the (new) target again; the collector drops duplicates. */
  resend(): void {
    for (const [id, batch] of this.unconfirmed) this.send(id, batch);
  }

  /** Posts what is waiting and waits until every batch posted so far is durable (or failed). */
  async drain(): Promise<void> {
    this.post();
    await Promise.all([...this.unconfirmed.values()].map((b) => b.answered));
  }

  /**
   * Batches not yet durable and not yet sent by beacon, newest first (the worker stores in order, so
   * the older ones are the likelier to be stored already); marks them sent.
   */
  takeForBeacon(): string[] {
    this.post();
    const out: string[] = [];
    for (const batch of this.unconfirmed.values()) {
      if (batch.beaconed) continue;
      batch.beaconed = true;
      out.push(batch.body);
    }
    return out.reverse();
  }

  override close(): void {
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    super.close();
  }
}

function beaconUrl(collector: string, token?: string): string {
  const url = new URL(collector, location.href);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  if (url.protocol === 'wss:') url.protocol = 'https:';
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

function postKeepalive(url: string, body: string): boolean {
  const blob = new Blob([body], { type: 'text/plain;charset=UTF-8' });
  if (typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(url, blob)) return true;
  try {
    void fetch(url, { method: 'POST', body, keepalive: true, credentials: 'omit', headers: { 'content-type': 'text/plain;charset=UTF-8' } }).catch(() => undefined);
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends records by beacon (or fetch keepalive) within the keepalive budget, in the order given, in as
 * few requests as fit; returns how many went. Each record is encoded once to measure it.
 */
function sendBeacons(url: string, batches: WireRecord[][], resource: Record<string, unknown>): number {
  const records = batches.flat();
  // the request's fixed part: the resource and one scope, measured once
  const overhead = JSON.stringify(encodeRecords([], resource)).length + 64;
  let budget = BEACON_BUDGET;
  let sent = 0;
  let chunk: WireRecord[] = [];
  let size = overhead;
  const flush = (): boolean => {
    if (chunk.length === 0) return true;
    const body = JSON.stringify(encodeRecords(chunk, resource));
    if (!postKeepalive(url, body)) return false;
    budget -= body.length;
    sent += chunk.length;
    chunk = [];
    size = overhead;
    return true;
  };
  for (const record of records) {
    const bytes = JSON.stringify(encodeRecord(record)).length + 1;
    // larger than what is left of the budget: skipped here (the worker may still have stored it)
    if (overhead + bytes > budget) continue;
    if (size + bytes > budget) {
      if (!flush()) return sent;
      if (overhead + bytes > budget) break;
    }
    chunk.push(record);
    size += bytes;
  }
  flush();
  return sent;
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
      maxRecordsPerRequest: options.send?.maxRecords ?? 1000,
      maxBytesPerRequest: options.send?.maxBytes ?? 1024 * 1024,
      retryBaseMs: options.send?.retryBaseMs ?? 1000,
    },
    storage: {
      maxRecords: options.storage?.maxRecords ?? 100_000,
      maxBytes: options.storage?.maxBytes ?? 20 * 1024 * 1024,
      database: options.storage?.database ?? 'isolog',
    },
    resource,
  };
  const redact = redactSpec(options.redact);
  const root = getLogger();
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
      const { Listener } = await import('../worker/listener.js');
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
  const handler = new PageQueueHandler(starting, options.batchSize ?? 1000, options.putTimeoutMs ?? 10_000, redact && masker(redact), restart);
  root.addHandler(handler);
  api = await connect();
  handler.setTarget(api);
  ready(api);

  const url = beaconUrl(options.collector, options.token);
  const onLeave = (): void => {
    const batches = handler.takeForBeacon();
    if (batches.length) sendBeacons(url, batches.map(decodeBatch), resource);
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

// FetchHandler: records to an OTLP/HTTP endpoint over fetch, from any runtime without a page (Node,
// Deno, Bun, workerd). The browser flusher's sending without its IndexedDB: records wait in memory,
// bounded; one request at a time, in order; delivery.ts decides what retries, splits or stops.
import { ConfigError } from '../config/config-error.js';
import type { PlainRecord } from '../core/fields.js';
import { Handler } from '../core/handler.js';
import { reportInternalError } from '../core/internal-error.js';
import { checkLevel, NOTSET, WARNING } from '../core/level.js';
import { LogRecord } from '../core/record.js';
import { toJsonValue } from '../core/serialize.js';
import { prepareRecord } from '../handlers/queue.js';
import { deliver, MAX_BYTES_PER_REQUEST, recordDelivery, retryScheduler, utf8Length, type DeliveryCounts, type RetryScheduler, type DeliveryOptions } from './delivery.js';
import { FlushError } from './flush-error.js';
import { postOtlp } from './http.js';

/**
 * The runtime's `typeof fetch`, named without naming `fetch`: a program with no DOM or Node types
 * (an isolog/node consumer may have none) can still read these declarations.
 */
export type FetchFunction = typeof globalThis extends { fetch: infer F } ? F : (input: string, init?: object) => Promise<unknown>;

/** Options of FetchHandler; only `url` is required. */
export interface FetchHandlerOptions {
  /** The OTLP/HTTP logs endpoint, e.g. `http://127.0.0.1:4318/v1/logs`. */
  url: string;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** OTLP resource attributes of every request (`service.name`…); none by default, as the browser's. */
  resource?: Record<string, unknown>;
  level?: number | string;
  /** Records per request at most (default 500); a request is also split under 4 MiB. */
  batchSize?: number;
  /** A batch goes this long after its first record without any flush() (default 1000); null: only flush() and close() send. */
  flushIntervalMs?: number | null;
  /** Records held unsent at most (default 10,000); past it new records are dropped (`dropped.overflow`). */
  maxRecords?: number;
  /** Bytes held unsent at most, each record counted as the UTF-8 length of its JSON (default 16 MiB); past it likewise. */
  maxBytes?: number;
  /** Each request's timeout (default 10 s). */
  requestTimeoutMs?: number;
  /** Gzip bodies where CompressionStream exists and it saves bytes (default true). */
  gzip?: boolean;
  /** The fetch to call; by default the global one, looked up at each request. */
  fetch?: FetchFunction;
  /** The first retry's delay, doubled each retry up to 60 s, jittered (default 1000, as the browser's). */
  retryBaseMs?: number;
}

/** What a FetchHandler counts: `handled` is always `acknowledged + pending` plus every drop. */
export interface FetchHandlerStats {
  /** Records emit() took, dropped ones too. */
  handled: number;
  /** Records the collector took (a 2xx), less those its partialSuccess rejected. */
  acknowledged: number;
  /** Records held: waiting, or in the request on its way. */
  pending: number;
  /** Dropped records by reason: overflow, rejected, timeout, closed, error (the record could not be prepared). */
  dropped: Record<string, number>;
  /** The last failed answer (`HTTP 503`, `network: …`), or null. */
  lastError: string | null;
}

/** A held record: its order among the records handled, and the bytes it counts for. */
interface Held { record: PlainRecord; ordinal: number; bytes: number; notice?: true }
/** A flush waiting for every record up to `through` to be acknowledged or dropped. */
interface Waiter { through: number; resolve(): void }

const plural = (n: number): string => `${n} record${n === 1 ? '' : 's'}`;

function positive(value: number | undefined, fallback: number, key: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) throw new ConfigError(`FetchHandler: ${key} must be a positive number; got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Sends records as OTLP/HTTP JSON with fetch: batched, gzipped, retried with backoff on network
 * errors, 408, 429 and 5xx, a record the collector refuses (400/413) dropped alone. `flush()`
 * resolves once the collector acknowledged every record handled before it.
 * @example
 * const net = new FetchHandler({ url: 'http://127.0.0.1:4318/v1/logs', resource: { 'service.name': 'api' } });
 * getLogger().addHandler(net);
 * await net.flush({ timeoutMs: 5000 });
 */
export class FetchHandler extends Handler {
  readonly url: string;
  private readonly options: FetchHandlerOptions;
  private readonly batchSize: number;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private queue: Held[] = [];
  /** The request on its way, or the one to send again. */
  private inflight: Held[] = [];
  private held = 0;
  private heldBytes = 0;
  private handled = 0;
  private acknowledged = 0;
  private readonly counts: DeliveryCounts = { sent: 0, dropped: {}, lastError: null };
  private overflowSinceNotice = 0;
  private settledInRequest = 0;
  private waiters: Waiter[] = [];
  private running: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private abort: AbortController | null = null;
  private refused = false;
  private stopped = false;
  private closing: Promise<void> | null = null;
  private readonly scheduler: RetryScheduler;
  private readonly delivery: DeliveryOptions<PlainRecord>;
  private readonly notices = new WeakSet<PlainRecord>();

  constructor(options: FetchHandlerOptions) {
    super(options?.level === undefined ? NOTSET : checkLevel(options.level));
    if (typeof options?.url !== 'string' || !options.url) throw new ConfigError('FetchHandler: url must be the OTLP/HTTP logs endpoint, e.g. "http://127.0.0.1:4318/v1/logs"');
    this.url = options.url;
    this.options = options;
    this.batchSize = positive(options.batchSize, 500, 'batchSize');
    this.maxRecords = positive(options.maxRecords, 10_000, 'maxRecords');
    this.maxBytes = positive(options.maxBytes, 16 * 1024 * 1024, 'maxBytes');
    // a retry's sleep holds a Node process open only while someone awaits a flush or close
    this.scheduler = retryScheduler(positive(options.retryBaseMs, 1000, 'retryBaseMs'), () => this.waiters.length > 0);
    if (options.flushIntervalMs !== undefined && options.flushIntervalMs !== null) positive(options.flushIntervalMs, 0, 'flushIntervalMs');
    const timeoutMs = positive(options.requestTimeoutMs, 10_000, 'requestTimeoutMs');
    const resource = toJsonValue(options.resource ?? {}) as Record<string, unknown>;
    const post = (body: string) => postOtlp(this.url, body, {
      token: options.token, gzip: options.gzip, fetch: options.fetch, signal: this.abort?.signal, timeoutMs,
    });
    const base = recordDelivery(post, resource, MAX_BYTES_PER_REQUEST, this.counts, reportInternalError);
    // after close() gave up, what still comes back was counted as dropped.timeout already
    this.delivery = {
      ...base,
      onSent: (records) => {
        if (this.stopped) return;
        this.settledInRequest += records.length;
        this.acknowledged += this.real(records);
      },
      onRejected: (record, answer) => {
        if (this.stopped) return;
        this.settledInRequest++;
        base.onRejected(record, answer);
      },
      onPartial: (records, answer) => {
        if (this.stopped) return;
        base.onPartial?.(records, answer);
        this.acknowledged -= Math.min(answer.rejected ?? 0, this.real(records));
      },
    };
  }

  /** The plain record sent for `record` (QueueHandler's prepare). */
  prepare(record: LogRecord): PlainRecord {
    return prepareRecord(record, this);
  }

  /** Queues the record; never throws. Past the caps, or after close(), it is dropped and counted. */
  emit(record: LogRecord): void {
    this.handled++;
    if (this.closing) return this.drop('closed');
    try {
      const plain = this.prepare(record);
      const bytes = utf8Length(JSON.stringify(plain));
      if (this.held >= this.maxRecords || this.heldBytes + bytes > this.maxBytes) return this.overflow();
      this.queue.push({ record: plain, ordinal: this.handled, bytes });
      this.held++;
      this.heldBytes += bytes;
      this.schedule();
    } catch (err) {
      this.drop('error');
      this.handleError(record, err);
    }
  }

  /**
   * Resolves once every record handled before the call was acknowledged (2xx) or dropped and
   * counted. With `timeoutMs`, rejects at the deadline with a FlushError if some are still
   * pending; they stay queued and go later.
   */
  override flush(options: { timeoutMs?: number } = {}): Promise<void> {
    const through = this.handled;
    if (this.firstUnsettled() > through) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { through, resolve };
      // a retry's sleep begun while nobody waited would not hold Node open: retry now, then sleep held
      if (this.waiters.length === 0) this.scheduler.wake();
      this.waiters.push(waiter);
      this.start();
      const { timeoutMs } = options;
      if (timeoutMs === undefined) return;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        const { lastError } = this.counts;
        reject(new FlushError(`isolog: flush timed out after ${timeoutMs} ms with ${plural(this.held)} not delivered to ${this.url}`
          + `${lastError ? `; last error: ${lastError}` : ''}`, this.held, { ...this.counts.dropped }, lastError));
      }, timeoutMs);
      waiter.resolve = () => { clearTimeout(timer); resolve(); };
    });
  }

  /**
   * Flushes, then stops. Never rejects: at `timeoutMs` the request on its way is aborted and what is
   * still unsent is dropped (`dropped.timeout`, reported once). Later records are dropped (`dropped.closed`).
   */
  override close(options: { timeoutMs?: number } = {}): Promise<void> {
    this.closing ??= this.shut(options.timeoutMs);
    return this.closing;
  }

  /** Counts so far (a copy). */
  get stats(): FetchHandlerStats {
    return { handled: this.handled, acknowledged: this.acknowledged, pending: this.held, dropped: { ...this.counts.dropped }, lastError: this.counts.lastError };
  }

  private async shut(timeoutMs: number | undefined): Promise<void> {
    const flushed = this.flush();
    if (timeoutMs === undefined) await flushed;
    else {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<false>((resolve) => { timer = setTimeout(resolve, timeoutMs, false); });
      const inTime = await Promise.race([flushed.then(() => true), deadline]);
      clearTimeout(timer);
      if (!inTime) this.giveUp(timeoutMs);
    }
    this.stopped = true;
    this.scheduler.stop();
    clearTimeout(this.timer);
    super.close();
  }

  /** close()'s deadline passed: abort the request, drop what is held, and say so once. */
  private giveUp(timeoutMs: number): void {
    this.stopped = true;
    this.scheduler.stop();
    this.abort?.abort();
    const lost = this.held;
    this.queue = [];
    this.inflight = [];
    this.held = 0;
    this.heldBytes = 0;
    if (lost > 0) {
      this.counts.dropped.timeout = (this.counts.dropped.timeout ?? 0) + lost;
      reportInternalError(`isolog: FetchHandler closed after ${timeoutMs} ms with ${plural(lost)} not delivered to ${this.url}; they were dropped`
        + ` (last error: ${this.counts.lastError ?? 'none, the request was still on its way'})`);
    }
    this.settle();
  }

  private drop(reason: string): void {
    this.counts.dropped[reason] = (this.counts.dropped[reason] ?? 0) + 1;
  }

  private overflow(): void {
    this.drop('overflow');
    // said once per episode here; the collector hears of every drop in the next request's notice
    if (this.overflowSinceNotice++ === 0) {
      reportInternalError(`isolog: FetchHandler holds ${plural(this.held)} (${this.heldBytes} bytes) not yet taken by ${this.url}, its cap; new records are dropped until it takes some`);
    }
  }

  /** The WARNING that ends the next request after drops, so that the collector sees them with the records. */
  private notice(): Held {
    const text = `isolog: dropped ${plural(this.overflowSinceNotice)} over this handler's cap of ${this.maxRecords} records / ${this.maxBytes} bytes`;
    this.overflowSinceNotice = 0;
    const record = prepareRecord(new LogRecord('isolog', WARNING, '', 0, text, null, null), this);
    this.notices.add(record);
    return { record, ordinal: 0, bytes: 0, notice: true };
  }

  /** How many of `records` are records handled, not notices. */
  private real(records: PlainRecord[]): number {
    let n = records.length;
    for (const record of records) if (this.notices.has(record)) n--;
    return n;
  }

  /** The ordinal of the oldest record neither acknowledged nor dropped (Infinity: none). */
  private firstUnsettled(): number {
    return this.inflight.find((h) => !h.notice)?.ordinal ?? this.queue[0]?.ordinal ?? Infinity;
  }

  private settle(): void {
    const first = this.firstUnsettled();
    const done = this.waiters.filter((w) => w.through < first);
    if (done.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.through >= first);
    for (const w of done) w.resolve();
  }

  /** After a record is queued: send now if a batch is full, else in flushIntervalMs (never with null). */
  private schedule(): void {
    const interval = this.options.flushIntervalMs === undefined ? 1000 : this.options.flushIntervalMs;
    if (this.running || interval === null) return;
    if (this.queue.length >= this.batchSize) return this.start();
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.start(), interval);
    // records waiting for the interval do not keep a Node process alive; shutdown() sends them
    (this.timer as unknown as { unref?: () => void }).unref?.();
  }

  private hasWork(): boolean {
    return this.inflight.length > 0 || this.queue.length > 0 || this.overflowSinceNotice > 0;
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // run() awaits before it can end when there is work, so `running` is set before it is cleared
    if (!this.running && !this.stopped && this.hasWork()) this.running = this.run();
  }

  /** One request at a time, in order, until nothing is held; a retry sends only what did not go. */
  private async run(): Promise<void> {
    while (!this.stopped && this.hasWork()) {
      if (this.inflight.length === 0) {
        this.inflight = this.queue.splice(0, this.batchSize);
        if (this.overflowSinceNotice > 0) this.inflight.push(this.notice());
      }
      this.settledInRequest = 0;
      this.abort = new AbortController();
      const delivery = await deliver(this.inflight.map((h) => h.record), this.delivery);
      this.abort = null;
      if (this.stopped) break;
      for (const h of this.inflight.splice(0, this.settledInRequest)) {
        if (h.notice) continue;
        this.held--;
        this.heldBytes -= h.bytes;
      }
      this.settle();
      if (delivery.outcome === 'done') {
        this.scheduler.succeeded();
        this.refused = false;
        continue;
      }
      if (delivery.outcome === 'stop' && !this.refused) {
        this.refused = true;
        reportInternalError(`isolog: ${this.url} answered ${this.counts.lastError}: check the token. Records are kept and sent again with backoff.`);
      }
      await this.scheduler.waitToRetry(delivery.answer.retryAfter);
    }
    this.running = null;
  }
}

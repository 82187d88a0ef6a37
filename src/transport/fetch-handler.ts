// FetchHandler: records to an OTLP/HTTP endpoint over fetch, from any runtime without a page (Node,
// Deno, Bun, workerd). The browser flusher's sending without its IndexedDB: records wait in memory,
// bounded; one request at a time, in order; delivery.ts decides what retries, splits or stops.
import type { PlainRecord } from '../core/fields.js';
import { Handler } from '../core/handler.js';
import { reportInternalError } from '../core/internal-error.js';
import { WARNING } from '../core/level.js';
import type { LogRecord } from '../core/record.js';
import { createRecord } from '../core/record-factory.js';
import { prepareRecord } from '../handlers/queue.js';
import { deliver, MAX_BYTES_PER_REQUEST, recordDelivery, retryScheduler, utf8Length, type Delivery, type DeliveryCounts, type DeliveryOptions, type RetryScheduler } from './delivery.js';
import { fetchSettings, type FetchHandlerOptions, type FetchHandlerStats } from './fetch-options.js';
import { FlushError } from './flush-error.js';
import { postOtlp } from './http.js';

export type { FetchFunction, FetchHandlerOptions, FetchHandlerStats } from './fetch-options.js';

/**
 * A held record: its order among the records handled (0 for a notice), and the bytes it counts for:
 * the UTF-8 bytes of its JSON once `measured`, until then a bound that they cannot pass.
 */
interface Held { record: PlainRecord; ordinal: number; bytes: number; measured: boolean }
/** A flush waiting for every record up to `through` to be acknowledged or dropped. */
interface Waiter { through: number; resolve(): void }

const plural = (n: number): string => `${n} record${n === 1 ? '' : 's'}`;

// a number's JSON is at most 25 characters (-0.0000012345678901234567); a string's at most 6 bytes
// of UTF-8 a UTF-16 unit (\u001f), and its quotes
const NUMBER_BYTES = 32;

/**
 * Bytes that the UTF-8 of `record`'s JSON cannot pass, read from its keys' and values' lengths; -1
 * when a value is not a string, number, boolean or null (only JSON.stringify can tell then). Most
 * records sit far under the byte cap, so their JSON need not be made twice: once here, once to send.
 */
function jsonBytesAtMost(record: PlainRecord): number {
  if (Object.getPrototypeOf(record) !== Object.prototype) return -1;
  let bytes = 2;
  for (const key in record) {
    const value = record[key];
    bytes += 6 * key.length + 4;
    switch (typeof value) {
      case 'string': bytes += 6 * value.length + 2; break;
      case 'number': bytes += NUMBER_BYTES; break;
      case 'boolean': bytes += 5; break;
      case 'undefined': break;
      default: if (value !== null) return -1; bytes += 4;
    }
  }
  return bytes;
}

/**
 * Sends records as OTLP/HTTP JSON with fetch: batched, gzipped, retried with backoff on network
 * errors, 408, 429 and 5xx, a record the collector refuses (400/413) dropped alone. `flush()`
 * resolves once the collector acknowledged every record handled before it. In workerd make one per
 * request (`flushIntervalMs: null`): one shared by requests that overlap leaves their flushes
 * waiting on I/O of another request, which workerd never lets settle them.
 * @example
 * const net = new FetchHandler({ url: 'http://127.0.0.1:4318/v1/logs', resource: { 'service.name': 'api' } });
 * getLogger().addHandler(net);
 * getLogger('api').warning('disk %d%% full', 91);
 * await net.flush({ timeoutMs: 5000 }); // or, at exit: await shutdown()
 */
export class FetchHandler extends Handler {
  readonly url: string;
  private readonly batchSize: number;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly interval: number | null;
  private readonly scheduler: RetryScheduler;
  private readonly delivery: DeliveryOptions<PlainRecord>;
  private readonly counts: DeliveryCounts = { sent: 0, dropped: {}, lastError: null };
  /** The WARNINGs this handler adds after drops: sent, never counted as records handled. */
  private readonly notices = new WeakSet<PlainRecord>();
  private queue: Held[] = [];
  /** The request on its way, or the one to send again. */
  private inflight: Held[] = [];
  private waiters: Waiter[] = [];
  private held = 0;
  /** Bytes of the held records measured; with `boundBytes`, the bound of those not: together, at least what they weigh. */
  private heldBytes = 0;
  private boundBytes = 0;
  private handled = 0;
  private acknowledged = 0;
  private overflowSinceNotice = 0;
  private settledInRequest = 0;
  private running: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private abort: AbortController | null = null;
  private closing: Promise<void> | null = null;
  private refused = false;
  private stopped = false;
  /** When close()'s deadline falls (ms since the epoch), or null. */
  private deadlineAt: number | null = null;

  constructor(options: FetchHandlerOptions) {
    const settings = fetchSettings(options);
    super(settings.level);
    ({ url: this.url, interval: this.interval, batchSize: this.batchSize, maxRecords: this.maxRecords, maxBytes: this.maxBytes } = settings);
    // a retry's sleep holds a Node process open only while someone awaits a flush or close
    this.scheduler = retryScheduler(settings.retryBaseMs, () => this.waiters.length > 0);
    // a request that close()'s deadline bounds needs no timer of its own: the deadline aborts it, and
    // each timer and combined signal is CPU that an edge request pays for (about 0.1-0.3 ms each in workerd)
    const post = (body: string) => postOtlp(this.url, body, {
      token: options.token, gzip: options.gzip, fetch: options.fetch, signal: this.abort?.signal,
      timeoutMs: this.deadlineAt !== null && this.deadlineAt - Date.now() <= settings.requestTimeoutMs ? null : settings.requestTimeoutMs,
    });
    const base = recordDelivery(post, settings.resource, MAX_BYTES_PER_REQUEST, this.counts, reportInternalError);
    const real = (records: PlainRecord[]): number => records.filter((r) => !this.notices.has(r)).length;
    // after close() gave up, what still comes back was counted as dropped.timeout already
    this.delivery = {
      ...base,
      onSent: (records) => {
        if (!this.stopped) { this.settledInRequest += records.length; this.acknowledged += real(records); }
      },
      onRejected: (record, answer) => {
        if (!this.stopped) { this.settledInRequest++; base.onRejected(record, answer); }
      },
      onPartial: (records, answer) => {
        if (!this.stopped) { base.onPartial?.(records, answer); this.acknowledged -= Math.min(answer.rejected ?? 0, real(records)); }
      },
    };
  }

  /** The plain record sent for `record`, as QueueHandler.prepare makes it; override to change what is sent. */
  prepare(record: LogRecord): PlainRecord {
    return prepareRecord(record, this);
  }

  /** Queues the record; never throws. Past the caps, or after close(), it is dropped and counted. */
  emit(record: LogRecord): void {
    this.handled++;
    if (this.closing) return this.drop('closed');
    try {
      const plain = this.prepare(record);
      const held: Held = { record: plain, ordinal: this.handled, bytes: jsonBytesAtMost(plain), measured: false };
      // the cap is kept, measured or not, while the bounds keep it; once they do not, every byte is counted
      if (held.bytes < 0 || this.heldBytes + this.boundBytes + held.bytes > this.maxBytes) {
        this.measureHeld();
        held.bytes = utf8Length(JSON.stringify(plain));
        held.measured = true;
      }
      if (this.held >= this.maxRecords || this.heldBytes + this.boundBytes + held.bytes > this.maxBytes) {
        this.measureHeld();
        return this.overflow();
      }
      this.queue.push(held);
      this.held++;
      if (held.measured) this.heldBytes += held.bytes;
      else this.boundBytes += held.bytes;
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
        const late = [...this.inflight, ...this.queue].filter((h) => h.ordinal > 0 && h.ordinal <= through).length;
        reject(new FlushError(`isolog: flush timed out after ${timeoutMs} ms with ${plural(late)} not delivered to ${this.url}`
          + `${lastError ? `; last error: ${lastError}` : ''}`, late, { ...this.counts.dropped }, lastError));
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
    // the deadline is known before the flush starts its first request, which it then bounds
    if (timeoutMs !== undefined) this.deadlineAt = Date.now() + timeoutMs;
    const flushed = this.flush();
    if (timeoutMs === undefined) await flushed;
    else {
      // one timer: at the deadline giveUp() aborts the request and settles the flush awaited here
      const timer = setTimeout(() => this.giveUp(timeoutMs), timeoutMs);
      await flushed;
      clearTimeout(timer);
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
    [this.queue, this.inflight, this.held, this.heldBytes, this.boundBytes] = [[], [], 0, 0, 0];
    if (lost > 0) {
      this.counts.dropped.timeout = (this.counts.dropped.timeout ?? 0) + lost;
      reportInternalError(`isolog: FetchHandler closed after ${timeoutMs} ms with ${plural(lost)} not delivered to ${this.url}; they were dropped`
        + ` (last error: ${this.counts.lastError ?? 'none, the request was still on its way'})`);
    }
    this.settle();
  }

  /** Counts the bytes of every held record not measured yet. */
  private measureHeld(): void {
    if (this.boundBytes === 0) return;
    for (const h of [...this.inflight, ...this.queue]) {
      if (h.measured) continue;
      this.boundBytes -= h.bytes;
      h.bytes = utf8Length(JSON.stringify(h.record));
      h.measured = true;
      this.heldBytes += h.bytes;
    }
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
    const record = prepareRecord(createRecord('isolog', WARNING, '', 0, text, null, null), this);
    this.notices.add(record);
    return { record, ordinal: 0, bytes: 0, measured: true };
  }

  /** The ordinal of the oldest record neither acknowledged nor dropped (Infinity: none). */
  private firstUnsettled(): number {
    return this.inflight.find((h) => h.ordinal > 0)?.ordinal ?? this.queue[0]?.ordinal ?? Infinity;
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
    if (this.running || this.interval === null) return;
    if (this.queue.length >= this.batchSize) return this.start();
    if (this.timer !== undefined) return;
    this.timer = setTimeout(() => this.start(), this.interval);
    // records waiting for the interval do not keep a Node process alive; shutdown() sends them
    (this.timer as unknown as { unref?: () => void }).unref?.();
  }

  /**
   * Whether to send (again): something is held, and with flushIntervalMs null a flush or close
   * waits for it, so that no request outlives the one that asked (workerd cancels what a request
   * leaves to another).
   */
  private wanted(): boolean {
    const work = this.inflight.length > 0 || this.queue.length > 0 || this.overflowSinceNotice > 0;
    return work && !this.stopped && (this.interval !== null || this.waiters.length > 0);
  }

  private start(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    // run() awaits before it can end when it is wanted, so `running` is set before it is cleared
    if (!this.running && this.wanted()) this.running = this.run();
  }

  /** One request at a time, in order, while wanted; a retry sends only what did not go. */
  private async run(): Promise<void> {
    while (this.wanted()) {
      if (this.inflight.length === 0) {
        this.inflight = this.queue.splice(0, this.batchSize);
        if (this.overflowSinceNotice > 0) this.inflight.push(this.notice());
      }
      this.settledInRequest = 0;
      // one controller for the handler's life: only giveUp() aborts it, and nothing is sent after
      this.abort ??= new AbortController();
      // deliver() does not throw (a send failure is an answer); if it ever did, this loop must not die with it
      const delivery = await deliver(this.inflight.map((h) => h.record), this.delivery)
        .catch((err: unknown): Delivery => ({ outcome: 'retry', answer: { status: null, retryAfter: null, error: String(err) } }));
      if (this.stopped) break;
      for (const h of this.inflight.splice(0, this.settledInRequest)) {
        if (h.ordinal > 0) this.held--;
        if (h.measured) this.heldBytes -= h.bytes;
        else this.boundBytes -= h.bytes;
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

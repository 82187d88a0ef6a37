// The flusher: sends the oldest stored batches as OTLP JSON and deletes them only after a 2xx.
// One flusher per origin at a time (a Web Lock); the others wait to take over.
import { JSON_TEXT } from '../../core/json-repr.js';
import { deliver, MAX_BYTES_PER_REQUEST, recordDelivery, retryScheduler, type RetryScheduler } from '../../transport/delivery.js';
import type { SendResult } from '../../transport/http.js';
import type { Pace } from '../../transport/otlp-body.js';
import type { BatchKey, BatchQueue, StoredBatch } from './durable-queue.js';
import type { PipelineStats, TransportConfig } from '../protocol.js';
import type { PlainRecord } from '../../core/fields.js';
import { decodeBatch } from '../batch-decoder.js';

/** Thrown between the slices of a request being prepared when one of its batches was dropped. */
const ABANDONED = {};

/** Sends one OTLP JSON body; fetch or WebSocket. */
export type Send = (body: string) => Promise<SendResult>;

/** Ways the flusher tells its owner what happened. */
export interface FlusherEvents {
  /** Batches were acknowledged and deleted. */
  acknowledged(keys: BatchKey[]): void;
  /** Something the page should hear about once (a stop, a dropped poison record). */
  problem(text: string): void;
}

/** Batches read for one request: their keys and records. */
export interface Read { keys: BatchKey[]; records: PlainRecord[] }

/** How one send went; `kept` is the read to send again. */
export interface Step { end: 'empty' | 'offline' | 'sent' | 'halted' | 'retry'; kept?: Read; answer?: SendResult }

/** What the flusher reads of `navigator`, in a worker, a page (the in-page listener) or neither (Node). */
export interface WorkerNavigatorLike { locks?: LockManager; onLine?: boolean }

/** Reads stored batches, delivers them (transport/delivery.ts: split, retry, stop) and deletes them once sent. */
export class Flusher {
  protected halted: string | null = null;
  private running: Promise<void> | null = null;
  // stop() aborts it: the wait for the lock, and the 'online' listener
  private readonly stopping = new AbortController();
  protected readonly scheduler: RetryScheduler;
  /** The batches whose records are on their way now: dropping one of them would count as lost what may arrive. */
  sending: readonly BatchKey[] = [];
  /**
   * The batches of the request being prepared (decoded, encoded) and not yet sent. The listener may
   * drop them at the caps, and then empties this list: the flusher reads again instead of sending.
   */
  preparing: readonly BatchKey[] = [];
  /**
   * What the flusher awaits between the slices of its preparing: the listener's pace, then it stops
   * (throws ABANDONED) if a batch of the request was dropped meanwhile.
   */
  private readonly paced = async (): Promise<void> => {
    await this.pace?.();
    if (!this.preparing.length) throw ABANDONED;
  };
  /** deliver()'s options: encoding, sending and counting; its byte cap bounds the OTLP JSON, which a read cannot know in advance. */
  private readonly delivery: ReturnType<typeof recordDelivery>;
  /** Whether a kick came since this was last set false (a Service Worker's pass reads again then). */
  protected storedSince = false;

  constructor(
    private readonly queue: BatchQueue,
    sendBody: Send,
    private readonly config: TransportConfig,
    resource: Record<string, unknown>,
    protected readonly stats: PipelineStats,
    private readonly events: FlusherEvents,
    protected readonly lockName: string,
    /**
     * Awaited between the slices of the flusher's work (decoding, encoding): the listener passes one
     * that lets the puts waiting be stored and answered first. By default none.
     */
    private readonly pace?: Pace,
  ) {
    this.scheduler = retryScheduler(config.retryBaseMs);
    // the request is on its way once the body is sent: from then on its batches are not dropped;
    // until then (decoding, encoding in slices between the listener's puts) a drop makes it read again
    const send = (body: string): Promise<SendResult> => {
      this.sending = this.preparing;
      return sendBody(body);
    };
    this.delivery = recordDelivery(send, resource, config.maxBytesPerRequest ?? MAX_BYTES_PER_REQUEST, stats, (text) => events.problem(text), this.paced);
  }

  /** Starts flushing, under the origin's lock when Web Locks exist. */
  start(): void {
    const locks = (globalThis.navigator as WorkerNavigatorLike | undefined)?.locks;
    const loop = async (): Promise<void> => {
      this.stats.flushing = true;
      try { await this.loop(); } finally { this.stats.flushing = false; }
    };
    this.running = locks
      ? locks.request(this.lockName, { signal: this.stopping.signal }, loop).then(() => undefined, (err: unknown) => {
        // stop() while waiting for the lock aborts the wait; any other failure of Web Locks flushes without it
        if ((err as Error)?.name !== 'AbortError') return loop();
      })
      : loop();
    globalThis.addEventListener?.('online', () => this.kick(), { signal: this.stopping.signal });
  }

  /** New data, or the network is back: stop waiting. */
  kick(): void {
    this.storedSince = true;
    this.scheduler.wake();
  }

  private async loop(): Promise<void> {
    // what the last attempt read, kept for the retry so that it is not read and decoded again
    let kept: Read | null = null;
    while (!this.scheduler.stopped) {
      if (this.halted) { await this.scheduler.sleep(60_000); continue; }
      const step = await this.step(kept);
      kept = step.kept ?? null;
      // other tabs write too: look again now and then even without a kick
      if (step.end === 'empty') await this.scheduler.sleep(1000);
      // offline: the 'online' event (or 30 s) ends the wait
      else if (step.end === 'offline') await this.scheduler.sleep(30_000);
      else if (step.end === 'retry') await this.scheduler.waitToRetry(step.answer?.retryAfter ?? null);
    }
  }

  /** Reads the oldest batches (or takes the ones kept from the last try) and sends them once. */
  protected async step(kept: Read | null): Promise<Step> {
    // the kept batches are sent again only if all are still stored (the cap may have dropped one)
    if (kept && (await this.queue.remaining(kept.keys).catch(() => [])).length !== kept.keys.length) kept = null;
    // a batch of the request being prepared was dropped at the caps meanwhile: read again
    return this.attempt(kept).catch((err: unknown) => {
      if (err !== ABANDONED) throw err;
      return this.step(null);
    });
  }

  private async attempt(kept: Read | null): Promise<Step> {
    this.preparing = kept?.keys ?? [];
    try {
      const batch = kept ?? await this.read();
      const { keys, records } = batch;
      if (keys.length === 0) return { end: 'empty' };
      if ((globalThis.navigator as WorkerNavigatorLike | undefined)?.onLine === false) return { end: 'offline', kept: batch };
      // a retry sends the whole read again, halves already sent too: the collector drops them as duplicates
      const rejected = this.delivery.rejected;
      const delivery = await deliver(records, this.delivery);
      if (delivery.outcome === 'done') {
        await this.queue.remove(keys);
        // what the collector rejected (alone, or in a partialSuccess) is dropped, not acknowledged
        this.stats.acknowledged += records.length - (this.delivery.rejected - rejected);
        this.events.acknowledged(keys);
        this.scheduler.succeeded();
        return { end: 'sent' };
      }
      if (delivery.outcome === 'stop') {
        this.halted = this.stats.lastError ?? 'the collector refused the token';
        this.events.problem(`isolog: the collector answered ${this.halted}; flushing stopped. Records stay stored until the page is reloaded with a valid token.`);
        return { end: 'halted' };
      }
      this.stats.retries++;
      return { end: 'retry', kept: batch, answer: delivery.answer };
    } finally {
      this.sending = this.preparing = [];
    }
  }

  /** The oldest batches, as many as one request may carry, and their records. */
  private async read(): Promise<Read> {
    const batches = await this.queue.oldest(1000, { records: this.config.maxRecordsPerRequest, bytes: this.config.maxBytesPerRequest ?? MAX_BYTES_PER_REQUEST }).catch(() => []);
    const keys = (this.preparing = batches.map(([key]) => key));
    const records: PlainRecord[] = [];
    for (const [, batch] of batches) {
      // a stored batch at a time (up to the page's batchSize): the listener's puts go in between
      await this.paced();
      for (const record of this.recordsOf(batch)) records.push(record);
    }
    return { keys, records };
  }

  /** A stored batch's records: the page's raw batch is read and its messages formatted now. */
  private recordsOf(batch: StoredBatch): PlainRecord[] {
    if (batch.records) return batch.records;
    try {
      return decodeBatch(batch.raw as string, JSON_TEXT);
    } catch (err) {
      this.stats.dropped.unreadable = (this.stats.dropped.unreadable ?? 0) + batch.count;
      this.events.problem(`isolog: a stored batch of ${batch.count} records could not be read and was dropped: ${String(err)}`);
      return [];
    }
  }

  async stop(): Promise<void> {
    this.scheduler.stop();
    this.stopping.abort();
    await this.running?.catch(() => undefined);
  }
}

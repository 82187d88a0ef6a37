// The flusher: sends the oldest stored batches as OTLP JSON and deletes them only after a 2xx.
// One flusher per origin at a time (a Web Lock); the others wait to take over.
import { JSON_TEXT } from '../../core/json-repr.js';
import { encodeRecords } from '../../transport/otlp.js';
import { backoffMs, outcomeOf, retryAfterMs, type Outcome } from '../../transport/delivery.js';
import type { SendResult } from '../../transport/http.js';
import type { BatchKey, BatchQueue, StoredBatch } from './durable-queue.js';
import type { PipelineStats, TransportConfig, WireRecord } from '../protocol.js';
import { decodeBatch } from '../batch-decoder.js';

/** Sends one OTLP JSON body; fetch or WebSocket. */
export type Send = (body: string) => Promise<SendResult>;

/** Ways the flusher tells its owner what happened. */
export interface FlusherEvents {
  /** Batches were acknowledged and deleted. */
  acknowledged(keys: BatchKey[]): void;
  /** Something the page should hear about once (a stop, a dropped poison record). */
  problem(text: string): void;
}

export class Flusher {
  private stopped = false;
  private halted: string | null = null;
  private wake: (() => void) | null = null;
  private running: Promise<void> | null = null;
  private readonly waitForLock = new AbortController();

  constructor(
    private readonly queue: BatchQueue,
    private readonly send: Send,
    private readonly config: TransportConfig,
    private readonly resource: Record<string, unknown>,
    private readonly stats: PipelineStats,
    private readonly events: FlusherEvents,
    private readonly lockName: string,
  ) {}

  /** Starts flushing, under the origin's lock when Web Locks exist. */
  start(): void {
    const locks = (globalThis.navigator as Navigator | undefined)?.locks;
    const loop = async (): Promise<void> => {
      this.stats.flushing = true;
      try { await this.loop(); } finally { this.stats.flushing = false; }
    };
    this.running = locks
      ? locks.request(this.lockName, { signal: this.waitForLock.signal }, loop).then(() => undefined, (err: unknown) => {
        // stop() while waiting for the lock aborts the wait; any other failure of Web Locks flushes without it
        if ((err as Error)?.name !== 'AbortError') return loop();
      })
      : loop();
    if (typeof addEventListener === 'function') addEventListener('online', () => this.kick());
  }

  /** New data, or the network is back: stop waiting. */
  kick(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private sleep(ms: number): Promise<void> {
    // stop() may come while the loop reads: it must not then wait out a sleep
    if (this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.wake = null; resolve(); }, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }

  private isOffline(): boolean {
    const nav = globalThis.navigator as Navigator | undefined;
    return nav?.onLine === false;
  }

  private async loop(): Promise<void> {
    let attempt = 0;
    // what the last attempt read, kept for the retry so that it is not read and decoded again
    let kept: { keys: BatchKey[]; records: WireRecord[] } | null = null;
    while (!this.stopped) {
      if (this.halted) { await this.sleep(60_000); continue; }
      // the kept batches are sent again only if all are still stored (the cap may have dropped one)
      if (kept && (await this.queue.remaining(kept.keys).catch(() => [])).length !== kept.keys.length) kept = null;
      const batch: { keys: BatchKey[]; records: WireRecord[] } = kept ?? await this.read();
      const { keys, records } = batch;
      kept = null;
      if (keys.length === 0) {
        // other tabs write too: look again now and then even without a kick
        await this.sleep(1000);
        continue;
      }
      if (this.isOffline()) {
        kept = batch;
        await this.sleep(30_000);
        continue;
      }
      const { outcome, retryAfter } = await this.sendSplitting(records);
      if (outcome === 'done') {
        await this.queue.remove(keys);
        this.stats.acknowledged += records.length;
        this.events.acknowledged(keys);
        attempt = 0;
      } else if (outcome === 'stop') {
        this.halted = this.stats.lastError ?? 'the collector refused the token';
        this.events.problem(`isolog: the collector answered ${this.halted}; flushing stopped. Records stay stored until the page is reloaded with a valid token.`);
      } else {
        kept = batch;
        attempt++;
        this.stats.retries++;
        await this.sleep(retryAfterMs(retryAfter) ?? backoffMs(attempt, this.config.retryBaseMs));
      }
    }
  }

  /** The oldest batches, as many as one request may carry, and their records. */
  private async read(): Promise<{ keys: BatchKey[]; records: WireRecord[] }> {
    const batches = await this.queue.oldest(1000, { records: this.config.maxRecordsPerRequest, bytes: this.config.maxBytesPerRequest }).catch(() => []);
    const keys: BatchKey[] = [];
    const records: WireRecord[] = [];
    for (const [key, batch] of batches) {
      keys.push(key);
      for (const record of this.recordsOf(batch)) records.push(record);
    }
    return { keys, records };
  }

  /** A stored batch's records: the page's raw batch is read and its messages formatted now. */
  private recordsOf(batch: StoredBatch): WireRecord[] {
    if (batch.records) return batch.records;
    try {
      return decodeBatch(batch.raw as string, JSON_TEXT);
    } catch (err) {
      this.stats.dropped.unreadable = (this.stats.dropped.unreadable ?? 0) + batch.count;
      this.events.problem(`isolog: a stored batch of ${batch.count} records could not be read and was dropped: ${String(err)}`);
      return [];
    }
  }

  /**
   * Sends records; a 400/413 (or a body over maxBytesPerRequest, before it is sent) splits them in
   * halves until the bad record stands alone, and that one is dropped and counted. A retry or stop
   * anywhere ends the attempt (halves already sent are sent again later, and the collector drops
   * them as duplicates).
   */
  private async sendSplitting(records: WireRecord[]): Promise<{ outcome: Outcome; retryAfter: string | null }> {
    if (records.length === 0) return { outcome: 'done', retryAfter: null };
    const body = JSON.stringify(encodeRecords(records, this.resource));
    // a body over the request cap is split before it is sent: the cap bounds OTLP JSON, which a read
    // (bounded by the page's compact batches) cannot know in advance
    if (body.length <= this.config.maxBytesPerRequest || records.length === 1) {
      this.stats.sent += records.length;
      const result = await this.send(body);
      const outcome = outcomeOf(result.status);
      if (outcome !== 'done') this.stats.lastError = result.status === null ? `network: ${result.error ?? 'no answer'}` : `HTTP ${result.status}`;
      if (outcome !== 'split') return { outcome, retryAfter: result.retryAfter };
      if (records.length === 1) {
        this.stats.dropped.rejected = (this.stats.dropped.rejected ?? 0) + 1;
        this.events.problem(`isolog: the collector refused a record (HTTP ${result.status}) and it was dropped: ${records[0].name}: ${records[0].msg.slice(0, 200)}`);
        return { outcome: 'done', retryAfter: null };
      }
    }
    const half = Math.ceil(records.length / 2);
    for (const part of [records.slice(0, half), records.slice(half)]) {
      const r = await this.sendSplitting(part);
      if (r.outcome !== 'done') return r;
    }
    return { outcome: 'done', retryAfter: null };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.waitForLock.abort();
    this.kick();
    await this.running?.catch(() => undefined);
  }
}

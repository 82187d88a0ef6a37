// --forward URL: relays accepted records to an upstream OTLP endpoint, with the flusher's delivery
// (backoff with jitter up to 60 s, Retry-After, split on 400/413 and over the byte cap, stop on 401/403).
import type { PlainRecord } from '../core/fields.js';
import { encodeAsReceived } from '../transport/otlp.js';
import { postOtlp } from '../transport/http.js';
import { deliver, MAX_BYTES_PER_REQUEST, retryScheduler, type RetryScheduler } from '../transport/delivery.js';

/** Counts the forwarder keeps, for /healthz and tests. */
export interface ForwardStats { sent: number; retries: number; dropped: number; pending: number; stopped: string | null }

/**
 * A queue of batches for one upstream. Bounded: past `maxPending` records the oldest batches are
 * dropped and counted.
 */
export class Forwarder {
  private readonly queue: PlainRecord[][] = [];
  private pendingRecords = 0;
  private running: Promise<void> | null = null;
  private readonly scheduler: RetryScheduler;
  readonly stats: ForwardStats = { sent: 0, retries: 0, dropped: 0, pending: 0, stopped: null };

  constructor(readonly url: string, private readonly options: { token?: string; maxPending?: number; maxBytes?: number; baseDelayMs?: number; onEvent?: (text: string) => void } = {}) {
    this.scheduler = retryScheduler(options.baseDelayMs ?? 500);
  }

  enqueue(records: PlainRecord[]): void {
    if (records.length === 0 || this.stats.stopped) return;
    this.queue.push(records);
    this.pendingRecords += records.length;
    const max = this.options.maxPending ?? 100_000;
    while (this.pendingRecords > max && this.queue.length > 1) {
      const dropped = this.queue.shift() as PlainRecord[];
      this.pendingRecords -= dropped.length;
      this.stats.dropped += dropped.length;
    }
    this.stats.pending = this.pendingRecords;
    this.running ??= this.run().finally(() => { this.running = null; });
  }

  private async run(): Promise<void> {
    while (this.queue.length > 0 && !this.stats.stopped) {
      // out of the queue while it is sent, so that enqueue() never drops records already on their way
      const batch = this.queue.shift() as PlainRecord[];
      // the records sent or dropped so far: deliver() sends the halves in order, so always the first ones
      let settled = 0;
      const settle = (count: number): void => {
        settled += count;
        this.pendingRecords -= count;
        this.stats.pending = this.pendingRecords;
      };
      const delivery = await deliver(batch, {
        encode: (records) => JSON.stringify(encodeAsReceived(records)),
        send: (body) => postOtlp(this.url, body, { token: this.options.token, gzip: false }),
        onSent: (records) => {
          this.stats.sent += records.length;
          settle(records.length);
          this.scheduler.succeeded();
        },
        maxBytes: this.options.maxBytes ?? MAX_BYTES_PER_REQUEST,
        onRejected: (_record, answer) => {
          this.stats.dropped += 1;
          settle(1);
          this.options.onEvent?.(`forward: upstream refused a record (${answer.status}); dropped it`);
        },
      });
      if (delivery.outcome === 'done') continue;
      // what did not go waits at the front, the oldest again
      this.queue.unshift(batch.slice(settled));
      if (delivery.outcome === 'stop') {
        this.stats.stopped = `upstream answered ${delivery.answer.status}; check --forward's token`;
        this.options.onEvent?.(`forward: ${this.stats.stopped}; forwarding stopped`);
      } else {
        if (this.scheduler.stopped) return;
        this.stats.retries++;
        await this.scheduler.waitToRetry(delivery.answer.retryAfter);
      }
    }
  }

  /** Waits up to `ms` for the queue to drain; true when it did. */
  async drain(ms: number): Promise<boolean> {
    // no more waiting between retries: each is tried again as the loop below comes round
    this.scheduler.stop();
    const deadline = Date.now() + ms;
    while (this.pendingRecords > 0 && Date.now() < deadline && !this.stats.stopped) {
      if (!this.running) this.running = this.run().finally(() => { this.running = null; });
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.pendingRecords === 0;
  }
}

// --forward URL: relays accepted records to an upstream OTLP endpoint, with the flusher's retry rules
// (backoff with jitter up to 60 s, Retry-After, split on 400/413, stop on 401/403).
import { encodeDecoded, type DecodedRecord } from '../transport/otlp.js';
import { postOtlp } from '../transport/http.js';
import { backoffMs, outcomeOf, retryAfterMs } from '../transport/delivery.js';

/** Counts the forwarder keeps, for /healthz and tests. */
export interface ForwardStats { sent: number; retries: number; dropped: number; pending: number; stopped: string | null }

/**
 * A queue of batches for one upstream. Bounded: past `maxPending` records the oldest batches are
 * dropped and counted.
 */
export class Forwarder {
  private readonly queue: DecodedRecord[][] = [];
  private pendingRecords = 0;
  private running: Promise<void> | null = null;
  private wake: (() => void) | null = null;
  private closing = false;
  readonly stats: ForwardStats = { sent: 0, retries: 0, dropped: 0, pending: 0, stopped: null };

  constructor(readonly url: string, private readonly options: { token?: string; maxPending?: number; baseDelayMs?: number; onEvent?: (text: string) => void } = {}) {}

  enqueue(records: DecodedRecord[]): void {
    if (records.length === 0 || this.stats.stopped) return;
    this.queue.push(records);
    this.pendingRecords += records.length;
    const max = this.options.maxPending ?? 100_000;
    while (this.pendingRecords > max && this.queue.length > 1) {
      const dropped = this.queue.shift() as DecodedRecord[];
      this.pendingRecords -= dropped.length;
      this.stats.dropped += dropped.length;
    }
    this.stats.pending = this.pendingRecords;
    this.running ??= this.run().finally(() => { this.running = null; });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wake = () => { clearTimeout(timer); resolve(); };
    });
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (this.queue.length > 0 && !this.stats.stopped) {
      const batch = this.queue[0];
      const { status, retryAfter } = await postOtlp(this.url, JSON.stringify(encodeDecoded(batch)), { token: this.options.token, gzip: false });
      const outcome = outcomeOf(status);
      if (outcome === 'done') {
        this.take(batch.length);
        this.stats.sent += batch.length;
        attempt = 0;
      } else if (outcome === 'split') {
        this.queue.shift();
        if (batch.length === 1) {
          this.pendingRecords -= 1;
          this.stats.dropped += 1;
          this.options.onEvent?.(`forward: upstream refused a record (${status}); dropped it`);
        } else {
          const half = Math.ceil(batch.length / 2);
          this.queue.unshift(batch.slice(0, half), batch.slice(half));
        }
      } else if (outcome === 'stop') {
        this.stats.stopped = `upstream answered ${status}; check --forward's token`;
        this.options.onEvent?.(`forward: ${this.stats.stopped}; forwarding stopped`);
      } else {
        if (this.closing) return;
        attempt++;
        this.stats.retries++;
        await this.sleep(retryAfterMs(retryAfter) ?? backoffMs(attempt, this.options.baseDelayMs ?? 500));
      }
      this.stats.pending = this.pendingRecords;
    }
  }

  private take(count: number): void {
    this.queue.shift();
    this.pendingRecords -= count;
  }

  /** Waits up to `ms` for the queue to drain; true when it did. */
  async drain(ms: number): Promise<boolean> {
    this.closing = true;
    this.wake?.();
    const deadline = Date.now() + ms;
    while (this.queue.length > 0 && Date.now() < deadline && !this.stats.stopped) {
      if (!this.running) this.running = this.run().finally(() => { this.running = null; });
      await new Promise((r) => setTimeout(r, 20));
    }
    return this.queue.length === 0;
  }
}

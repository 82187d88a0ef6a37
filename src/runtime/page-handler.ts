// The page's QueueHandler: a logging call pushes its record; at the end of the task the records go
// to the worker in batches, each kept until the worker says it is durable.
import type { Remote } from 'comlink';
import { Handler } from '../core/handler.js';
import { reportInternalError } from '../core/internal-error.js';
import type { LogRecord } from '../core/record.js';
import type { ListenerApi } from '../worker/protocol.js';
import { encodeBatch, type Masker } from './page-batch.js';

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
export class PageQueueHandler extends Handler {
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

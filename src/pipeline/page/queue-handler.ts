// The page's QueueHandler: a logging call pushes its record; at the end of the task the records go
// to the worker in batches, each kept until the worker says it is durable.
import type { Remote } from 'comlink';
import { Handler } from '../../core/handler.js';
import { reportInternalError } from '../../core/internal-error.js';
import { LogRecord, UNKNOWN_FILE } from '../../core/record.js';
import type { ListenerApi } from '../protocol.js';
import { BatchBuilder } from '../batch-encoder.js';
import type { Masker } from '../redact.js';

/** Where the handler posts its batches: the listener, or a stand-in while it starts. */
export type BatchTarget = Pick<ListenerApi | Remote<ListenerApi>, 'put'>;

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
 * writes its record (or, through handleCall, only what the call gives) into the columns of the
 * batch being filled, at most `batchSize` to a batch; at the end of the task (a microtask) each
 * batch becomes one string and one Comlink call. Each batch's string is kept until the worker
 * confirms it durable.
 */
export class PageQueueHandler extends Handler {
  /** The batch being filled; null until the task's first record. */
  private current: BatchBuilder | null = null;
  /** Batches that reached batchSize in this task, waiting for the microtask. */
  private full: BatchBuilder[] = [];
  private scheduled = false;
  private nextId = 0;
  /** Batches the listener has not yet confirmed durable, by id, oldest first. */
  readonly unconfirmed = new Map<number, PendingBatch>();
  private watchdog: ReturnType<typeof setTimeout> | undefined;
  logged = 0;

  constructor(private target: BatchTarget, private readonly batchSize: number,
    private readonly putTimeoutMs: number, private readonly mask: Masker | null, private readonly onStuck: () => void) {
    super();
  }

  setTarget(target: BatchTarget): void {
    this.target = target;
  }

  override emit(record: LogRecord): void {
    this.logged++;
    const batch = this.batch();
    batch.add(record);
    if (batch.count >= this.batchSize) this.seal();
  }

  /** A call that reaches no other handler and no filter goes into the batch without a record. */
  override handleCall(name: string, levelno: number, msg: unknown, args: unknown[], fields: Record<string, unknown> | undefined): void {
    this.logged++;
    const batch = this.batch();
    try {
      batch.addCall(name, levelno, msg, args, fields);
    } catch (err) {
      this.handleError(new LogRecord(name, levelno, UNKNOWN_FILE, 0, msg, args, null), err);
    }
    if (batch.count >= this.batchSize) this.seal();
  }

  private batch(): BatchBuilder {
    if (this.current !== null) return this.current;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(() => this.post());
    }
    return (this.current = new BatchBuilder(this.mask));
  }

  private seal(): void {
    this.full.push(this.current as BatchBuilder);
    this.current = null;
  }

  /** Encodes and posts every batch waiting. */
  post(): void {
    this.scheduled = false;
    const batches = this.full;
    if (this.current !== null && this.current.count > 0) batches.push(this.current);
    this.current = null;
    if (batches.length === 0) return;
    this.full = [];
    for (const builder of batches) {
      let body: string;
      try {
        body = builder.finish();
      } catch (err) {
        reportInternalError(`isolog: a batch of ${builder.count} records could not be encoded: ${String(err)}`);
        continue;
      }
      const id = this.nextId++;
      let answer!: () => void;
      const answered = new Promise<void>((resolve) => { answer = resolve; });
      const batch: PendingBatch = { body, count: builder.count, sentAt: 0, beaconed: false, answered, answer };
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

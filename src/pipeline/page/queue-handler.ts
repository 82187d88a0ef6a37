// The page's QueueHandler: a logging call pushes its record; at the end of the task the records go
// to the worker in batches, each kept until the worker says it is durable. A batch the worker
// refuses is offered again, and at last delivered by the page itself.
import { Handler } from '../../core/handler.js';
import { reportInternalError } from '../../core/internal-error.js';
import { UNKNOWN_FILE, type LogRecord } from '../../core/record.js';
import { createRecord } from '../../core/record-factory.js';
import type { ListenerApi } from '../protocol.js';
import { BatchBuilder } from '../batch-encoder.js';
import type { Masker } from '../redact.js';

/** Where the handler posts its batches: the listener, or a stand-in while it starts. */
export type BatchTarget = Pick<ListenerApi, 'put'>;

/** A batch posted to the worker and not yet confirmed durable (or delivered by the page itself). */
interface PendingBatch {
  body: string;
  count: number;
  /** When it was last offered to the worker, while the worker has not answered; 0 otherwise. */
  sentAt: number;
  beaconed: boolean;
  /** How many times the worker refused it (or the page could not send it either). */
  refusals: number;
  /** The next try and its timer, while one waits. */
  retry?: ReturnType<typeof setTimeout>;
  again?: () => void;
  /** Resolves once the batch is durable in the worker, or the page has delivered it. */
  done: Promise<void>;
  confirm: () => void;
}

/** Refusals before the page sends a batch itself; from then on it tries that and the worker in turn. */
const REOFFERS = 3;

/**
 * The wait before a refused batch is tried again: 500 ms doubling up to 60 s, half of it jittered,
 * as transport/delivery.ts's backoffMs. Not imported from there: that module would bring the OTLP
 * encoding onto the page's first load.
 */
function reofferDelayMs(refusals: number): number {
  const ceiling = Math.min(60_000, 500 * 2 ** (refusals - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}

/**
 * The page's queue handler (Python's QueueHandler, with the worker as its queue). A logging call
 * writes its record (or, through handleCall, only what the call gives) into the columns of the
 * batch being filled, at most `batchSize` to a batch; at the end of the task (a microtask) each
 * batch becomes one string and one call to the worker. Each batch's string is kept until the worker
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

  /**
   * `sendSelf` delivers a batch from the page (true once it went), for batches the worker keeps
   * refusing; `onStuck` hears of a worker that does not answer at all.
   */
  constructor(private target: BatchTarget, private readonly batchSize: number,
    private readonly putTimeoutMs: number, private readonly mask: Masker | null, private readonly onStuck: () => void,
    private readonly sendSelf: (batch: string) => Promise<boolean>) {
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
      this.handleError(createRecord(name, levelno, UNKNOWN_FILE, 0, msg, args, null), err);
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
      let confirm!: () => void;
      const done = new Promise<void>((resolve) => { confirm = resolve; });
      const batch: PendingBatch = { body, count: builder.count, sentAt: 0, beaconed: false, refusals: 0, done, confirm };
      this.unconfirmed.set(id, batch);
      this.send(id, batch);
    }
  }

  private send(id: number, batch: PendingBatch): void {
    clearTimeout(batch.retry);
    batch.again = batch.retry = undefined;
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
      () => this.confirmed(id, batch),
      (err: unknown) => {
        // a worker that answers is alive: the batch is not the watchdog's, it is offered again later
        batch.sentAt = 0;
        if (!this.unconfirmed.has(id)) return;
        if (batch.refusals === 0) reportInternalError(`isolog: the worker could not store a batch of ${batch.count} records (offered again, then sent by the page itself): ${String(err)}`);
        this.later(id, batch);
      },
    );
  }

  /**
   * The next try for a batch that was refused, after a backoff: the worker again (it may have room
   * by then), and from the REOFFERS-th refusal on, every other time the page's own delivery.
   */
  private later(id: number, batch: PendingBatch): void {
    const refusals = ++batch.refusals;
    batch.again = () => {
      clearTimeout(batch.retry);
      batch.again = batch.retry = undefined;
      if (refusals < REOFFERS || refusals % 2 === 0) return this.send(id, batch);
      void this.sendSelf(batch.body).then((sent) => {
        if (!this.unconfirmed.has(id)) return;
        if (sent) this.confirmed(id, batch);
        else this.later(id, batch);
      });
    };
    batch.retry = setTimeout(batch.again, reofferDelayMs(refusals));
  }

  private confirmed(id: number, batch: PendingBatch): void {
    this.unconfirmed.delete(id);
    clearTimeout(batch.retry);
    batch.again = batch.retry = undefined;
    batch.sentAt = 0;
    batch.confirm();
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

  /**
   * Posts what is waiting and waits until every batch posted so far is durable in the worker or
   * delivered by the page, or until `deadline`; resolves with how many of their records are not.
   */
  async drain(deadline: number): Promise<number> {
    this.post();
    const batches = [...this.unconfirmed.values()];
    // a flush is asked for: a refused batch is tried now, not after its backoff
    for (const batch of batches) batch.again?.();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      Promise.all(batches.map((b) => b.done)),
      new Promise((resolve) => { timer = setTimeout(resolve, Math.max(0, deadline - Date.now())); }),
    ]);
    clearTimeout(timer);
    const held = new Set(this.unconfirmed.values());
    return batches.reduce((n, b) => n + (held.has(b) ? b.count : 0), 0);
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
    for (const batch of this.unconfirmed.values()) clearTimeout(batch.retry);
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    super.close();
  }
}

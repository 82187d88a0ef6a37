// QueueHandler and QueueListener: the thread that logs only prepares a plain record and puts it on
// a queue; the listener takes records off and hands them to the real handlers.
import { Handler } from '../core/handler.js';
import { reportInternalError, describeError } from '../core/internal-error.js';
import type { PlainRecord } from '../core/fields.js';
import { LogRecord, extraFields } from '../core/record.js';
import { makeLogRecord } from '../core/record-factory.js';
import { toJsonValue } from '../core/serialize.js';
import { formatError } from '../core/exception.js';

/** What a queue must offer: `put` (may return a promise) for the handler, `get` for the listener. */
export interface LogQueue<T = unknown> {
  put(item: T): void | Promise<unknown>;
  get(): Promise<T>;
}

/** Marks the end of a queue for its listener, as Python's `None` sentinel. */
export const SENTINEL = null;

/**
 * An unbounded in-process queue, for a QueueHandler and QueueListener in the same runtime.
 * @example const q = new MemoryQueue(); root.addHandler(new QueueHandler(q)); new QueueListener(q, h).start()
 */
export class MemoryQueue<T = unknown> implements LogQueue<T> {
  private items: T[] = [];
  private head = 0;
  private waiters: ((item: T) => void)[] = [];

  put(item: T): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(item);
    else this.items.push(item);
  }

  /** Python's put_nowait. */
  put_nowait(item: T): void {
    this.put(item);
  }

  get(): Promise<T> {
    if (this.head < this.items.length) return Promise.resolve(this.take());
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The next item if there is one, without waiting. */
  get_nowait(): T | undefined {
    return this.head < this.items.length ? this.take() : undefined;
  }

  qsize(): number {
    return this.items.length - this.head;
  }

  empty(): boolean {
    return this.qsize() === 0;
  }

  private take(): T {
    const item = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * QueueHandler.prepare for any handler that ships plain data (a queue's, FetchHandler's): the message
 * merged (or formatted by the handler's formatter), the exception as `exc_text`, extra fields
 * JSON-safe, and the record's uid.
 * @example const plain = prepareRecord(record, handler)
 */
export function prepareRecord(record: LogRecord, handler: Handler): PlainRecord {
  let msg: string;
  let excText = record.exc_text;
  if (handler.formatter) {
    msg = handler.format(record);
    excText = null;
  } else {
    msg = record.getMessage();
    if (record.exc_info && !excText) excText = formatError(record.exc_info);
  }
  const out: PlainRecord = {
    name: record.name, msg, args: null, levelno: record.levelno, levelname: record.levelname,
    created: record.created, msecs: record.msecs, relativeCreated: record.relativeCreated,
    seq: record.seq, uid: record.uid, exc_info: null, exc_text: excText,
    stack_info: handler.formatter ? null : record.stack_info,
  };
  out.message = msg;
  const extra = extraFields(record);
  if (extra) {
    for (const key of Object.keys(extra)) {
      if (key === 'message' || key === 'asctime') continue;
      out[key] = toJsonValue(extra[key]);
    }
  }
  return out;
}

/**
 * Python's `QueueHandler`: `prepare` turns a record into plain data (message merged with its
 * arguments, exception and stack as text, extra fields made clone-safe) and `enqueue` puts it on the
 * queue. A queue whose `put` rejects is reported through handleError; logging goes on.
 * @example getLogger().addHandler(new QueueHandler(queue))
 */
export class QueueHandler extends Handler {
  queue: LogQueue;
  /** Python 3.12: the listener started for this handler by `configure()`, if any. */
  listener: QueueListener | null = null;

  constructor(queue: LogQueue) {
    super();
    this.queue = queue;
  }

  /**
   * Plain data for the record. With a formatter set, the message is the formatted text (Python's
   * behaviour); without one it is `getMessage()`, and the exception travels as `exc_text`.
   */
  prepare(record: LogRecord): PlainRecord {
    return prepareRecord(record, this);
  }

  enqueue(record: PlainRecord): void {
    const result = this.queue.put(record);
    if (result && typeof (result as Promise<unknown>).then === 'function') {
      (result as Promise<unknown>).then(undefined, (err: unknown) => this.handleError(record as unknown as LogRecord, err));
    }
  }

  emit(record: LogRecord): void {
    try {
      this.enqueue(this.prepare(record));
    } catch (err) {
      this.handleError(record, err);
    }
  }
}

/** Options for QueueListener. */
export interface QueueListenerOptions {
  /** Apply each handler's level to the records (Python's respect_handler_level). */
  respectHandlerLevel?: boolean;
}

/**
 * Python's `QueueListener`: takes records off a queue and hands them to its handlers. `start()`
 * begins the loop; `stop()` puts the sentinel and resolves once every record queued before it has
 * been handled.
 * @example const listener = new QueueListener(queue, handler, { respectHandlerLevel: true }); listener.start()
 */
export class QueueListener {
  readonly queue: LogQueue;
  readonly handlers: Handler[];
  respect_handler_level: boolean;
  private loop: Promise<void> | null = null;

  constructor(queue: LogQueue, ...handlers: (Handler | QueueListenerOptions)[]) {
    this.queue = queue;
    const last = handlers[handlers.length - 1];
    const options = last && !(last instanceof Handler) ? (handlers.pop() as QueueListenerOptions) : {};
    this.handlers = handlers as Handler[];
    this.respect_handler_level = options.respectHandlerLevel ?? false;
  }

  /** Waits for the next item. Override for other kinds of queue. */
  dequeue(_block = true): Promise<unknown> {
    return this.queue.get();
  }

  /** Turns what came off the queue into a LogRecord (plain data through makeLogRecord). */
  prepare(record: unknown): LogRecord {
    return record instanceof LogRecord ? record : makeLogRecord(record as Record<string, unknown>);
  }

  handle(item: unknown): void {
    const record = this.prepare(item);
    for (const handler of this.handlers) {
      if (this.respect_handler_level && record.levelno < handler.level) continue;
      try {
        handler.handle(record);
      } catch (err) {
        handler.handleError(record, err);
      }
    }
  }

  start(): void {
    if (this.loop) throw new Error('Listener already started');
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    for (;;) {
      let item: unknown;
      try {
        item = await this.dequeue(true);
      } catch (err) {
        reportInternalError(`--- Logging error ---\nQueueListener could not dequeue: ${describeError(err)}\n`);
        return;
      }
      if (item === SENTINEL) return;
      this.handle(item);
    }
  }

  enqueue_sentinel(): void {
    void this.queue.put(SENTINEL);
  }

  /** Puts the sentinel and resolves once everything queued before it has been handled. */
  async stop(): Promise<void> {
    if (!this.loop) return;
    this.enqueue_sentinel();
    const loop = this.loop;
    this.loop = null;
    await loop;
  }
}


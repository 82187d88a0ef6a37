import { Handler } from '../core/handler.js';
import { ERROR } from '../core/level.js';
import type { LogRecord } from '../core/record.js';

/**
 * Python's `BufferingHandler`: keeps records until `shouldFlush` says so; `flush` empties the buffer.
 */
export class BufferingHandler extends Handler {
  buffer: LogRecord[] = [];

  constructor(readonly capacity: number) {
    super();
  }

  shouldFlush(_record: LogRecord): boolean {
    return this.buffer.length >= this.capacity;
  }

  emit(record: LogRecord): void {
    this.buffer.push(record);
    if (this.shouldFlush(record)) this.flush();
  }

  override flush(): void {
    this.buffer = [];
  }

  override close(): void {
    try { this.flush(); } finally { super.close(); }
  }
}

/**
 * Python's `MemoryHandler`: buffers records and hands them to `target` when the buffer is full or
 * a record at `flushLevel` or above arrives (and on close, unless `flushOnClose` is false).
 * @example new MemoryHandler(100, ERROR, new StreamHandler(stream))
 */
export class MemoryHandler extends BufferingHandler {
  flushLevel: number;
  target: Handler | null;
  flushOnClose: boolean;

  constructor(capacity: number, flushLevel: number = ERROR, target: Handler | null = null, flushOnClose = true) {
    super(capacity);
    this.flushLevel = flushLevel;
    this.target = target;
    this.flushOnClose = flushOnClose;
  }

  override shouldFlush(record: LogRecord): boolean {
    return this.buffer.length >= this.capacity || record.levelno >= this.flushLevel;
  }

  setTarget(target: Handler | null): void {
    this.target = target;
  }

  override flush(): void {
    if (!this.target) return;
    const records = this.buffer;
    this.buffer = [];
    for (const record of records) this.target.handle(record);
  }

  override close(): void {
    try {
      if (this.flushOnClose) this.flush();
    } finally {
      this.target = null;
      this.buffer = [];
      this.closed = true;
      Handler.prototype.close.call(this);
    }
  }
}

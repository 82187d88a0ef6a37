// Context that ships only when it matters: records below `passLevel` wait in a bounded ring, and go
// to the target only when a record at `triggerLevel` or above comes, each marked as that record's
// context; otherwise they age out or are pushed out, counted. Python's MemoryHandler flushes its
// whole buffer whenever it fills; this one never sends the quiet records of a healthy run at all.
import { Handler } from '../core/handler.js';
import { ERROR, WARNING } from '../core/level.js';
import type { LogRecord } from '../core/record.js';

/** Options for an ErrorContextHandler. */
export interface ErrorContextOptions {
  /** Records kept at most; the oldest is dropped first. 100 by default. */
  capacity?: number;
  /** Records at or above this level go to the target at once, ringed below it; WARNING by default. */
  passLevel?: number;
  /** A record at or above this level ships the ring with it; ERROR by default. */
  triggerLevel?: number;
  /** Records this much older than the newest record (by `created`) are dropped, not shipped; 300 s by default. */
  maxAgeSeconds?: number;
}

/** What an ErrorContextHandler has done with the records it was given. */
export interface ErrorContextStats {
  /** Records that went to the target at once (at `passLevel` or above). */
  passed: number;
  /** Triggers that shipped a ring. */
  triggers: number;
  /** Ring records shipped as some trigger's context. */
  shipped: number;
  /** Ring records dropped because they were older than `maxAgeSeconds`. */
  agedOut: number;
  /** Ring records dropped because the ring was full. */
  pushedOut: number;
  /** Ring records dropped by close(). */
  closed: number;
  /** Records dropped because a trigger came with no target set (the trigger and its ring). */
  noTarget: number;
}

/** A copy of a record with fields added at its end (as extra fields), so that other handlers do not see them. */
function marked(record: LogRecord, fields: Record<string, unknown>): LogRecord {
  return Object.assign(Object.create(Object.getPrototypeOf(record) as object) as LogRecord, record, fields);
}

/**
 * Keeps a ring of recent quiet records (below `passLevel`) and ships them to `target` only with a
 * record at `triggerLevel` or above: each ring record with `contextOf` (the trigger's uid), the
 * trigger with `contextRecords` (how many came with it). Records between the two levels pass at
 * once. Each ring record ships once at most; what ages out or is pushed out is counted in `stats`.
 * @example getLogger().addHandler(new ErrorContextHandler(new StreamHandler(), { capacity: 200 }))
 */
export class ErrorContextHandler extends Handler {
  readonly stats: ErrorContextStats = { passed: 0, triggers: 0, shipped: 0, agedOut: 0, pushedOut: 0, closed: 0, noTarget: 0 };
  readonly capacity: number;
  readonly passLevel: number;
  readonly triggerLevel: number;
  readonly maxAgeSeconds: number;
  target: Handler | null;
  private ring: (LogRecord | undefined)[];
  private head = 0;
  private size = 0;

  constructor(target: Handler | null, options: ErrorContextOptions = {}) {
    super();
    const { capacity = 100, passLevel = WARNING, triggerLevel = ERROR, maxAgeSeconds = 300 } = options;
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`ErrorContextHandler: capacity must be a whole number of records, 1 or more; got ${String(capacity)}`);
    if (!(maxAgeSeconds > 0)) throw new RangeError(`ErrorContextHandler: maxAgeSeconds must be more than 0; got ${String(maxAgeSeconds)}`);
    if (passLevel > triggerLevel) throw new RangeError(`ErrorContextHandler: passLevel (${passLevel}) must not be above triggerLevel (${triggerLevel})`);
    this.target = target;
    this.capacity = capacity;
    this.passLevel = passLevel;
    this.triggerLevel = triggerLevel;
    this.maxAgeSeconds = maxAgeSeconds;
    this.ring = new Array<LogRecord | undefined>(capacity);
  }

  /** How many records wait in the ring now. */
  get pending(): number {
    return this.size;
  }

  setTarget(target: Handler | null): void {
    this.target = target;
  }

  emit(record: LogRecord): void {
    if (record.levelno >= this.triggerLevel) return this.trigger(record);
    if (record.levelno >= this.passLevel) {
      if (!this.target) {
        this.stats.noTarget++;
        return;
      }
      this.stats.passed++;
      this.target.handle(record);
      return;
    }
    // the oldest first: what has aged out by this record's time goes now, not at the next trigger
    const oldest = record.created - this.maxAgeSeconds;
    while (this.size > 0 && (this.ring[this.head] as LogRecord).created < oldest) this.dropHead('agedOut');
    if (this.size === this.capacity) this.dropHead('pushedOut');
    this.ring[(this.head + this.size) % this.capacity] = record;
    this.size++;
  }

  private dropHead(why: 'agedOut' | 'pushedOut'): void {
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    this.stats[why]++;
  }

  /** Ships the ring (oldest first, what is too old dropped) and then the trigger, and empties the ring. */
  private trigger(record: LogRecord): void {
    const target = this.target;
    if (!target) {
      // nowhere to ship to (setTarget(null), or closed): the trigger and its ring, counted
      this.stats.noTarget += this.size + 1;
      this.clear();
      return;
    }
    const oldest = record.created - this.maxAgeSeconds;
    const context: LogRecord[] = [];
    for (let i = 0; i < this.size; i++) {
      const r = this.ring[(this.head + i) % this.capacity] as LogRecord;
      if (r.created < oldest) this.stats.agedOut++;
      else context.push(r);
    }
    this.clear();
    this.stats.triggers++;
    this.stats.shipped += context.length;
    for (const r of context) target.handle(marked(r, { contextOf: record.uid }));
    target.handle(context.length > 0 ? marked(record, { contextRecords: context.length }) : record);
  }

  private clear(): void {
    this.ring = new Array<LogRecord | undefined>(this.capacity);
    this.head = 0;
    this.size = 0;
  }

  /** Drops what the ring holds (counted in `stats.closed`): context ships only with a trigger. */
  override close(): void {
    this.stats.closed += this.size;
    this.clear();
    this.target = null;
    super.close();
  }
}

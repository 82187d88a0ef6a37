// Python's socket receiver, for OTLP: each new record is turned back into a LogRecord and handed to
// getLogger(name).handle(record), so the collector's logging configuration decides where it goes.
import { allHandlers } from '../core/handler.js';
import { getLogger, manager, root } from '../core/logger.js';
import type { PlainRecord } from '../core/fields.js';
import { makeLogRecord, uidPrefix, type LogRecord } from '../core/record.js';
import type { DecodeResult } from '../transport/otlp.js';
import type { DedupeStore } from './dedupe.js';
import type { Forwarder } from './forward.js';

/** What one batch came to. */
export interface AcceptResult { accepted: number; duplicates: number; rejected: number; errors: string[] }

// a hostile client could name a new logger per record; past this many, records go to the root's handlers
const MAX_LOGGERS = 10_000;

/** A decoded record as a LogRecord again, its time relative to the collector's start. */
export function toLogRecord(r: PlainRecord, startMs: number): LogRecord {
  const record = makeLogRecord(r);
  const ms = Math.round(r.created * 1000);
  record.args = null;
  record.msecs = ms % 1000;
  record.relativeCreated = ms - startMs;
  // a record sent without a uid (another OTLP client's) keeps the one it was just given
  if (!r.uid) record.uid = uidPrefix() + record.seq.toString(36);
  return record;
}

/** Dedupes, hands records to the logging tree, flushes, journals uids, then forwards. */
export class Receiver {
  readonly totals = { accepted: 0, duplicates: 0, rejected: 0 };
  private readonly startMs = Date.now();

  constructor(private readonly seen: DedupeStore, private readonly forwarder?: Forwarder) {}

  accept(result: DecodeResult): AcceptResult {
    const fresh: PlainRecord[] = [];
    const uids: string[] = [];
    const inBatch = new Set<string>();
    let duplicates = 0;
    for (const r of result.records) {
      if (r.uid) {
        if (this.seen.has(r.uid) || inBatch.has(r.uid)) { duplicates++; continue; }
        inBatch.add(r.uid);
        uids.push(r.uid);
      }
      fresh.push(r);
    }
    for (const r of fresh) {
      const record = toLogRecord(r, this.startMs);
      const logger = manager.loggerDict.size < MAX_LOGGERS || manager.loggerDict.has(record.name) ? getLogger(record.name) : root;
      logger.handle(record);
    }
    // a batch is acknowledged only after its records are written
    for (const h of allHandlers()) void h.flush();
    this.seen.add(uids);
    this.forwarder?.enqueue(fresh);
    this.totals.accepted += fresh.length;
    this.totals.duplicates += duplicates;
    this.totals.rejected += result.rejected;
    return { accepted: fresh.length, duplicates, rejected: result.rejected, errors: result.errors };
  }
}

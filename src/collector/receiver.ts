// Python's socket receiver, for OTLP: each new record is turned back into a LogRecord and handed to
// getLogger(name).handle(record), so the collector's logging configuration decides where it goes.
import { allHandlers } from '../core/handler.js';
import { getLogger, manager, root } from '../core/logger.js';
import { makeLogRecord, STANDARD_FIELDS, type LogRecord } from '../core/record.js';
import type { DecodedRecord, DecodeResult } from '../transport/otlp.js';
import type { DedupeStore } from './dedupe.js';
import type { Forwarder } from './forward.js';

/** What one batch came to. */
export interface AcceptResult { accepted: number; duplicates: number; rejected: number; errors: string[] }

const OTLP_FIELDS = new Set(['resource', 'traceId', 'spanId', 'timeUnixNano', 'attributes']);
// a hostile client could name a new logger per record; past this many, records go to the root's handlers
const MAX_LOGGERS = 10_000;

/** A decoded OTLP record as a LogRecord: attributes become fields, as `extra` does. */
export function toLogRecord(r: DecodedRecord, startMs: number): LogRecord {
  const ms = Number(BigInt(r.timeUnixNano) / 1_000_000n);
  const fields: Record<string, unknown> = {
    name: r.logger, msg: r.message, args: null, levelno: r.levelno, levelname: r.levelname,
    created: ms / 1000, msecs: ms % 1000, relativeCreated: ms - startMs,
    exc_text: r.exception ?? null, timeUnixNano: r.timeUnixNano, resource: r.resource,
  };
  if (r.uid) fields.uid = r.uid;
  if (r.traceId) fields.traceId = r.traceId;
  if (r.spanId) fields.spanId = r.spanId;
  for (const key of Object.keys(r.attributes)) {
    // an attribute named like a record field keeps its value under a prefixed name
    const name = STANDARD_FIELDS.has(key) || OTLP_FIELDS.has(key) ? `attr.${key}` : key;
    fields[name] = r.attributes[key];
  }
  return makeLogRecord(fields);
}

/** Dedupes, hands records to the logging tree, flushes, journals uids, then forwards. */
export class Receiver {
  readonly totals = { accepted: 0, duplicates: 0, rejected: 0 };
  private readonly startMs = Date.now();

  constructor(private readonly seen: DedupeStore, private readonly forwarder?: Forwarder) {}

  accept(result: DecodeResult): AcceptResult {
    const fresh: DecodedRecord[] = [];
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

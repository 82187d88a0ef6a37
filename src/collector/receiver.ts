// Python's socket receiver, for OTLP: each new record is turned back into a LogRecord and handed to
// getLogger(name).handle(record) of the collector's own logging tree (a Manager of its own, so that
// two collectors in one process never share a handler), whose configuration decides where it goes.
//
// A batch is stored whole or not at all: every file handler holds its records until the batch is
// handled, writes them in one go and fsyncs; then the journal takes the batch's uids and where each
// file ends, and fsyncs; only then is the batch acknowledged. A failure at any step cuts the files
// back (503; the client sends the batch again), and a crash mid-batch is cut back at the next start.
import type { Handler } from '../core/handler.js';
import { describeError, reportInternalError } from '../core/internal-error.js';
import type { Manager, RootLogger } from '../core/logger.js';
import type { PlainRecord } from '../core/fields.js';
import type { LogRecord } from '../core/record.js';
import { makeLogRecord } from '../core/record-factory.js';
import { FileHandler, type FileMark } from '../handlers/file.js';
import type { DecodeResult } from '../transport/otlp.js';
import type { DedupeStore } from './dedupe.js';
import type { Forwarder } from './forward.js';
import { recoverFiles } from './recover-files.js';

/** What one batch came to. */
export interface AcceptResult { accepted: number; duplicates: number; rejected: number; errors: string[] }

// a hostile client could name a new logger per record; past this many, records go to the root's handlers
const MAX_LOGGERS = 10_000;
// reasons given back in partialSuccess, as decoding gives them
const MAX_ERRORS = 5;

/** A decoded record as a LogRecord again, its time relative to the collector's start. */
function toLogRecord(r: PlainRecord, startMs: number): LogRecord {
  // a record sent without a uid (another OTLP client's) keeps the one a new LogRecord has
  const record = makeLogRecord(r.uid ? r : { ...r, uid: undefined });
  const ms = Math.round(r.created * 1000);
  record.args = null;
  record.msecs = ms % 1000;
  record.relativeCreated = ms - startMs;
  return record;
}

/** The file handlers of the logging configuration, each holding a batch until it is flushed. */
function fileHandlers(handlers: readonly Handler[]): FileHandler[] {
  const files = handlers.filter((h): h is FileHandler => h instanceof FileHandler);
  for (const f of files) f.batched = true;
  return files;
}

/** Cuts each file back to its mark from before the batch (a file begun by a rollover since, to nothing). */
function cutBack(files: readonly FileHandler[], before: readonly FileMark[]): void {
  files.forEach((f, i) => {
    try {
      f.truncate(f.mark().ino === before[i].ino ? before[i].size : 0);
    } catch (err) {
      // the handler cuts again before its next write; a restart cuts to the journal's last commit
      reportInternalError(`--- Logging error ---\ncollector could not cut ${f.baseFilename} back after a failed batch: ${describeError(err)}\n`);
    }
  });
}

/** Dedupes, hands records to the logging tree, writes and fsyncs the files, journals uids, then forwards. */
export class Receiver {
  readonly totals = { accepted: 0, duplicates: 0, rejected: 0 };
  private readonly startMs = Date.now();
  /** How many handlers the configuration made: fewer open means some were closed under the collector. */
  private readonly configured: number;

  /**
   * `tree` is the collector's logging tree; `handlers()` the handlers its configuration made and
   * that are still open (a MemoryHandler's target too, which no logger holds).
   */
  constructor(private readonly seen: DedupeStore, private readonly tree: Manager, private readonly handlers: () => readonly Handler[],
    private readonly forwarder?: Forwarder) {
    this.configured = handlers().length;
    const files = fileHandlers(handlers());
    recoverFiles(files, seen.marks);
    // every file has a mark from now on, so a batch cut short before the next commit is cut back
    seen.commit([], files.map((f) => f.mark()));
  }

  /** Stores a batch; throws, having stored none of it, when a file or the journal cannot take it. */
  accept(result: DecodeResult): AcceptResult {
    const fresh: PlainRecord[] = [];
    const inBatch = new Set<string>();
    let duplicates = 0;
    for (const r of result.records) {
      if (r.uid) {
        if (this.seen.has(r.uid) || inBatch.has(r.uid)) { duplicates++; continue; }
        inBatch.add(r.uid);
      }
      fresh.push(r);
    }
    const open = this.handlers();
    // the app's shutdown() closes every handler of the process, the collector's too: storing nothing
    // and acknowledging would lose the batch, refusing it keeps it with its sender
    if (open.length < this.configured) throw new Error('the collector\'s handlers were closed (by shutdown() in this process?); close and start the collector again');
    const files = fileHandlers(open);
    const made = fresh.map((r) => toLogRecord(r, this.startMs));
    for (const record of made) {
      const known = this.tree.loggerDict.size < MAX_LOGGERS || this.tree.loggerDict.has(record.name);
      const logger = known ? this.tree.getLogger(record.name) : this.tree.root as RootLogger;
      logger.handle(record);
    }
    // handlers that pass records on (a MemoryHandler to a file) before the files write
    for (const h of this.handlers()) if (!(h instanceof FileHandler)) void h.flush();
    const errors = [...result.errors];
    const unwritten = new Set<LogRecord>();
    for (const f of files) {
      for (const { record, error } of f.takeFailed()) {
        unwritten.add(record);
        const why = `a record could not be written by ${f.constructor.name} ${f.baseFilename}: ${firstLine(error)}`;
        if (errors.length < MAX_ERRORS && !errors.includes(why)) errors.push(why);
      }
    }
    const stored = fresh.filter((_, i) => !unwritten.has(made[i]));
    const before = files.map((f) => f.mark());
    try {
      for (const f of files) f.flush();
      for (const f of files) f.sync();
      const uids = stored.filter((r) => r.uid).map((r) => r.uid);
      const after = files.map((f) => f.mark());
      // a batch that was all duplicates wrote nothing, and has nothing to commit
      if (uids.length > 0 || after.some((m, i) => m.size !== before[i].size || m.ino !== before[i].ino)) this.seen.commit(uids, after);
    } catch (err) {
      // the files after the one that failed still hold the batch: it goes from them too
      for (const f of files) f.discard();
      cutBack(files, before);
      throw err;
    }
    this.forwarder?.enqueue(stored);
    const rejected = result.rejected + unwritten.size;
    this.totals.accepted += stored.length;
    this.totals.duplicates += duplicates;
    this.totals.rejected += rejected;
    return { accepted: stored.length, duplicates, rejected, errors };
  }
}

function firstLine(error: unknown): string {
  return describeError(error).split('\n', 1)[0];
}

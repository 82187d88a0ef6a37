// Python's socket receiver, for OTLP: each new record is turned back into a LogRecord and handed to
// getLogger(name).handle(record) of the collector's own logging tree (a Manager of its own, so that
// two collectors in one process never share a handler), whose configuration decides where it goes.
// With the default configuration nothing in the tree could see the difference, and a record is
// written from its decoded fields without a LogRecord (the lane): the same line, a third of the CPU.
//
// Group commit: the batches that arrive while one group is being written and fsynced wait, handed
// to the tree (every file handler holds their records), and become the next group. A group is
// stored whole or not at all: each file handler writes it in one go and fsyncs; then the journal
// takes its uids and where each file ends, and fsyncs; only then is each of its batches
// acknowledged. The fsyncs run off the event loop, so the next group is decoded meanwhile, and one
// write and fsync serves as many batches as arrived during the last. A failure at any step cuts the
// files back and fails every batch of the group (503; the clients send them again); a crash
// mid-group is cut back at the next start.
import { Handler } from '../core/handler.js';
import { describeError, reportInternalError } from '../core/internal-error.js';
import { JsonFormatter } from '../core/json-formatter.js';
import { Logger, type Manager, type RootLogger } from '../core/logger.js';
import type { PlainRecord } from '../core/fields.js';
import type { LogRecord } from '../core/record.js';
import { defaultRecordFactory, makeLogRecord } from '../core/record-factory.js';
import { FileHandler, type FileMark } from '../handlers/file.js';
import type { DecodeResult, LineBytes } from '../transport/otlp.js';
import type { DedupeStore } from './dedupe.js';
import type { Forwarder } from './forward.js';
import { LiveViewHandler } from './live-view.js';
import { detach } from './otlp-scan.js';
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

/** The handlers that the default configuration's records reach, written to without a LogRecord. */
interface Lane {
  file: FileHandler;
  formatter: JsonFormatter;
  live: LiveViewHandler | null;
  /** The file's lines are what the live view's formatter makes too. */
  sameLine: boolean;
}

/** A handler that does with a record only what its class does: no filter, no handle() of its own. */
function isPlain(h: Handler): boolean {
  return h.filters.length === 0 && h.handle === Handler.prototype.handle;
}

/** `logger.handle(record)` reaches the root's handlers and no others, and nothing on the way can drop or change the record. */
function plainRoute(logger: Logger, root: Logger): boolean {
  if (logger.disabled || logger.filters.length > 0 || logger.handle !== Logger.prototype.handle || logger.callHandlers !== Logger.prototype.callHandlers) return false;
  for (let c: Logger | null = logger; c !== root; c = c.parent) {
    if (c === null || c.handlers.length > 0 || !c.propagate) return false;
  }
  return true;
}

/** A batch handed to the logging tree, waiting for its group to be on disk. */
interface Waiting {
  result: AcceptResult;
  /** Some of its records were taken as duplicates of a record in the group then being written. */
  leansOnFlight: boolean;
  resolve(result: AcceptResult): void;
  reject(err: unknown): void;
}

/** Batches written and fsynced together: their new uids (in order), how many records they store, and who waits. */
class Group {
  readonly uids = new Set<string>();
  /** How many records it stores. */
  count = 0;
  /**
   * Those records, kept only for a forwarder: held until the group is on disk, a thousand records
   * a request outlived a young-generation collection or two, and copying them cost the collector a
   * sixth of its CPU.
   */
  readonly stored: PlainRecord[] = [];
  waiting: Waiting[] = [];
}

/** Dedupes, hands records to the logging tree, writes and fsyncs the files, journals uids, then forwards. */
export class Receiver {
  readonly totals = { accepted: 0, duplicates: 0, rejected: 0 };
  private readonly startMs = Date.now();
  /** How many handlers the configuration made: fewer open means some were closed under the collector. */
  private readonly configured: number;
  /** The batches handed to the tree since the group in flight began. */
  private open = new Group();
  /** The group being written and fsynced, if one is. */
  private flight: Group | null = null;
  private flown: Promise<void> = Promise.resolve();

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

  /**
   * Stores a batch: resolves once it is on disk with the rest of its group; rejects, having
   * stored none of it, when a file or the journal cannot take the group.
   */
  accept(result: DecodeResult): Promise<AcceptResult> {
    const open = this.open;
    const flight = this.flight;
    const fresh: PlainRecord[] = [];
    // where the fresh records are in result (their lines, made by the scanner, are there by that index)
    const at: number[] = [];
    let duplicates = 0;
    let leansOnFlight = false;
    result.records.forEach((r, i) => {
      if (r.uid) {
        if (this.seen.has(r.uid) || open.uids.has(r.uid)) return void duplicates++;
        if (flight?.uids.has(r.uid)) {
          duplicates++;
          leansOnFlight = true;
          return;
        }
        open.uids.add(r.uid);
      }
      fresh.push(r);
      at.push(i);
    });
    const openHandlers = this.handlers();
    // the app's shutdown() closes every handler of the process, the collector's too: storing nothing
    // and acknowledging would lose the batch, refusing it keeps it with its sender
    if (openHandlers.length < this.configured) {
      for (const r of fresh) if (r.uid) open.uids.delete(r.uid);
      return Promise.reject(new Error('the collector\'s handlers were closed (by shutdown() in this process?); close and start the collector again'));
    }
    const files = fileHandlers(openHandlers);
    const lane = this.lane(openHandlers);
    const routes = new Map<string, Logger | null>();
    // the LogRecord handed to the tree, or null for a record written without one
    const made: (LogRecord | null)[] = [];
    // the scanner's records hold slices of the body: one kept past the request is copied out of it
    const lines = result.lines ?? null;
    const scanned = lines !== null;
    fresh.forEach((r, i) => {
      const known = this.tree.loggerDict.size < MAX_LOGGERS || this.tree.loggerDict.has(r.name);
      const logger = known ? this.tree.getLogger(r.name) : this.tree.root as RootLogger;
      // a line made by the scanner is the default JsonFormatter's: the file's own when its formatter is one
      if (lane && this.writeFields(lane, logger, r, routes, lane.sameLine ? lines : null, at[i])) {
        made.push(null);
        return;
      }
      const record = toLogRecord(scanned ? detach(r) : r, this.startMs);
      made.push(record);
      logger.handle(record);
    });
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
    let accepted = 0;
    fresh.forEach((r, i) => {
      // a record in no file is not stored: its uid is not journaled, so that it is taken when sent again
      const record = made[i];
      if (record && unwritten.has(record)) {
        if (r.uid) open.uids.delete(r.uid);
        return;
      }
      open.count++;
      if (this.forwarder) open.stored.push(scanned && made[i] === null ? detach(r) : r);
      accepted++;
    });
    const outcome: AcceptResult = { accepted, duplicates, rejected: result.rejected + unwritten.size, errors };
    const done = new Promise<AcceptResult>((resolve, reject) => { open.waiting.push({ result: outcome, leansOnFlight, resolve, reject }); });
    this.takeOff();
    return done;
  }

  /**
   * When the configuration is the default one (a batched file handler with a JsonFormatter, on the
   * root, beside the live view) and records are made by the default factory: the handlers that a
   * record's LogRecord would meet, to be written to without one. Else null, and every record is a
   * LogRecord handed to the tree.
   */
  private lane(open: readonly Handler[]): Lane | null {
    // an app's record factory (setLogRecordFactory) sees every record the collector takes, and may add to it
    if (!defaultRecordFactory) return null;
    const file = open.length === 1 ? open[0] : null;
    if (!(file instanceof FileHandler) || !file.batched || !isPlain(file) || file.emit !== FileHandler.prototype.emit) return null;
    const formatter = file.formatter;
    // a JsonFormatter whose own methods are JsonFormatter's (a subclass, or an object made from one, may change them)
    if (!(formatter instanceof JsonFormatter) || formatter.format !== JsonFormatter.prototype.format || formatter.toObject !== JsonFormatter.prototype.toObject
      || formatter.formatFields !== JsonFormatter.prototype.formatFields) return null;
    const root = this.tree.root as RootLogger;
    const live = root.handlers.find((h): h is LiveViewHandler => h instanceof LiveViewHandler) ?? null;
    if (root.handlers.length !== (live ? 2 : 1) || !root.handlers.includes(file)) return null;
    if (live && (!isPlain(live) || live.emit !== LiveViewHandler.prototype.emit)) return null;
    return { file, formatter, live, sameLine: formatter.isDefault };
  }

  /**
   * Writes a record as its LogRecord would be, through `logger`, without making one: true when it
   * did, false when the record must go the LogRecord's way (a logger that filters or has handlers of
   * its own on the way to the root, a record without a uid, a line that cannot be made). `lines`
   * are the lines the scanner made (otlp-scan.ts), the record's the `at`th, if it made one.
   */
  private writeFields(lane: Lane, logger: Logger, r: PlainRecord, routes: Map<string, Logger | null>, lines: LineBytes | null, at: number): boolean {
    if (!r.uid || typeof r.msg !== 'string') return false;
    let route = routes.get(logger.name);
    if (route === undefined) {
      route = plainRoute(logger, this.tree.root as RootLogger) ? logger : null;
      routes.set(logger.name, route);
    }
    if (route === null) return false;
    const made = lines !== null && lines.starts[at] >= 0;
    let line: string | null = null;
    if (r.levelno >= lane.file.level) {
      if (made) lane.file.emitFormattedBytes(lines.bytes, lines.starts[at], lines.ends[at]);
      else {
        try {
          line = lane.formatter.formatFields(r);
        } catch {
          return false;
        }
        lane.file.emitFormatted(line);
      }
    }
    if (lane.live && r.levelno >= lane.live.level) {
      if (made) lane.live.handleLine(r, lines, at);
      else lane.live.handleFields(r, lane.sameLine ? line : null);
    }
    return true;
  }

  /** Resolves once no group is being written (every batch accepted so far has its answer). */
  async drain(): Promise<void> {
    while (this.flight) await this.flown;
  }

  /** Starts writing the open group, unless one is in flight already (then it goes when that one lands). */
  private takeOff(): void {
    if (this.flight || (this.open.waiting.length === 0 && this.open.count === 0)) return;
    const group = this.open;
    this.open = new Group();
    this.flight = group;
    this.flown = this.write(group).then(() => {
      this.forwarder?.enqueue(group.stored);
      this.totals.accepted += group.count;
      for (const w of group.waiting) {
        this.totals.duplicates += w.result.duplicates;
        this.totals.rejected += w.result.rejected;
        w.resolve(w.result);
      }
    }, (err: unknown) => {
      for (const w of group.waiting) w.reject(err);
      // a batch of the next group that took records as duplicates of this one's has lost them; its
      // records that were new go with the next group, and are deduplicated when the batch comes again
      const leaning = this.open.waiting.filter((w) => w.leansOnFlight);
      this.open.waiting = this.open.waiting.filter((w) => !w.leansOnFlight);
      for (const w of leaning) w.reject(err);
    }).catch((err: unknown) => {
      reportInternalError(`--- Logging error ---\ncollector: after a group was stored: ${describeError(err)}\n`);
    }).finally(() => {
      this.flight = null;
      this.takeOff();
    });
  }

  /** Writes a group to every file and fsyncs them, then journals its uids; throws, having stored none of it, on a failure. */
  private async write(group: Group): Promise<void> {
    const open = this.handlers();
    const files = fileHandlers(open);
    const before = files.map((f) => f.mark());
    try {
      if (open.length < this.configured) throw new Error('the collector\'s handlers were closed (by shutdown() in this process?); close and start the collector again');
      for (const f of files) f.flush();
    } catch (err) {
      // the files after the one that failed still hold the group: it goes from them too
      for (const f of files) f.discard();
      cutBack(files, before);
      throw err;
    }
    // from here on what the files hold pending is the next group's
    const after = files.map((f) => f.mark());
    try {
      await Promise.all(files.map((f) => f.syncAsync()));
      // a group that was all duplicates wrote nothing, and has nothing to commit
      if (group.uids.size > 0 || after.some((m, i) => m.size !== before[i].size || m.ino !== before[i].ino)) {
        await this.seen.commitAsync([...group.uids], after);
      }
    } catch (err) {
      cutBack(files, before);
      throw err;
    }
  }
}

function firstLine(error: unknown): string {
  return describeError(error).split('\n', 1)[0];
}

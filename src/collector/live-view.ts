// The live view: GET /events streams every stored record as server-sent events (the page at GET / is live-view-page.ts).
// Each event has an id (`<boot>:<sequence>`), so that a viewer or subscriber that reconnects with
// Last-Event-ID gets what it missed from the backlog, and is told how many it missed beyond it.
import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Handler } from '../core/handler.js';
import { JsonFormatter } from '../core/json-formatter.js';
import { checkLevel } from '../core/level.js';
import type { PlainRecord } from '../core/fields.js';
import type { LogRecord } from '../core/record.js';
import { makeLogRecord } from '../core/record-factory.js';
import type { LineBytes } from '../transport/otlp.js';
import { lineText } from './line-bytes.js';

// a new viewer gets the newest records: at most this many, and at most this much of their text.
// The backlog keeps records as the events they become, never as LogRecords: a record can hold
// fields of megabytes, of which JsonFormatter keeps at most 262,144 characters
export const BACKLOG_RECORDS = 500;
const BACKLOG_BYTES = 2 * 1024 * 1024;
// while no one watches, records are formatted for the backlog this long after the first of them
const FORMAT_AFTER_MS = 50;
// what may wait for one viewer, the backlog included; past it the viewer is cut off (EventSource
// reconnects, and starts again from the backlog). Above the 5 MiB body limit, so that a viewer that
// reads is not cut off by one request's records. The events are the same strings for every viewer:
// together the viewers hold the newest 8 MiB of events at most
const VIEWER_BUFFER = 8 * 1024 * 1024;
// what a viewer's socket is given at a time; the rest waits in its queue until the socket drains
const SOCKET_SHARE = 1024 * 1024;
// this many viewers at most, 503 beyond
export const MAX_VIEWERS = 32;
// loggers a viewer may name in ?logger=
const MAX_LOGGER_FILTERS = 64;

interface LiveEvent { seq: number; level: number; logger: string; text: string; bytes: number }

/**
 * A record not yet made an event: a LogRecord, or the plain fields of one the collector wrote
 * without it, or its line when made (as text, or the `at`th of the scanner's lines).
 */
// a record's line, once made, is held without the record: held for 50 ms, a thousand records
// outlived young-generation collections, which copied each of them
type Unformatted = { record: LogRecord; seq: number } | { fields: PlainRecord; seq: number } | { line: string; level: number; logger: string; seq: number }
  | { lines: LineBytes; at: number; level: number; logger: string; seq: number };

/** Which records a viewer is sent: `?level=` (a number or a name) and `?logger=` (repeated; a name and its children). */
export interface ViewerFilter { level: number; loggers: readonly string[] }

/** A viewer's request: its filter, where to start, or why it cannot be served (a 400's reason). */
export interface ViewerRequest { filter: ViewerFilter; lastEventId: string | null; backlog: number }

/** Reads `?level=`, `?logger=`, `?backlog=` and the Last-Event-ID header; throws a message for a 400. */
export function viewerRequest(url: URL, lastEventId: string | undefined): ViewerRequest {
  const loggers = url.searchParams.getAll('logger').map((l) => l.trim()).filter((l) => l !== '');
  if (loggers.length > MAX_LOGGER_FILTERS) throw new Error(`at most ${MAX_LOGGER_FILTERS} logger= filters, got ${loggers.length}`);
  let level = 0;
  const given = url.searchParams.get('level');
  if (given !== null && given !== '') {
    const n = /^\d+$/.test(given) ? Number(given) : given.toUpperCase();
    try {
      level = checkLevel(n);
    } catch {
      throw new Error(`level=${given} is not a level; give a number or DEBUG, INFO, WARNING, ERROR, CRITICAL`);
    }
  }
  let backlog = BACKLOG_RECORDS;
  const wanted = url.searchParams.get('backlog');
  if (wanted !== null) {
    if (!/^\d{1,9}$/.test(wanted)) throw new Error(`backlog=${wanted} must be a whole number of records (at most ${BACKLOG_RECORDS} are kept)`);
    backlog = Math.min(Number(wanted), BACKLOG_RECORDS);
  }
  return { filter: { level, loggers }, lastEventId: lastEventId ?? url.searchParams.get('lastEventId'), backlog };
}

function passes(filter: ViewerFilter, event: LiveEvent): boolean {
  if (event.level < filter.level) return false;
  if (filter.loggers.length === 0) return true;
  return filter.loggers.some((l) => event.logger === l || event.logger.startsWith(l + '.') || l === 'root');
}

/** One connected viewer: its events wait here and go to the socket only as fast as it takes them. */
class Viewer {
  private readonly queue: { text: string; bytes: number }[];
  private head = 0;
  private queued = 0;

  constructor(readonly res: ServerResponse, readonly filter: ViewerFilter, first: readonly { text: string; bytes: number }[]) {
    this.queue = first.slice();
    for (const event of first) this.queued += event.bytes;
    res.on('drain', () => this.pump());
    this.pump();
  }

  /** Queues one event; false when the viewer is too far behind to keep. */
  push(event: LiveEvent): boolean {
    if (!passes(this.filter, event)) return true;
    this.queue.push(event);
    this.queued += event.bytes;
    if (this.queued + this.res.writableLength > VIEWER_BUFFER) return false;
    this.pump();
    return true;
  }

  private pump(): void {
    while (this.head < this.queue.length && this.res.writableLength < SOCKET_SHARE) {
      const event = this.queue[this.head++];
      this.queued -= event.bytes;
      this.res.write(event.text);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** An SSE event of its own kind (not a record): `event: <name>` with JSON data. */
function notice(name: string, data: Record<string, unknown>): { text: string; bytes: number } {
  const text = `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
  return { text, bytes: Buffer.byteLength(text) };
}

/** A handler that sends each record to the connected viewers, and keeps the last few for new ones. */
export class LiveViewHandler extends Handler {
  private readonly viewers = new Set<Viewer>();
  private readonly backlog: LiveEvent[] = [];
  private backlogBytes = 0;
  private readonly json = new JsonFormatter();
  /** This handler's events' id prefix: an id from another boot cannot be resumed from. */
  readonly boot = randomUUID().slice(0, 8);
  private seq = 0;
  /** The records of the last 50 ms while no one watches, each with its sequence number, formatted after them. */
  private unformatted: Unformatted[] = [];
  private pendingFormat: ReturnType<typeof setTimeout> | null = null;

  /**
   * Streams to `res`: first the backlog (the newest `backlog` records that pass the filter, or,
   * resuming from a Last-Event-ID of this boot, every kept record after it, with a `gap` event
   * saying how many were not kept), then every record as it comes.
   */
  attach(res: ServerResponse, request: ViewerRequest = { filter: { level: 0, loggers: [] }, lastEventId: null, backlog: BACKLOG_RECORDS }): void {
    if (this.viewers.size >= MAX_VIEWERS) {
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '10' });
      res.end(JSON.stringify({ error: `the live view has ${MAX_VIEWERS} viewers already; close one and reload` }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(`: isolog live view\nretry: 2000\n\n`);
    // this turn's records so far, in the backlog before it is read
    this.formatUnformatted();
    const first: { text: string; bytes: number }[] = [];
    const kept = this.backlog.filter((e) => passes(request.filter, e));
    const resumeFrom = this.resumePoint(request.lastEventId);
    if (resumeFrom === undefined) {
      if (request.lastEventId) first.push(notice('gap', { missed: null, reason: 'the collector restarted since the last event; records it stored meanwhile are in its files' }));
      first.push(...kept.slice(Math.max(0, kept.length - request.backlog)));
    } else {
      // records after the last one seen that were pushed out of the backlog before this viewer came back
      const oldest = this.backlog.length > 0 ? this.backlog[0].seq : this.seq + 1;
      const missed = Math.max(0, oldest - resumeFrom - 1);
      if (missed > 0) first.push(notice('gap', { missed, reason: `${missed} records (before filtering) came and left the collector's backlog of ${BACKLOG_RECORDS} while this viewer was away` }));
      first.push(...kept.filter((e) => e.seq > resumeFrom));
    }
    // where the stream is now, as an event with an id and no data (nothing is shown): a viewer that
    // reconnects before any record came resumes from here, and misses nothing that came meanwhile
    const here = `id: ${this.boot}:${this.seq}\n\n`;
    first.push({ text: here, bytes: here.length });
    const viewer = new Viewer(res, request.filter, first);
    this.viewers.add(viewer);
    res.on('close', () => this.viewers.delete(viewer));
  }

  /** The sequence number an id of this boot names; undefined for none, another boot's, or garbage. */
  private resumePoint(id: string | null): number | undefined {
    if (!id) return undefined;
    const [boot, seq] = id.split(':');
    if (boot !== this.boot || !/^\d{1,15}$/.test(seq ?? '')) return undefined;
    return Math.min(Number(seq), this.seq);
  }

  emit(record: LogRecord): void {
    // every record takes a number, formatted or not: a viewer that comes back counts what it missed
    const seq = ++this.seq;
    if (this.viewers.size === 0) return this.hold({ record, seq });
    this.formatUnformatted();
    this.add(this.json.format(record), record.levelno, record.name, seq);
  }

  /**
   * No one watches: of the records of the next 50 ms only the newest few can stay in the backlog,
   * and only they are formatted, once the 50 ms are over or a viewer comes (formatting at the end of
   * each turn, half of a 1,000-record request was formatted, to be pushed out by the next request;
   * that was a tenth of the collector's CPU). Held meanwhile: at most 1,000 records, of requests
   * that came in those 50 ms.
   */
  private hold(entry: Unformatted): void {
    if (this.pendingFormat === null) {
      this.pendingFormat = setTimeout(this.formatUnformatted, FORMAT_AFTER_MS);
      this.pendingFormat.unref?.();
    }
    this.unformatted.push(entry);
    if (this.unformatted.length >= 2 * BACKLOG_RECORDS) this.unformatted.splice(0, this.unformatted.length - BACKLOG_RECORDS);
  }

  /**
   * What handle() does with `makeLogRecord(fields)`, without the LogRecord: for the collector's
   * records, written without one when its configuration is the default. `line` is the JSON a default
   * JsonFormatter made of them, if it did.
   */
  handleFields(fields: PlainRecord, line: string | null): void {
    const seq = ++this.seq;
    if (this.viewers.size === 0) return this.hold(line === null ? { fields, seq } : { line, level: fields.levelno, logger: fields.name, seq });
    this.formatUnformatted();
    this.addFields(fields, line, seq);
  }

  /** As handleFields, for a record whose line the scanner made: the `at`th of `lines`. */
  handleLine(fields: PlainRecord, lines: LineBytes, at: number): void {
    const seq = ++this.seq;
    if (this.viewers.size === 0) return this.hold({ lines, at, level: fields.levelno, logger: fields.name, seq });
    this.formatUnformatted();
    this.add(lineText(lines, at) as string, fields.levelno, fields.name, seq);
  }

  private addFields(fields: PlainRecord, line: string | null, seq: number): void {
    try {
      this.add(line ?? this.json.formatFields(fields), fields.levelno, fields.name, seq);
    } catch (err) {
      this.handleError(makeLogRecord(fields), err);
    }
  }

  /** The records that came while no one watched, the newest 500 of them, to the backlog. */
  private readonly formatUnformatted = (): void => {
    if (this.pendingFormat !== null) clearTimeout(this.pendingFormat);
    this.pendingFormat = null;
    const records = this.unformatted;
    if (records.length === 0) return;
    this.unformatted = [];
    for (const entry of records.slice(-BACKLOG_RECORDS)) {
      if ('line' in entry) {
        this.add(entry.line, entry.level, entry.logger, entry.seq);
        continue;
      }
      if ('lines' in entry) {
        this.add(lineText(entry.lines, entry.at) as string, entry.level, entry.logger, entry.seq);
        continue;
      }
      if ('fields' in entry) {
        this.addFields(entry.fields, null, entry.seq);
        continue;
      }
      try {
        this.add(this.json.format(entry.record), entry.record.levelno, entry.record.name, entry.seq);
      } catch (err) {
        this.handleError(entry.record, err);
      }
    }
  };

  private add(json: string, level: number, logger: string, seq: number): void {
    const text = `id: ${this.boot}:${seq}\ndata: ${json}\n\n`;
    const event = { seq, level, logger, text, bytes: Buffer.byteLength(text) };
    this.backlog.push(event);
    this.backlogBytes += event.bytes;
    while (this.backlog.length > BACKLOG_RECORDS || this.backlogBytes > BACKLOG_BYTES) {
      this.backlogBytes -= (this.backlog.shift() as LiveEvent).bytes;
    }
    for (const viewer of this.viewers) {
      if (viewer.push(event)) continue;
      this.viewers.delete(viewer);
      viewer.res.destroy();
    }
  }

  override close(): void {
    for (const viewer of this.viewers) viewer.res.end();
    this.viewers.clear();
    if (this.pendingFormat !== null) clearTimeout(this.pendingFormat);
    this.pendingFormat = null;
    this.unformatted = [];
    super.close();
  }
}

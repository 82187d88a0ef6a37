// A subscriber to a running collector, as logbook's ZeroMQSubscriber: it reads the collector's
// stream of stored records (GET /events, server-sent events), turns each back into a LogRecord and
// hands it to this process's loggers, as Python's socket receiver does (getLogger(name).handle).
// It reconnects on its own, resuming after the last event it had; what it could not get back is
// said in a WARNING record, never skipped silently. Only fetch and streams: Node, Deno, Bun.
import { checkLevel, WARNING } from '../core/level.js';
import { getLogger, manager, root } from '../core/logger.js';
import type { LogRecord } from '../core/record.js';
import { makeLogRecord } from '../core/record-factory.js';

/** Options for a Subscriber. */
export interface SubscriberOptions {
  /** The collector's token (sent as `Authorization: Bearer`). */
  token?: string;
  /** Only records of these loggers and their children (the collector filters). */
  loggers?: readonly string[];
  /** Only records at this level or above (a number or a name); all by default. */
  level?: number | string;
  /** How many of the collector's newest records to get first (at most the 500 it keeps); 0 by default. */
  backlog?: number;
  /** First wait before a reconnect, doubled after each failure up to `maxRetryMs`; 500 ms by default. */
  retryMs?: number;
  /** Longest wait between reconnects; 30 s by default. */
  maxRetryMs?: number;
  /**
   * The fetch to use (a test's, a proxy's); the global one by default. Typed by what the subscriber
   * calls, so that these types need neither the DOM's nor Node's: `signal` is an AbortSignal.
   */
  fetch?(url: string, init: { headers: Record<string, string>; signal: never }): Promise<unknown>;
}

/** What a subscriber has done so far. */
export interface SubscriberStats {
  /** Records handed on. */
  received: number;
  /** Records that came twice (a batch the collector stored again after a failed write) and were dropped. */
  duplicates: number;
  /** Records the collector said came and went while this subscriber was away (counted before filtering). */
  missed: number;
  /** Connections made after the first. */
  reconnects: number;
  /** Records of a logger past the 10,000 this process would make for them, handed to the root's handlers. */
  toRoot: number;
  /** Events whose data was not a record (not JSON, or no level number): dropped. */
  unreadable: number;
  /** Why the last attempt to connect failed, or null while connected. */
  lastError: string | null;
}

/** A refusal that waiting does not cure (a wrong token, not a collector): the subscriber stops. */
export class SubscriberError extends Error {
  override name = 'SubscriberError';
}

// a hostile sender could name a new logger per record; past this many, records go to the root's handlers
const MAX_LOGGERS = 10_000;
// uids remembered to drop a record the stream sends twice
const RECENT_UIDS = 20_000;
const SUBSCRIBER_LOGGER = 'isolog.subscriber';

interface SseEvent { id: string | null; event: string; data: string }

/** The collector's JSON object of a record (JsonFormatter's shape, its `level` a number) as a LogRecord again. */
export function recordFromJson(obj: Record<string, unknown>, startMs = Date.now()): LogRecord {
  const attributes = obj.attributes && typeof obj.attributes === 'object' ? obj.attributes as Record<string, unknown> : {};
  const nanos = typeof obj.timeUnixNano === 'string' && /^\d{1,20}$/.test(obj.timeUnixNano) ? obj.timeUnixNano : undefined;
  const ms = nanos ? Number(nanos.length > 6 ? nanos.slice(0, -6) : '0') : typeof obj.time === 'string' ? Date.parse(obj.time) : Date.now();
  const fields: Record<string, unknown> = { ...attributes };
  for (const key of ['traceId', 'spanId', 'resource'] as const) if (obj[key] !== undefined) fields[key] = obj[key];
  if (nanos) fields.timeUnixNano = nanos;
  const level = obj.level as number;
  const record = makeLogRecord({
    ...fields,
    name: typeof obj.logger === 'string' ? obj.logger : 'root',
    levelno: level,
    levelname: typeof obj.levelname === 'string' ? obj.levelname : `Level ${level}`,
    msg: typeof obj.message === 'string' ? obj.message : obj.message === undefined || obj.message === null ? '' : JSON.stringify(obj.message),
    args: null,
    uid: typeof obj.uid === 'string' ? obj.uid : '',
    exc_text: typeof obj.exception === 'string' ? obj.exception : null,
    stack_info: typeof obj.stack === 'string' ? obj.stack : null,
  });
  const safeMs = Number.isFinite(ms) ? ms : Date.now();
  record.created = nanos ? Number(nanos) / 1e9 : safeMs / 1000;
  record.msecs = safeMs % 1000;
  record.relativeCreated = safeMs - startMs;
  return record;
}

/** Splits a text stream into server-sent events (comments and `retry:` are read and dropped). */
async function* sseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let buffered = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffered += decoder.decode(value, { stream: true }).replace(/\r\n?/g, '\n');
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const block = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        let id: string | null = null;
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + (line[colon + 1] === ' ' ? 2 : 1));
          if (field === 'id') id = value;
          else if (field === 'event') event = value;
          else if (field === 'data') data.push(value);
        }
        // an event with an id alone moves the stream's position (as EventSource's last event id)
        if (data.length > 0 || id !== null) yield { id, event, data: data.join('\n') };
      }
    }
  } finally {
    reader.releaseLock();
    await body.cancel().catch(() => {});
  }
}

/** What a failed fetch says, with its cause's code (Node's fetch says only "fetch failed"). */
function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = cause && typeof cause === 'object' ? (typeof cause.code === 'string' ? cause.code : typeof cause.message === 'string' ? cause.message : '') : '';
  return detail && !err.message.includes(detail) ? `${err.message} (${detail})` : err.message;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> => new Promise((resolve) => {
  if (signal.aborted) return resolve();
  const timer = setTimeout(done, ms);
  function done(): void {
    clearTimeout(timer);
    signal.removeEventListener('abort', done);
    resolve();
  }
  signal.addEventListener('abort', done);
});

/**
 * Subscribes to a collector's stream and hands every record, filtered by logger and level, to
 * this process's handlers, as logbook's `ZeroMQSubscriber` does.
 * @example
 * basicConfig({ level: 'DEBUG', format: '%(asctime)s %(levelname)s %(name)s: %(message)s' });
 * await new Subscriber('https://logs.example.com', { token, level: 'WARNING' }).dispatchForever();
 */
export class Subscriber {
  readonly stats: SubscriberStats = { received: 0, duplicates: 0, missed: 0, reconnects: 0, toRoot: 0, unreadable: 0, lastError: null };
  private readonly url: URL;
  private readonly doFetch: (url: string, init: { headers: Record<string, string>; signal: AbortSignal }) => Promise<Response>;
  private readonly stopper = new AbortController();
  private lastEventId: string | null = null;
  private readonly recent = new Set<string>();
  private running: Promise<void> | undefined;
  private readonly startMs = Date.now();

  constructor(url: string | { readonly href: string }, private readonly options: SubscriberOptions = {}) {
    let parsed: URL;
    try {
      parsed = new URL(typeof url === 'string' ? url : url.href);
    } catch {
      throw new SubscriberError(`not a URL: ${String(url)}; give the collector's address, as http://127.0.0.1:4318`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new SubscriberError(`${parsed.href}: a collector is reached over http: or https:`);
    // the collector's address, or its /events itself
    if (!parsed.pathname.endsWith('/events')) parsed.pathname = parsed.pathname.replace(/\/?$/, '/events');
    // sent as its number: a name this process gave with addLevelName means nothing to the collector
    const level = options.level === undefined ? undefined : checkLevel(typeof options.level === 'string' ? options.level.toUpperCase() : options.level);
    for (const logger of options.loggers ?? []) parsed.searchParams.append('logger', logger);
    if (level !== undefined) parsed.searchParams.set('level', String(Math.max(0, Math.trunc(level))));
    this.url = parsed;
    const given = options.fetch;
    this.doFetch = given ? (u, init) => given.call(options, u, init as unknown as { headers: Record<string, string>; signal: never }) as Promise<Response> : (u, init) => fetch(u, init);
  }

  /** The records as they come, until `close()`; reconnects and resumes on its own. */
  async *records(): AsyncGenerator<LogRecord> {
    const signal = this.stopper.signal;
    let wait = this.options.retryMs ?? 500;
    const maxWait = this.options.maxRetryMs ?? 30_000;
    let first = true;
    // whether the last attempt failed: an outage is said once, when it starts
    let failing = false;
    while (!signal.aborted) {
      const url = new URL(this.url);
      // the backlog only on the first connection: a reconnect resumes after the last event instead
      url.searchParams.set('backlog', first ? String(this.options.backlog ?? 0) : '0');
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (this.options.token) headers.authorization = `Bearer ${this.options.token}`;
      if (this.lastEventId) headers['last-event-id'] = this.lastEventId;
      let response: Response | undefined;
      let failure: string | null = null;
      try {
        response = await this.doFetch(url.href, { headers, signal });
      } catch (err) {
        if (signal.aborted) return;
        failure = describeFailure(err);
      }
      if (response) {
        if (response.status === 401 || response.status === 403) {
          await response.body?.cancel();
          throw new SubscriberError(`${this.url.origin} refused the subscription (${response.status}): ${this.options.token ? 'the token is wrong' : 'the collector has a token; pass it (--token T)'}`);
        }
        if (response.status === 400 || response.status === 404) {
          const text = await response.text().catch(() => '');
          throw new SubscriberError(`${this.url.href} answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}; is this an isolog collector?`);
        }
        const type = response.headers.get('content-type') ?? '';
        if (response.ok && response.body && type.startsWith('text/event-stream')) {
          if (!first) this.stats.reconnects++;
          first = false;
          failing = false;
          this.stats.lastError = null;
          wait = this.options.retryMs ?? 500;
          try {
            for await (const event of sseEvents(response.body)) {
              const record = this.fromEvent(event);
              if (record) yield record;
            }
          } catch {
            // the connection broke mid-stream: reconnect below
          }
        } else {
          await response.body?.cancel().catch(() => {});
          if (response.ok) throw new SubscriberError(`${this.url.href} is not a stream of records (content-type ${type || 'none'}); is this an isolog collector?`);
          // 503 (too many viewers), 5xx: wait as asked, or as the backoff says
          const after = Number(response.headers.get('retry-after'));
          if (Number.isFinite(after) && after > 0) wait = Math.max(wait, Math.min(after * 1000, maxWait));
          failure = `it answered ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
        }
      }
      if (signal.aborted) return;
      if (failure !== null) {
        this.stats.lastError = failure;
        if (!failing) {
          failing = true;
          yield getLogger(SUBSCRIBER_LOGGER).makeRecord(SUBSCRIBER_LOGGER, WARNING, '', 0,
            'cannot reach %s: %s; retrying until it answers (waits up to %s s)', [this.url.origin, failure, String(maxWait / 1000)], null);
        }
      }
      await sleep(wait, signal);
      wait = Math.min(wait * 2, maxWait);
    }
  }

  /** A record of the stream's event, a WARNING record of a gap, or undefined for a duplicate or garbage. */
  private fromEvent(event: SseEvent): LogRecord | undefined {
    if (event.id) this.lastEventId = event.id;
    if (event.event === 'gap') {
      let gap: { missed?: number | null; reason?: string } = {};
      try { gap = JSON.parse(event.data) as typeof gap; } catch { /* a gap all the same */ }
      const missed = typeof gap.missed === 'number' ? gap.missed : undefined;
      if (missed !== undefined) this.stats.missed += missed;
      const record = getLogger(SUBSCRIBER_LOGGER).makeRecord(SUBSCRIBER_LOGGER, WARNING, '', 0,
        missed !== undefined ? 'missed %d records from %s while reconnecting: %s' : 'may have missed records from %s while reconnecting: %s',
        missed !== undefined ? [missed, this.url.origin, gap.reason ?? ''] : [this.url.origin, gap.reason ?? 'the collector restarted'], null);
      return record;
    }
    if (event.event !== 'message' || event.data === '') return undefined;
    let obj: unknown;
    try {
      obj = JSON.parse(event.data);
    } catch {
      this.stats.unreadable++;
      return undefined;
    }
    if (typeof obj !== 'object' || obj === null || !Number.isInteger((obj as { level?: unknown }).level)) {
      this.stats.unreadable++;
      return undefined;
    }
    const record = recordFromJson(obj as Record<string, unknown>, this.startMs);
    if (record.uid) {
      if (this.recent.has(record.uid)) {
        this.stats.duplicates++;
        return undefined;
      }
      this.recent.add(record.uid);
      if (this.recent.size > RECENT_UIDS) this.recent.delete(this.recent.values().next().value as string);
    }
    this.stats.received++;
    return record;
  }

  /** Hands one record to its logger, as Python's socket receiver does; override to send it elsewhere. */
  dispatch(record: LogRecord): void {
    if (record.name === 'root') {
      root.handle(record);
      return;
    }
    const known = manager.loggerDict.size < MAX_LOGGERS || manager.loggerDict.has(record.name);
    if (!known) this.stats.toRoot++;
    (known ? getLogger(record.name) : root).handle(record);
  }

  /** Dispatches every record until `close()`; rejects with a SubscriberError when the collector refuses. */
  dispatchForever(): Promise<void> {
    this.running ??= (async () => {
      for await (const record of this.records()) this.dispatch(record);
    })();
    return this.running;
  }

  /**
   * Starts `dispatchForever()` and returns at once; `close()` stops it. A refusal is logged as an
   * ERROR record of `isolog.subscriber`, since no caller awaits it.
   */
  dispatchInBackground(): this {
    this.dispatchForever().catch((err: unknown) => {
      getLogger(SUBSCRIBER_LOGGER).error('subscriber stopped: %s', err instanceof Error ? err.message : String(err));
    });
    return this;
  }

  /** Stops: the connection is closed; resolves once dispatching has ended. */
  async close(): Promise<void> {
    this.stopper.abort();
    await this.running?.catch(() => {});
  }
}

// One edge request's logging: the fields every record of the request carries, its own batch (a
// FetchHandler made for this request alone: workerd cancels I/O shared across requests), and the
// router on the root logger that finds, for each record, the request it was logged in.
import { Handler } from '../../core/handler.js';
import { LoggerAdapter } from '../../core/adapter.js';
import { getLogger, root, type Logger } from '../../core/logger.js';
import { JsonFormatter } from '../../core/json-formatter.js';
import { ERROR, WARNING, INFO } from '../../core/level.js';
import type { LogRecord } from '../../core/record.js';
import { createRecord } from '../../core/record-factory.js';
import { continueTrace, formatTraceparent, newSpanId, type TraceContext } from '../../core/trace-context.js';
import type { FetchHandler } from '../../transport/fetch-handler.js';
import type { ErrorContextHandler } from '../../handlers/context.js';
import type { SamplingFilter } from '../../core/sampling.js';
import type { LogKwargs } from '../../core/log-options.js';

/** What `AsyncLocalStorage` offers that a request needs: run a function in a store, read the store. */
export interface ContextStorage<T> {
  run<R>(store: T, fn: () => R): R;
  getStore(): T | undefined;
}
/** `AsyncLocalStorage` from `node:async_hooks`, as a class. */
export type ContextStorageClass = new <T>() => ContextStorage<T>;

/** A request URL's path, read without parsing the URL (a request's URL is absolute and normalized): on the edge each call is CPU. */
function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  let end = url.length;
  for (const mark of ['?', '#']) {
    const at = url.indexOf(mark, start);
    if (at >= 0 && at < end) end = at;
  }
  return url.slice(start, end);
}

/** The request fields every record logged during the request carries (OpenTelemetry's attribute names). */
export function requestFields(request: Request, requestId: string, trace: TraceContext, ray: string | null = request.headers.get('cf-ray')): Record<string, unknown> {
  const fields: Record<string, unknown> = { 'http.request.method': request.method, 'url.path': pathOf(request.url) };
  if (ray) fields['cf.ray'] = ray;
  // request.cf exists in workerd only, and not for every request (a test's, a subrequest's)
  const cf = (request as { cf?: { colo?: unknown; country?: unknown } }).cf;
  if (typeof cf?.colo === 'string') fields['cf.colo'] = cf.colo;
  if (typeof cf?.country === 'string') fields['cf.country'] = cf.country;
  fields['request.id'] = requestId;
  fields.traceId = trace.traceId;
  fields.spanId = trace.spanId;
  return fields;
}

/**
 * One request's logging, handed to the Worker's `fetch` as its fourth argument: a logger bound to the
 * request (needed where the runtime has no AsyncLocalStorage), its trace and its fields.
 * @example async fetch(request, env, ctx, log) { log.getLogger('api').info('hello'); await fetch(url, { headers: log.headers() }) }
 */
export class RequestLog {
  /** The request's id: its `cf-ray`, else `x-request-id`, else its span id. */
  readonly requestId: string;
  /** The trace this request belongs to (continued from its `traceparent`, or new) and its own span. */
  readonly trace: TraceContext;
  /** The fields its records carry. */
  readonly fields: Record<string, unknown>;
  /** Where its records go to the collector; null when only the console gets them. */
  readonly sender: FetchHandler | null;
  /** Whether its records are written to the console as JSON too. */
  readonly toConsole: boolean;
  /** When the request started (ms since the epoch). */
  readonly started = Date.now();
  /** Set once its records were handed over for sending: later ones wait for the next request. */
  ended = false;
  /**
   * The request's error context, when on: quiet records wait here and reach the sender only with
   * an error of the request; what is left at its end is dropped, counted (closeRequest).
   */
  ring: ErrorContextHandler | null = null;

  constructor(request: Request, sender: FetchHandler | null, toConsole: boolean) {
    this.trace = continueTrace(request.headers.get('traceparent'));
    const ray = request.headers.get('cf-ray');
    // without an id of its own, the request is named by its span, unique to it
    this.requestId = ray || request.headers.get('x-request-id') || this.trace.spanId;
    this.fields = requestFields(request, this.requestId, this.trace, ray);
    this.sender = sender;
    this.toConsole = toConsole;
  }

  /**
   * A logger whose records belong to this request whether or not the runtime can tell which request
   * is running: the same logger as `getLogger(name)`, reached through an adapter.
   * @example log.getLogger('api.orders').info('order %s', id)
   */
  getLogger(name?: string): LoggerAdapter {
    return new RequestLogger(getLogger(name), this);
  }

  /**
   * Headers that carry this request's trace to a call it makes: a `traceparent` naming a new child span.
   * @example await fetch(url, { headers: { ...log.headers(), accept: 'application/json' } })
   */
  headers(): { traceparent: string } {
    return { traceparent: formatTraceparent({ ...this.trace, spanId: newSpanId() }) };
  }
}

// The request a record is logged in when a RequestLogger logs: the call runs its handlers before it
// returns, so a variable set around it is enough, without AsyncLocalStorage
let explicit: RequestLog | undefined;

class RequestLogger extends LoggerAdapter {
  constructor(logger: Logger, private readonly request: RequestLog) { super(logger, {}, true); }

  override process(msg: unknown, kwargs: LogKwargs): [unknown, LogKwargs] {
    return [msg, kwargs];
  }

  override log(level: number, msg: unknown, ...args: unknown[]): void {
    const previous = explicit;
    explicit = this.request;
    try { super.log(level, msg, ...args); } finally { explicit = previous; }
  }
}

// records logged where no request can be told (module scope, or any logger without AsyncLocalStorage),
// or after their request's batch was handed over, wait for the next request's batch; at most this many
const MAX_UNATTRIBUTED = 100;

/**
 * The one handler on the root logger while edge logging is on: gives each record its request's
 * fields and hands it to that request's sender and, when asked, to the console as JSON.
 */
export class RequestRouter extends Handler {
  storage: ContextStorage<RequestLog> | null = null;
  /** withLogging's sampling, applied to records with their request's fields. */
  sampling: SamplingFilter | null = null;
  /** Whether records that no request takes are written to the console (the last request's choice). */
  consoleForUnattributed = true;
  /** Records that no request could be found for, kept for the next request's batch. */
  private unattributed: LogRecord[] = [];
  private unattributedDropped = 0;
  private readonly json = new JsonFormatter();

  /** The request the current code runs for, if the runtime can tell. */
  current(): RequestLog | undefined {
    return explicit ?? this.storage?.getStore();
  }

  override emit(record: LogRecord): void {
    const request = this.current();
    if (request) {
      // a field the call gave itself (its own traceId, say) wins over the request's
      for (const key in request.fields) if (!(key in record)) record[key] = request.fields[key];
      // sampled once the record has its request's trace: a request is kept whole or not at all
      if (this.sampling && !this.sampling.filter(record)) return;
      if (request.toConsole) this.writeConsole(record);
      // logged after the response was sent (in a waitUntil of the app's): its request's batch is gone
      if (!request.ended) (request.ring ?? request.sender)?.handle(record);
      else if (request.sender) this.keep(record);
      return;
    }
    if (this.consoleForUnattributed) this.writeConsole(record);
    this.keep(record);
  }

  private keep(record: LogRecord): void {
    if (this.unattributed.length < MAX_UNATTRIBUTED) this.unattributed.push(record);
    else this.unattributedDropped++;
  }

  /** Hands the records no request took to `request`'s batch, with a WARNING if some were dropped. */
  adopt(request: RequestLog): void {
    this.consoleForUnattributed = request.toConsole;
    if (!request.sender) { this.unattributed = []; return; }
    for (const record of this.unattributed) request.sender.handle(record);
    this.unattributed = [];
    if (this.unattributedDropped > 0) {
      request.sender.handle(createRecord('isolog', WARNING, '', 0,
        'isolog: dropped %d records logged outside any request (at most %d wait for the next request)',
        [this.unattributedDropped, MAX_UNATTRIBUTED], null));
      this.unattributedDropped = 0;
    }
  }

  /** One JSON object per record on the console, by level, as Workers Logs and `wrangler tail` index it. */
  private writeConsole(record: LogRecord): void {
    const object = JSON.parse(this.json.format(record)) as Record<string, unknown>;
    if (record.levelno >= ERROR) console.error(object);
    else if (record.levelno >= WARNING) console.warn(object);
    else if (record.levelno >= INFO) console.info(object);
    else console.debug(object);
  }
}

let router: RequestRouter | undefined;

/** The router on the root logger, added the first time a request is logged (never at import). */
export function requestRouter(): RequestRouter {
  router ??= new RequestRouter();
  // configure() or basicConfig({ force }) may have taken it off since: put it back
  if (!root.handlers.includes(router)) root.addHandler(router);
  return router;
}

/** Runs `fn` as part of `request`: with AsyncLocalStorage, every logger reaches the request. */
export function runInRequest<R>(request: RequestLog, fn: () => R): R {
  const storage = requestRouter().storage;
  return storage ? storage.run(request, fn) : fn();
}

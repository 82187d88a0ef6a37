// isolog/edge: request logging for Cloudflare Workers and other edge runtimes with fetch and a
// waitUntil. Each request's records carry its fields and trace, are batched for that request alone
// and sent after the response, inside ctx.waitUntil and a bounded time.
import { root } from '../core/logger.js';
import { checkLevel, ERROR, INFO } from '../core/level.js';
import { kwargs } from '../core/log-options.js';
import { FetchHandler } from '../transport/fetch-handler.js';
import { ErrorContextHandler } from '../handlers/context.js';
import { SamplingFilter, type SamplingOptions } from '../core/sampling.js';
import { LevelsPoller, levelsUrlFor, RemoteLevels } from '../transport/remote-levels.js';
import {
  RequestLog, requestRouter, runInRequest,
  type ContextStorage, type ContextStorageClass,
} from '../pipeline/edge/request-log.js';

export * from '../index.js';
// the OTLP codec, for services that build or read requests themselves; not in \`isolog\`, where a
// page's bundler would put it on the first load beside the lazily loaded pipeline that uses it
export {
  encodeRecords, decodeRequest, OtlpFormatError, UID_ATTRIBUTE,
  type ExportLogsServiceRequest, type OtlpLogRecord, type DecodeResult,
} from '../transport/otlp.js';
export { RequestLog, type ContextStorage, type ContextStorageClass } from '../pipeline/edge/request-log.js';

/** A value, or a function of the Worker's `env` that gives it (a secret, a binding). */
export type FromEnv<Env, T> = T | ((env: Env) => T);

/** Options of `withLogging` and `loggingMiddleware`. */
export interface EdgeLoggingOptions<Env = unknown> {
  /** The OTLP/HTTP logs endpoint (`https://logs.example.com/v1/logs`); none: records go to the console only. */
  collector?: FromEnv<Env, string | undefined>;
  /** Bearer token for the collector. */
  token?: FromEnv<Env, string | undefined>;
  /** The root logger's level, set on the first request (default INFO); null leaves it as it is. */
  level?: number | string | null;
  /** OTLP resource attributes (`service.name`, …). */
  resource?: FromEnv<Env, Record<string, unknown> | undefined>;
  /** Write each record to the console as one JSON object too (default: only when there is no collector). */
  console?: boolean;
  /** Log one access record per request on `isolog.access` (default true). */
  access?: boolean;
  /** Records one request may send (default 1,000); the rest are dropped and counted in a WARNING record. */
  maxRecords?: number;
  /** UTF-8 bytes of records one request may send (default 256 KiB). */
  maxBytes?: number;
  /**
   * Gzip the request's records (default false: a request's batch is small, and on the edge the CPU
   * that compression costs is billed and capped, where the bytes it saves are not).
   */
  gzip?: boolean;
  /** How long the sending after the response may take, retries included (default 5,000 ms; Cloudflare allows 30 s). */
  flushTimeoutMs?: number;
  /**
   * Sampling ratios and rate limits by logger name prefix (SamplingFilter's options, built at the
   * first request, or a SamplingFilter), for every
   * request of the isolate; a request's records carry its trace id, so a sampled request keeps all
   * of them. What is suppressed is said in a WARNING of `isolog.sampling` each window.
   */
  sampling?: SamplingOptions | SamplingFilter;
  /**
   * Context that ships only with an error: a request's records below `passLevel` (default WARNING)
   * wait in a ring of `capacity` (default 100) and go to the collector only if the request logs a
   * record at `triggerLevel` (default ERROR) or above, each marked `contextOf` its uid; otherwise
   * they are dropped at the request's end and counted in its access record (`context.dropped`).
   * The access record itself always goes. `true` for the defaults. Only what goes to the collector.
   */
  errorContext?: boolean | { capacity?: number; passLevel?: number | string; triggerLevel?: number | string };
  /**
   * Apply the levels the collector serves (`isolog levels`) to the Worker's loggers: fetched with an
   * ETag inside a request's waitUntil when the last fetch is older than `maxAgeMs` (default 10,000),
   * applied from the next request on. `true` for the default.
   */
  remoteLevels?: boolean | { maxAgeMs?: number };
  /**
   * `AsyncLocalStorage` from `node:async_hooks`, for a Worker with the `nodejs_als` flag only; with
   * `nodejs_compat` it is found without this. Without either, use the `log` argument's loggers.
   */
  AsyncLocalStorage?: ContextStorageClass;
}

/** What a runtime's execution context must offer: Cloudflare's `ExecutionContext`, Vercel's `waitUntil`. */
export interface ExecutionContextLike { waitUntil(promise: Promise<unknown>): void }

/** A module Worker as `withLogging` wraps it; its `fetch` gets the request's `RequestLog` as a fourth argument. */
export interface LoggedWorker<Env, Ctx extends ExecutionContextLike> {
  fetch(request: Request, env: Env, ctx: Ctx, log: RequestLog): Response | Promise<Response>;
}

/** What `withLogging` returns: the Worker with its `fetch` wrapped, called as the runtime calls it. */
export type WrappedWorker<W, Env, Ctx> = Omit<W, 'fetch'> & { fetch(request: Request, env: Env, ctx: Ctx): Promise<Response> };

const DEFAULTS = { maxRecords: 1000, maxBytes: 256 * 1024, flushTimeoutMs: 5000 };

function fromEnv<Env, T>(value: FromEnv<Env, T>, env: Env): T {
  return typeof value === 'function' ? (value as (env: Env) => T)(env) : value;
}

let started = false;
const refusals = new Set<string>();

/** The first request sets the root's level and finds AsyncLocalStorage: nothing of this runs at import. */
function start(options: EdgeLoggingOptions<never>): void {
  const router = requestRouter();
  if (!router.storage) {
    const storageClass = options.AsyncLocalStorage ?? builtinAsyncLocalStorage();
    if (storageClass) router.storage = new storageClass<RequestLog>();
  }
  if (started) return;
  started = true;
  if (options.level !== null) root.setLevel(options.level ?? INFO);
  if (options.sampling) router.sampling = options.sampling instanceof SamplingFilter ? options.sampling : new SamplingFilter(options.sampling);
}

/**
 * AsyncLocalStorage where the runtime has it: a global (Vercel's Edge Runtime in Next.js), or Node's
 * module given to the code that asks (workerd with nodejs_compat, Node, Deno, Bun).
 */
function builtinAsyncLocalStorage(): ContextStorageClass | undefined {
  const global = (globalThis as { AsyncLocalStorage?: ContextStorageClass }).AsyncLocalStorage;
  if (typeof global === 'function') return global;
  try {
    const processLike = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
    const hooks = processLike?.getBuiltinModule?.('node:async_hooks') as { AsyncLocalStorage?: ContextStorageClass } | undefined;
    return hooks?.AsyncLocalStorage;
  } catch {
    return undefined;
  }
}

/** This request's RequestLog, with a sender of its own when a collector is configured. */
function openRequest<Env>(options: EdgeLoggingOptions<Env>, request: Request, env: Env): RequestLog {
  start(options as EdgeLoggingOptions<never>);
  let url: string | undefined;
  let sender: FetchHandler | null = null;
  try {
    url = options.collector === undefined ? undefined : fromEnv(options.collector, env);
    if (url) {
      sender = new FetchHandler({
        url, token: options.token === undefined ? undefined : fromEnv(options.token, env),
        resource: options.resource === undefined ? undefined : fromEnv(options.resource, env),
        flushIntervalMs: null, gzip: options.gzip ?? false,
        maxRecords: options.maxRecords ?? DEFAULTS.maxRecords,
        maxBytes: options.maxBytes ?? DEFAULTS.maxBytes,
        requestTimeoutMs: options.flushTimeoutMs ?? DEFAULTS.flushTimeoutMs,
      });
    }
  } catch (err) {
    // a broken option must not fail the request: its records go to the console, with the reason
    // (said once for each reason, not once a request)
    const why = err instanceof Error ? err.message : String(err);
    if (!refusals.has(why) && refusals.size < 100) {
      refusals.add(why);
      console.error(`isolog/edge: cannot send the requests' records (${why}); they go to the console`);
    }
    sender = null;
  }
  const log = new RequestLog(request, sender, options.console ?? sender === null);
  if (sender && options.errorContext) log.ring = new ErrorContextHandler(sender, contextOptions(options.errorContext));
  requestRouter().adopt(log);
  return log;
}

function contextOptions(given: true | Exclude<EdgeLoggingOptions['errorContext'], boolean | undefined>): ConstructorParameters<typeof ErrorContextHandler>[1] {
  if (given === true) return {};
  return {
    capacity: given.capacity,
    passLevel: given.passLevel === undefined ? undefined : checkLevel(given.passLevel),
    triggerLevel: given.triggerLevel === undefined ? undefined : checkLevel(given.triggerLevel),
    // a request is short: its ring bounds the count, not the age
    maxAgeSeconds: 3600,
  };
}

// the levels the collector serves, for every request of this isolate: plain data, no I/O object,
// fetched inside the waitUntil of the request that finds them stale
let levels: { poller: LevelsPoller; remote: RemoteLevels; url: string; fetchedAt: number; fetching: boolean } | null = null;

/** Starts a fetch of the collector's levels in this request's waitUntil when they are stale. */
function refreshLevels<Env>(options: EdgeLoggingOptions<Env>, env: Env, ctx: ExecutionContextLike | undefined): void {
  const given = options.remoteLevels;
  if (!given || options.collector === undefined) return;
  let url: string | undefined;
  try {
    url = fromEnv(options.collector, env);
  } catch {
    return; // said by openRequest
  }
  if (!url) return;
  const maxAge = (typeof given === 'object' ? given.maxAgeMs : undefined) ?? 10_000;
  if (!levels || levels.url !== url) {
    const remote = new RemoteLevels();
    const token = options.token === undefined ? undefined : fromEnv(options.token, env);
    levels = { remote, url, fetchedAt: 0, fetching: false, poller: new LevelsPoller({ url: levelsUrlFor(url), token, intervalMs: null, onDocument: (doc) => remote.apply(doc) }) };
  }
  const state = levels;
  if (state.fetching || Date.now() - state.fetchedAt < maxAge) return;
  state.fetching = true;
  const done = state.poller.poll().finally(() => { state.fetching = false; state.fetchedAt = Date.now(); });
  try { ctx?.waitUntil(done); } catch { /* the fetch runs all the same */ }
}

/** The access record, then the request's records sent inside waitUntil, bounded in time. */
function closeRequest<Env>(options: EdgeLoggingOptions<Env>, log: RequestLog, request: Request, status: number, outcome: string,
  ctx: ExecutionContextLike | undefined): void {
  if (options.access !== false) {
    const ms = Date.now() - log.started;
    const level = outcome === 'ok' && status < 500 ? INFO : ERROR;
    const fields: Record<string, unknown> = { 'http.response.status_code': status, 'duration_ms': ms, outcome };
    const ring = log.ring;
    // the access record goes whatever the ring holds; at ERROR it ships the ring with it
    if (ring && level < ring.triggerLevel) {
      fields['context.dropped'] = ring.pending;
      log.ring = null;
    }
    log.getLogger('isolog.access').log(level, '%s %s %d %dms', request.method, log.fields['url.path'], status, ms, kwargs({ extra: fields }));
    log.ring = ring;
  }
  log.ended = true;
  if (log.ring) {
    // what waited for an error that did not come: dropped, counted in the access record above
    log.ring.close();
  }
  if (!log.sender) return;
  const sent = log.sender.close({ timeoutMs: options.flushTimeoutMs ?? DEFAULTS.flushTimeoutMs });
  // without a waitUntil (Node, Bun) the send still runs; nothing waits for it
  try { ctx?.waitUntil(sent); } catch { /* a context that refuses: the send runs all the same */ }
}

/**
 * Wraps a module Worker so that every request is logged: records of any logger during the request
 * carry its fields and trace, an access record ends it, and all are sent with `ctx.waitUntil` after
 * the response. An exception from `fetch` is logged with its stack and re-thrown unchanged.
 * @example
 * export default withLogging({ collector: (env) => env.LOG_URL, token: (env) => env.LOG_TOKEN }, {
 *   async fetch(request, env, ctx) { getLogger('api').info('hello'); return new Response('ok'); },
 * });
 */
export function withLogging<Env, Ctx extends ExecutionContextLike, W extends LoggedWorker<Env, Ctx>>(options: EdgeLoggingOptions<Env>, worker: W): WrappedWorker<W, Env, Ctx> {
  const fetch = async (request: Request, env: Env, ctx: Ctx): Promise<Response> => {
    const log = openRequest(options, request, env);
    refreshLevels(options, env, ctx);
    return runInRequest(log, async () => {
      try {
        const response = await worker.fetch(request, env, ctx, log);
        closeRequest(options, log, request, response.status, 'ok', ctx);
        return response;
      } catch (err) {
        log.getLogger('isolog.edge').error('fetch handler threw: %s', err instanceof Error ? err.message : String(err), kwargs({ exc_info: err }));
        closeRequest(options, log, request, 500, 'exception', ctx);
        throw err;
      }
    });
  };
  return { ...worker, fetch };
}

/** What `loggingMiddleware` needs of a Hono context (typed here so that Hono is not a dependency). */
export interface MiddlewareContext<Env> {
  req: { raw: Request };
  env: Env;
  /** Hono's getter throws where the runtime gave no execution context. */
  readonly executionCtx: ExecutionContextLike;
  res: Response;
  error?: Error;
  set?(key: 'log', value: RequestLog): void;
}

/**
 * The same logging as a Hono middleware: `app.use(loggingMiddleware({ collector: (env) => env.LOG_URL }))`.
 * The request's RequestLog is `c.get('log')`. Hono catches a handler's error itself (`c.error`): it
 * is logged with its stack, and Hono's error response is the access record's status.
 * @example const app = new Hono(); app.use(loggingMiddleware({ collector: (env) => env.LOG_URL })); app.get('/', (c) => c.text('ok'))
 */
export function loggingMiddleware<Env>(options: EdgeLoggingOptions<Env>) {
  return async (c: MiddlewareContext<Env>, next: () => Promise<void>): Promise<void> => {
    const request = c.req.raw;
    const log = openRequest(options, request, c.env);
    c.set?.('log', log);
    let ctx: ExecutionContextLike | undefined;
    try { ctx = c.executionCtx; } catch { ctx = undefined; }
    refreshLevels(options, c.env, ctx);
    await runInRequest(log, async () => {
      try {
        await next();
      } catch (err) {
        // a middleware after this one threw past Hono's own handling
        log.getLogger('isolog.edge').error('handler threw: %s', err instanceof Error ? err.message : String(err), kwargs({ exc_info: err }));
        closeRequest(options, log, request, 500, 'exception', ctx);
        throw err;
      }
      if (c.error) log.getLogger('isolog.edge').error('handler threw: %s', c.error.message, kwargs({ exc_info: c.error }));
      closeRequest(options, log, request, c.res.status, c.error ? 'exception' : 'ok', ctx);
    });
  };
}

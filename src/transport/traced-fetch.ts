// One user action as a W3C trace (https://www.w3.org/TR/trace-context/): the ids its records carry,
// and the `traceparent` its requests send, so that what a page logs for a click and what the Worker
// or server logs for the request it caused share one traceId. It uses fetch and Headers alone, read
// when a request is made, so it runs in a page, a worker, workerd and Node alike.
import { LoggerAdapter } from '../core/adapter.js';
import { extra, type LogOptions } from '../core/log-options.js';
import { getLogger, type Logger } from '../core/logger.js';
import { continueTrace, formatTraceparent, newSpanId } from '../core/trace-context.js';

/**
 * The runtime's own `fetch`, as its types declare it (DOM, WebWorker, @types/node, workers-types).
 * Named through `globalThis` because the core entry is type-checked, and used, without any of them.
 */
type Fetch = typeof globalThis extends { fetch: infer F } ? F : (input: unknown, init?: unknown) => Promise<unknown>;

// The Fetch API as this file uses it; every runtime isolog runs in has it as globals
interface HeaderList { has(name: string): boolean; set(name: string, value: string): void }
interface FetchApi {
  fetch(input: unknown, init?: object): Promise<unknown>;
  Headers: new (init?: unknown) => HeaderList;
}

/**
 * Options of startTrace.
 * @example startTrace({ traceparent: document.querySelector('meta[name=traceparent]')?.getAttribute('content') })
 */
export interface TraceOptions {
  /**
   * A `traceparent` to continue (the page's own, from a `<meta>` its server wrote, say): the trace
   * keeps its traceId and sampled flag, with a new span. Absent or malformed: a new trace.
   */
  traceparent?: string | null;
}

/**
 * One user action's trace; see startTrace.
 * @example
 * const trace = startTrace();
 * getLogger('shop.cart').info('cart sent', extra({ ...trace.fields, items: 3 }));
 * await trace.fetch(new Request('/api/cart', { method: 'PUT', body }));
 */
export interface Trace {
  /** 32 hex digits, shared by every record and request of this trace. */
  readonly traceId: string;
  /** 16 hex digits: this action's span, which its records carry. */
  readonly spanId: string;
  /** The span this one continues, when started from a `traceparent`. */
  readonly parentSpanId?: string;
  /** W3C trace-flags; bit 0 is "sampled". */
  readonly flags: number;
  /** The `traceparent` value naming this span, for a request made as this span itself. */
  readonly traceparent: string;
  /** `{ traceId, spanId }`: the extra fields that give a record this trace. */
  readonly fields: { readonly traceId: string; readonly spanId: string };
  /**
   * `extra(fields)`, to pass as the last argument of any logging call. For more fields in the same
   * call: `extra({ ...trace.fields, orderId })`.
   */
  readonly extra: LogOptions;
  /**
   * A LoggerAdapter of `logger` (a name, a Logger or an adapter) whose records carry this trace's
   * ids. A call's own `extra()` fields are kept; where they name `traceId` or `spanId` too, the
   * call's win (Python's `merge_extra=True`, as `bind()` does).
   */
  logger(logger: string | Logger | LoggerAdapter): LoggerAdapter;
  /**
   * `fetch` with a `traceparent` header naming a new child span of this trace added. The request's
   * other headers are kept, in any form `init.headers` or a `Request` gives them; a `traceparent` the
   * caller set is left as it is. Cross-origin, `traceparent` makes the request preflighted: the
   * server must list it in `Access-Control-Allow-Headers`.
   */
  fetch: Fetch;
  /** `{ traceparent }` for another client (XMLHttpRequest, a WebSocket URL…): a new child span each call, as fetch sends. */
  headers(): { traceparent: string };
}

/** A Request's own headers, which fetch uses when `init` gives none. */
function headersOf(input: unknown): unknown {
  return typeof input === 'object' && input !== null ? (input as { headers?: unknown }).headers : undefined;
}

/**
 * Starts the trace of one user action (a click, a form sent): log with `trace.logger(name)` or
 * `trace.extra`, call the server with `trace.fetch`, and the records on both sides share its
 * traceId (isolog/edge's `withLogging` continues the `traceparent` it receives).
 * @example
 * button.onclick = async () => {
 *   const trace = startTrace();
 *   const log = trace.logger('shop.checkout');
 *   log.info('pay clicked');
 *   const res = await trace.fetch('/api/pay', { method: 'POST', body });
 *   log.info('paid: HTTP %d', res.status);
 * };
 */
export function startTrace(options: TraceOptions = {}): Trace {
  const context = continueTrace(options.traceparent);
  const { traceId, spanId, flags } = context;
  const fields = { traceId, spanId };
  const child = (): string => formatTraceparent({ traceId, spanId: newSpanId(), flags });
  const tracedFetch = (input: unknown, init?: { headers?: unknown }): Promise<unknown> => {
    const api = globalThis as unknown as FetchApi;
    // fetch takes init.headers in place of a Request's own; without them, the Request's are kept
    const headers = new api.Headers(init?.headers ?? headersOf(input));
    if (!headers.has('traceparent')) headers.set('traceparent', child());
    return api.fetch(input, { ...init, headers });
  };
  return {
    traceId,
    spanId,
    ...(context.parentSpanId === undefined ? {} : { parentSpanId: context.parentSpanId }),
    flags,
    traceparent: formatTraceparent(context),
    fields,
    extra: extra(fields),
    logger: (logger) => new LoggerAdapter(typeof logger === 'string' ? getLogger(logger) : logger, { ...fields }, true),
    // the runtime's fetch signature, which this file cannot name (see Fetch)
    fetch: tracedFetch as Fetch,
    headers: () => ({ traceparent: child() }),
  };
}

// W3C Trace Context (https://www.w3.org/TR/trace-context/): the `traceparent` header that ties the
// records of one user action in a page to those of the requests it caused, in a Worker or a server.
// Records carry the ids as `traceId`/`spanId`, which OTLP sends as the log record's trace context.
import { randomId } from './record.js';

/** One span of a trace: the ids a record carries, and whether the trace is sampled. */
export interface TraceContext {
  /** 32 lowercase hex digits, never all zeros. */
  traceId: string;
  /** 16 lowercase hex digits, never all zeros: this span's id. */
  spanId: string;
  /** The caller's span, when the trace was continued from a `traceparent`. */
  parentSpanId?: string;
  /** trace-flags; bit 0 is "sampled". */
  flags: number;
}

const ZEROS = /^0+$/;
// version 00 is exactly this; a later version may append fields after a '-', which a reader of 00 ignores
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/**
 * The ids in a `traceparent` header, or undefined when it is absent or malformed (the spec then
 * says to start a new trace). Upper-case hex, all-zero ids, version ff and extra fields after
 * version 00 are malformed.
 * @example parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01')?.traceId
 */
export function parseTraceparent(header: string | null | undefined): { traceId: string; parentSpanId: string; flags: number } | undefined {
  const match = TRACEPARENT.exec((header ?? '').trim());
  if (!match) return undefined;
  const [, version, traceId, parentSpanId, flags, rest] = match;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (ZEROS.test(traceId) || ZEROS.test(parentSpanId)) return undefined;
  return { traceId, parentSpanId, flags: parseInt(flags, 16) };
}

/** A new random span id: 16 hex digits, not all zeros. */
export function newSpanId(): string {
  const id = randomId();
  return ZEROS.test(id) ? newSpanId() : id;
}

/** A new random trace id: 32 hex digits, not all zeros. */
export function newTraceId(): string {
  const id = randomId() + randomId();
  return ZEROS.test(id) ? newTraceId() : id;
}

/**
 * A new span: a child of the `traceparent` given when it is valid, else the root of a new, sampled trace.
 * @example const trace = continueTrace(request.headers.get('traceparent')); fetch(url, { headers: { traceparent: formatTraceparent(trace) } })
 */
export function continueTrace(traceparent?: string | null): TraceContext {
  const parent = parseTraceparent(traceparent);
  if (!parent) {
    // both ids from one draw: a call to the runtime's random source costs more than the digits
    const hex = randomId(24);
    const traceId = hex.slice(0, 32);
    const spanId = hex.slice(32);
    return ZEROS.test(traceId) || ZEROS.test(spanId) ? continueTrace() : { traceId, spanId, flags: 1 };
  }
  return { traceId: parent.traceId, spanId: newSpanId(), parentSpanId: parent.parentSpanId, flags: parent.flags };
}

/**
 * The `traceparent` header that makes the receiver's span a child of `trace`'s span.
 * @example formatTraceparent(continueTrace()) // '00-<traceId>-<spanId>-01'
 */
export function formatTraceparent(trace: Pick<TraceContext, 'traceId' | 'spanId' | 'flags'>): string {
  return `00-${trace.traceId}-${trace.spanId}-${(trace.flags & 0xff).toString(16).padStart(2, '0')}`;
}

// The names of a record's fields, and a record as plain data: what every side of the pipeline
// shares without the LogRecord class (the worker bundle and OTLP encoding carry no LogRecord).

/** Fields every record has; anything else on a record is an extra (structured) field. */
export const STANDARD_FIELDS: ReadonlySet<string> = new Set([
  'name', 'msg', 'args', 'levelno', 'levelname', 'pathname', 'filename', 'module', 'lineno', 'funcName',
  'exc_info', 'exc_text', 'stack_info', 'created', 'msecs', 'relativeCreated', 'seq', 'uid',
  'thread', 'threadName', 'process', 'processName', 'taskName', 'message', 'asctime',
]);

/**
 * Fields isolog adds to Python's, as a record carries them: the trace context, the resource it came
 * from (in the collector) and its time to the nanosecond. Not extra fields: OTLP and the collector's
 * NDJSON write them apart from the attributes.
 */
export const CONTEXT_FIELDS: ReadonlySet<string> = new Set(['traceId', 'spanId', 'resource', 'timeUnixNano']);

/**
 * A record as plain data, wherever it leaves a LogRecord behind: on a queue (QueueHandler.prepare),
 * between page and worker, in IndexedDB, in OTLP and in the collector. Python's field names, with
 * `msg` the final message; extra fields by their own names; CONTEXT_FIELDS when set. JSON-safe.
 */
export interface PlainRecord {
  [field: string]: unknown;
  name: string;
  msg: string;
  levelno: number;
  levelname: string;
  /** Seconds since the epoch, as Python's. */
  created: number;
  /** The record's unique id, by which the collector drops duplicates; '' when its sender gave none. */
  uid: string;
  exc_text: string | null;
  stack_info: string | null;
  traceId?: string;
  spanId?: string;
  resource?: Record<string, unknown>;
  /** `created` to the nanosecond, as decimal digits, when the record came with it. */
  timeUnixNano?: string;
}

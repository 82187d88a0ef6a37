// JsonFormatter: one JSON object per record, the same shape the collector stores.
import { Formatter } from './formatter.js';
import { CONTEXT_FIELDS } from './fields.js';
import { extraFields, type LogRecord } from './record.js';
import { safeStringify, type SerializeLimits } from './serialize.js';

const LINE_SEPARATORS = /[\u2028\u2029]/g;

/** Options for JsonFormatter. */
export interface JsonFormatterOptions {
  /** Fields of the resource (service name, version) added to every object. */
  resource?: Record<string, unknown>;
  /** Bounds for serializing extra fields. */
  limits?: Partial<SerializeLimits>;
}

/**
 * Formats a record as one line of JSON: `uid`, `time` (ISO 8601), `timeUnixNano`, `level` (number),
 * `levelname`, `logger`, `message`, `attributes` (extra fields), and `resource`, `traceId`, `spanId`,
 * `exception`, `stack` when present.
 * Values that JSON cannot hold (cycles, BigInt, Errors) are made safe, never thrown.
 * @example handler.setFormatter(new JsonFormatter())
 */
export class JsonFormatter extends Formatter {
  private readonly options: JsonFormatterOptions;

  constructor(options: JsonFormatterOptions = {}) {
    super();
    this.options = options;
  }

  /** The plain object that `format` serializes; override to add or rename keys. */
  toObject(record: LogRecord): Record<string, unknown> {
    let message: string;
    try {
      message = record.getMessage();
    } catch (err) {
      message = String(record.msg) + ` [format error: ${(err as Error).message}]`;
    }
    if (record.exc_info && !record.exc_text) record.exc_text = this.formatException(record.exc_info);
    // the context fields (trace, resource, exact time) are written at the top, not as attributes
    const extra = extraFields(record) ?? {};
    const attributes: Record<string, unknown> = {};
    for (const key of Object.keys(extra)) if (!CONTEXT_FIELDS.has(key)) attributes[key] = extra[key];
    const { traceId, spanId, resource, timeUnixNano } = extra;
    const ms = Math.round(record.created * 1000);
    const out: Record<string, unknown> = {
      uid: record.uid,
      time: new Date(ms).toISOString(),
      timeUnixNano: typeof timeUnixNano === 'string' ? timeUnixNano : `${ms}000000`,
      level: record.levelno,
      levelname: record.levelname,
      logger: record.name,
      message,
      attributes,
    };
    const res = resource ?? this.options.resource;
    if (res !== undefined) out.resource = res;
    if (typeof traceId === 'string') out.traceId = traceId;
    if (typeof spanId === 'string') out.spanId = spanId;
    if (record.exc_text) out.exception = record.exc_text;
    if (record.stack_info) out.stack = record.stack_info;
    return out;
  }

  override format(record: LogRecord): string {
    const text = safeStringify(this.toObject(record), this.options.limits);
    // JSON leaves U+2028/U+2029 raw; some line readers split on them, so a record could forge a line
    return text.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
  }
}

// JsonFormatter: one JSON object per record, the same shape the collector stores.
import { Formatter } from './formatter.js';
import { CONTEXT_FIELDS, STANDARD_FIELDS, type PlainRecord } from './fields.js';
import { extraFields, type LogRecord } from './record.js';
import { safeStringify, type SerializeLimits } from './serialize.js';

const LINE_SEPARATORS = /[\u2028\u2029]/g;

/** U+2028/U+2029 escaped: JSON leaves them raw, and some line readers split on them, so a record could forge a line. */
export function escapeLineSeparators(json: string): string {
  return json.replace(LINE_SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));
}

const DAY_MS = 86_400_000;
// records come in runs from the same day (the collector's come a thousand a request): the day's
// part of the ISO time is kept and the rest written out, instead of a Date and toISOString a record
let dayStart = NaN;
let dayPrefix = '';
const pad2 = (n: number): string => (n < 10 ? '0' : '') + n;

/** `new Date(ms).toISOString()` for whole milliseconds, as fast as a few additions within a day seen before; throws as it does for a time that no Date holds. */
export function isoTime(ms: number): string {
  const within = ms - dayStart;
  if (within >= 0 && within < DAY_MS) {
    const milli = within % 1000;
    return `${dayPrefix}${pad2(Math.floor(within / 3_600_000))}:${pad2(Math.floor(within / 60_000) % 60)}:${pad2(Math.floor(within / 1000) % 60)}.${milli < 100 ? (milli < 10 ? '00' : '0') : ''}${milli}Z`;
  }
  const iso = new Date(ms).toISOString();
  // years 0-9999 only: others are written +YYYYYY-
  if (iso.length === 24 && Number.isInteger(ms)) {
    dayStart = Math.floor(ms / DAY_MS) * DAY_MS;
    dayPrefix = iso.slice(0, 11);
  }
  return iso;
}

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

  /** Made with no resource and no limits: its lines are those of `new JsonFormatter()`. */
  get isDefault(): boolean {
    return this.options.resource === undefined && this.options.limits === undefined;
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
    return this.lineObject(record.uid, record.created, record.levelno, record.levelname, record.name, message, attributes, extra, record.exc_text, record.stack_info);
  }

  /**
   * What format() makes of `makeLogRecord(fields)` whose args are null, made from the fields
   * themselves (the collector's records arrive as plain data, and need no LogRecord to be written).
   * For a JsonFormatter itself: a subclass's toObject() or format() is not called.
   */
  formatFields(fields: PlainRecord): string {
    const attributes: Record<string, unknown> = {};
    for (const key of Object.keys(fields)) if (!STANDARD_FIELDS.has(key) && !CONTEXT_FIELDS.has(key)) attributes[key] = fields[key];
    return this.serialize(this.lineObject(fields.uid, fields.created, fields.levelno, fields.levelname, fields.name, fields.msg, attributes, fields,
      fields.exc_text, fields.stack_info));
  }

  private lineObject(uid: string, created: number, levelno: number, levelname: string, name: string, message: string,
    attributes: Record<string, unknown>, context: Record<string, unknown>, excText: unknown, stack: unknown): Record<string, unknown> {
    const { traceId, spanId, resource, timeUnixNano } = context;
    const ms = Math.round(created * 1000);
    const out: Record<string, unknown> = {
      uid,
      time: isoTime(ms),
      timeUnixNano: typeof timeUnixNano === 'string' ? timeUnixNano : `${ms}000000`,
      level: levelno,
      levelname,
      logger: name,
      message,
      attributes,
    };
    const res = resource ?? this.options.resource;
    if (res !== undefined) out.resource = res;
    if (typeof traceId === 'string') out.traceId = traceId;
    if (typeof spanId === 'string') out.spanId = spanId;
    if (excText) out.exception = excText;
    if (stack) out.stack = stack;
    return out;
  }

  override format(record: LogRecord): string {
    return this.serialize(this.toObject(record));
  }

  private serialize(object: Record<string, unknown>): string {
    return escapeLineSeparators(safeStringify(object, this.options.limits));
  }
}

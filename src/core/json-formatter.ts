// JsonFormatter: one JSON object per record, the same shape the collector stores.
import { Formatter } from './formatter.js';
import { extraFields, type LogRecord } from './record.js';
import { safeStringify, type SerializeLimits } from './serialize.js';

/** Options for JsonFormatter. */
export interface JsonFormatterOptions {
  /** Fields of the resource (service name, version) added to every object. */
  resource?: Record<string, unknown>;
  /** Bounds for serializing extra fields. */
  limits?: Partial<SerializeLimits>;
}

/**
 * Formats a record as one line of JSON: `uid`, `time` (ISO 8601), `level` (number), `levelname`,
 * `logger`, `message`, `attributes` (extra fields), and `exception`/`stack` when present.
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
    const out: Record<string, unknown> = {
      uid: record.uid,
      time: new Date(record.created * 1000).toISOString(),
      level: record.levelno,
      levelname: record.levelname,
      logger: record.name,
      message,
      attributes: extraFields(record) ?? {},
    };
    if (this.options.resource) out.resource = this.options.resource;
    if (record.exc_text) out.exception = record.exc_text;
    if (record.stack_info) out.stack = record.stack_info;
    return out;
  }

  override format(record: LogRecord): string {
    return safeStringify(this.toObject(record), this.options.limits);
  }
}

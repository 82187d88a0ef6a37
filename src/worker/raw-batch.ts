// The page's side of a batch (encodeRawBatch: cheap, on the thread that logs) and the worker's
// (prepareBatch: messages merged with their arguments, values made JSON-safe, secrets masked).
import { formatError } from '../core/exception.js';
import { extraFields, LogRecord, uidPrefix } from '../core/record.js';
import { pyRepr } from '../core/repr.js';
import { isPlainJson, toJsonValue } from '../core/serialize.js';
import type { RawBatch, RedactSpec, WireRecord } from './protocol.js';

let constructorKeys = -1;

function extraOf(record: LogRecord): Record<string, unknown> | null {
  // a record holds its constructor's fields; only one with more keys can have extra fields
  if (constructorKeys < 0) constructorKeys = Object.keys(new LogRecord('', 0, '(unknown file)', 0, '', null, null)).length;
  return Object.keys(record).length <= constructorKeys ? null : extraFields(record) ?? null;
}

/** Arguments the worker can format exactly as the page would: strings, finite numbers, booleans, null. */
function plainArgs(args: unknown): boolean {
  if (args === null || args === undefined) return true;
  if (!Array.isArray(args)) return isPlainJson(args);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const t = typeof a;
    if (!(t === 'string' || t === 'boolean' || a === null || (t === 'number' && Number.isFinite(a)))) return false;
  }
  return true;
}

/**
 * Records as columns of plain JSON, ready to post as one string. The common record travels as it
 * is and is formatted in the worker; one whose arguments or fields JSON cannot carry exactly is
 * formatted (and made safe) here, so the worker prints what Python would.
 */
export function encodeRawBatch(records: LogRecord[]): RawBatch {
  const n = records.length;
  const batch: RawBatch = {
    uidPrefix: uidPrefix(), seq: new Array(n), uid: new Array(n), created: new Array(n), levelno: new Array(n),
    levelname: new Array(n), name: new Array(n), msg: new Array(n), args: new Array(n), exc: new Array(n),
    stack: new Array(n), extra: new Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = records[i];
    batch.seq[i] = r.seq;
    batch.uid[i] = (r as { _uid?: string })._uid ?? null;
    batch.created[i] = r.created;
    batch.levelno[i] = r.levelno;
    batch.levelname[i] = r.levelname;
    batch.name[i] = r.name;
    if (typeof r.msg === 'string' && plainArgs(r.args)) {
      batch.msg[i] = r.msg;
      batch.args[i] = r.args;
    } else {
      batch.msg[i] = messageOf(r);
      batch.args[i] = null;
    }
    batch.exc[i] = r.exc_text ?? (r.exc_info ? formatError(r.exc_info) : null);
    batch.stack[i] = r.stack_info;
    const extra = extraOf(r);
    batch.extra[i] = extra === null || isPlainJson(extra) ? extra : (toJsonValue(extra) as Record<string, unknown>);
  }
  return batch;
}

/** The batch as one string: cloning a string costs a copy, cloning objects costs far more. */
export function serializeRawBatch(batch: RawBatch): string {
  return JSON.stringify(batch);
}

function masker(spec: RedactSpec): (value: unknown) => unknown {
  const matches = (key: string) => spec.keys.some((p) => (typeof p === 'string' ? p.toLowerCase() === key.toLowerCase() : p.test(key)));
  const ancestors: object[] = [];
  const mask = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || ancestors.length > 16) return value;
    // a cycle is left for toJsonValue to mark, not unrolled into copies
    if (ancestors.includes(value)) return '[Circular]';
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== Array.prototype && proto !== null) return value;
    ancestors.push(value);
    try {
      if (Array.isArray(value)) return value.map((v) => mask(v));
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) out[key] = matches(key) ? spec.replacement : mask((value as Record<string, unknown>)[key]);
      return out;
    } finally {
      ancestors.pop();
    }
  };
  return (value) => mask(value);
}

/** Python's getMessage; a mismatch is kept in the text, never thrown. */
function messageOf(record: LogRecord): string {
  try {
    return record.getMessage();
  } catch (err) {
    return `${String(record.msg)} [logging error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}; arguments: ${pyRepr(record.args)}]`;
  }
}

/** The worker's half: each record as plain, JSON-safe data, extra fields masked by `redact`. */
export function prepareBatch(batch: RawBatch, redact: RedactSpec | null): WireRecord[] {
  const mask = redact ? masker(redact) : null;
  const out: WireRecord[] = [];
  for (let i = 0; i < batch.seq.length; i++) {
    const message = messageOf(new LogRecord(batch.name[i], batch.levelno[i], '(unknown file)', 0, batch.msg[i], (batch.args[i] ?? null) as never, null));
    const record: WireRecord = {
      name: batch.name[i], msg: message, message, levelno: batch.levelno[i], levelname: batch.levelname[i],
      created: batch.created[i], uid: batch.uid[i] ?? batch.uidPrefix + batch.seq[i].toString(36),
      exc_text: batch.exc[i], stack_info: batch.stack[i],
    };
    const extra = batch.extra[i];
    if (extra) {
      const safe = toJsonValue(mask ? mask(extra) : extra) as Record<string, unknown>;
      for (const key of Object.keys(safe)) if (!(key in record)) record[key] = safe[key];
    }
    out.push(record);
  }
  return out;
}

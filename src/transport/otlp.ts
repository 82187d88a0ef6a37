// OTLP/HTTP JSON logs (ExportLogsServiceRequest): the wire format between isolog's clients, its
// collector and any OpenTelemetry backend. Encoding from isolog records, decoding with validation.
import { getLevelName } from '../core/level.js';
import { CONTEXT_FIELDS, STANDARD_FIELDS, type PlainRecord } from '../core/fields.js';

/** OTLP AnyValue in its JSON mapping. */
export type AnyValue =
  | { stringValue: string } | { boolValue: boolean } | { intValue: string | number } | { doubleValue: number }
  | { arrayValue: { values?: AnyValue[] } } | { kvlistValue: { values?: KeyValue[] } } | { bytesValue: string }
  | Record<string, never>;
export interface KeyValue { key: string; value?: AnyValue }
export interface OtlpLogRecord {
  timeUnixNano?: string | number;
  observedTimeUnixNano?: string | number;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  traceId?: string;
  spanId?: string;
  flags?: number;
}
export interface ExportLogsServiceRequest {
  resourceLogs: { resource?: { attributes?: KeyValue[] }; scopeLogs: { scope?: { name?: string; version?: string }; logRecords: OtlpLogRecord[] }[] }[];
}

/** The attribute that carries a record's unique id, for deduplication. */
export const UID_ATTRIBUTE = 'log.record.uid';

/** Python level (0-50+) to OTLP severityNumber: DEBUG 5, INFO 9, WARNING 13, ERROR 17, CRITICAL 21. */
export function severityNumber(levelno: number): number {
  if (levelno <= 0) return 0;
  const band = Math.min(5, Math.floor(levelno / 10));
  const within = levelno - band * 10;
  return band * 4 + 1 + Math.min(3, Math.floor((within * 4) / 10));
}

/** OTLP severity to a Python level: the text if it names a level, else the number's band. */
export function levelFromSeverity(number: unknown, text: unknown): number {
  if (typeof text === 'string' && text) {
    const named = getLevelName(text.toUpperCase());
    if (typeof named === 'number') return named;
  }
  if (typeof number !== 'number' || !Number.isInteger(number) || number <= 0 || number > 24) return 0;
  const band = Math.floor((number - 1) / 4);
  const offset = (number - 1) % 4;
  return band === 0 ? 5 : band * 10 + Math.round(offset * 2.5);
}

/**
 * A JSON value as an OTLP AnyValue. The records isolog encodes are JSON-safe already (the page made
 * them so); anything else goes through toJsonValue first.
 */
export function toAnyValue(v: unknown): AnyValue {
  switch (typeof v) {
    case 'string': return { stringValue: v };
    case 'boolean': return { boolValue: v };
    case 'number': return Number.isSafeInteger(v) ? { intValue: v } : { doubleValue: v };
  }
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object') return { stringValue: String(v) };
  if (Array.isArray(v)) return { arrayValue: { values: v.map((x) => toAnyValue(x)) } };
  return { kvlistValue: { values: Object.entries(v as object).map(([key, x]) => ({ key, value: toAnyValue(x) })) } };
}

/** Key-value list for attributes. */
function toAttributes(fields: Record<string, unknown>): KeyValue[] {
  return Object.entries(fields).map(([key, value]) => ({ key, value: toAnyValue(value) }));
}

/** A record field that names an attribute which a record field of its own already takes: `attr.name`. */
export const ATTR_PREFIX = 'attr.';

function reserved(key: string): boolean {
  return STANDARD_FIELDS.has(key) || CONTEXT_FIELDS.has(key);
}

/** An attribute kept as `attr.` + its name: one named as a record field, or one whose name starts so. */
export function escaped(key: string): boolean {
  return reserved(key) || key.startsWith(ATTR_PREFIX);
}

/**
 * A record's time in OTLP: `created`, when it is a time after 1970 (and before the year 5138, past
 * which 20 digits of nanoseconds do not reach). A page whose clock reads 1970 or before (fake timers
 * at 0) would send a time collectors reject: then, as OTLP allows, no timeUnixNano and the time the
 * record was observed, now (none either if this clock is as wrong: the collector then takes its own).
 */
function timeOf(record: PlainRecord): Pick<OtlpLogRecord, 'timeUnixNano' | 'observedTimeUnixNano'> {
  // a decoded record's exact time; an extra field of that name that is no such time is not taken for one
  if (typeof record.timeUnixNano === 'string' && /^\d{1,20}$/.test(record.timeUnixNano)) return { timeUnixNano: record.timeUnixNano };
  const ms = Math.round(record.created * 1000);
  if (ms > 0 && ms < 1e14) return { timeUnixNano: `${ms}000000` };
  const now = Date.now();
  return now > 0 && now < 1e14 ? { observedTimeUnixNano: `${Math.round(now)}000000` } : {};
}

// how a traceback links the blocks of a chain, which it prints oldest first: to a cause (what
// formatError writes), and Python's to an exception raised while another was handled
const LINKS = ['\n\nThe above exception was the direct cause of the following exception:\n\n', '\n\nDuring handling of the above exception, another exception occurred:\n\n'];

/**
 * The type and message of the error logged, from exception text alone: the first line of its last
 * block (a chain prints the error logged last), without the " (2 sub-errors)" of an AggregateError.
 * A message of several lines gives its first; records made on a page carry both exactly instead.
 */
function exceptionOf(text: string): [type: string, message: string] {
  let start = 0;
  for (const link of LINKS) {
    const at = text.lastIndexOf(link);
    if (at >= 0) start = Math.max(start, at + link.length);
  }
  const block = text.slice(start);
  // a JavaScript stack names its error first; a Python traceback (forwarded from a Python client) last
  const line = block.startsWith('Traceback (most recent call last):') ? block.trimEnd().slice(block.trimEnd().lastIndexOf('\n') + 1) : block.split('\n', 1)[0];
  const first = line.replace(/ \(\d+ sub-errors?\)$/, '');
  const colon = first.indexOf(': ');
  return colon > 0 ? [first.slice(0, colon), first.slice(colon + 2)] : [first, ''];
}

/** One isolog record as an OTLP log record: extra fields become attributes. */
export function encodeRecord(record: PlainRecord): OtlpLogRecord {
  const attributes: KeyValue[] = record.uid ? [{ key: UID_ATTRIBUTE, value: { stringValue: record.uid } }] : [];
  for (const key of Object.keys(record)) {
    if (!reserved(key)) attributes.push({ key, value: toAnyValue(record[key]) });
  }
  if (record.exc_text) {
    // the page gives the logged error's exception.type and .message as fields, exactly (batch-encoder.ts)
    if (record['exception.type'] === undefined) {
      const [type, message] = exceptionOf(record.exc_text);
      attributes.push({ key: 'exception.type', value: { stringValue: type } }, { key: 'exception.message', value: { stringValue: message } });
    }
    attributes.push({ key: 'exception.stacktrace', value: { stringValue: record.exc_text } });
  }
  if (record.stack_info) attributes.push({ key: 'code.stacktrace', value: { stringValue: record.stack_info } });
  // the time's fields first, assigned rather than spread: spreading an object into this literal made
  // encoding fifteen times slower in V8 (a dictionary-mode object per record)
  const out: OtlpLogRecord = timeOf(record);
  out.severityNumber = severityNumber(record.levelno);
  out.severityText = record.levelname;
  // `message`, where set, is Python's formatted message (a prepared record has both, equal)
  out.body = { stringValue: String(record.message ?? record.msg ?? '') };
  out.attributes = attributes;
  if (typeof record.traceId === 'string') out.traceId = record.traceId;
  if (typeof record.spanId === 'string') out.spanId = record.spanId;
  return out;
}

/**
 * Records as one ExportLogsServiceRequest: one resource, one scope per logger name.
 * @example JSON.stringify(encodeRecords(batch, { 'service.name': 'shop' }))
 */
export function encodeRecords(records: PlainRecord[], resource: Record<string, unknown> = {}): ExportLogsServiceRequest {
  const scopes = new Map<string, OtlpLogRecord[]>();
  for (const record of records) {
    let list = scopes.get(record.name);
    if (!list) scopes.set(record.name, (list = []));
    list.push(encodeRecord(record));
  }
  return {
    resourceLogs: [{
      resource: { attributes: toAttributes(resource) },
      scopeLogs: [...scopes].map(([name, logRecords]) => ({ scope: { name }, logRecords })),
    }],
  };
}

/**
 * Records the collector decoded, encoded again as they came (the forwarder sends them on): each
 * under its own resource, and the attributes named as a record's fields under their own names.
 */
export function encodeAsReceived(records: PlainRecord[]): ExportLogsServiceRequest {
  const byResource = new Map<Record<string, unknown> | undefined, PlainRecord[]>();
  for (const record of records) {
    let list = byResource.get(record.resource);
    if (!list) byResource.set(record.resource, (list = []));
    list.push(record);
  }
  return {
    resourceLogs: [...byResource].flatMap(([resource, group]) => {
      const request = encodeRecords(group, resource);
      for (const scope of request.resourceLogs[0].scopeLogs) {
        for (const log of scope.logRecords) {
          for (const kv of log.attributes ?? []) {
            if (kv.key.startsWith(ATTR_PREFIX) && escaped(kv.key.slice(ATTR_PREFIX.length))) kv.key = kv.key.slice(ATTR_PREFIX.length);
          }
        }
      }
      return request.resourceLogs;
    }),
  };
}

// ---- decoding ----

const MAX_DEPTH = 32;
// attributes that a stack trace makes the record's exception
export const EXCEPTION_KEYS: ReadonlySet<string> = new Set(['exception.stacktrace', 'exception.type', 'exception.message']);
export const HEX_ID = /^[0-9a-fA-F]+$/;
// printable ASCII without spaces: a uid is a key, a journal line and a filename-safe token
export const UID_SHAPE = /^[\x21-\x7e]{1,256}$/;

/** What decoding a request found: the good records and how many were rejected, and why. */
export interface DecodeResult {
  records: PlainRecord[];
  rejected: number;
  errors: string[];
  /** Each record's line as the collector's default JsonFormatter writes it, where the collector's scanner made it. */
  lines?: LineBytes;
}

/**
 * Lines made as UTF-8 bytes, many in one buffer: record i's is `bytes` from `starts[i]` to
 * `ends[i]`, followed by a newline; `starts[i]` is -1 where no line was made.
 */
export interface LineBytes { bytes: Uint8Array; starts: number[]; ends: number[] }

/** Thrown when the body is not an ExportLogsServiceRequest at all (answered 400). */
export class OtlpFormatError extends Error {
  constructor(message: string) { super(message); this.name = 'OtlpFormatError'; }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An AnyValue as a plain JS value; nesting beyond the limit becomes a marker string. */
export function fromAnyValue(value: unknown, depth = 0): unknown {
  if (!isObject(value)) return null;
  if (depth > MAX_DEPTH) return '[too deep]';
  if ('stringValue' in value) return typeof value.stringValue === 'string' ? value.stringValue : String(value.stringValue);
  if ('boolValue' in value) return Boolean(value.boolValue);
  if ('intValue' in value) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if ('doubleValue' in value) return Number(value.doubleValue);
  if ('bytesValue' in value) return String(value.bytesValue);
  if ('arrayValue' in value) {
    const values = isObject(value.arrayValue) && Array.isArray(value.arrayValue.values) ? value.arrayValue.values : [];
    return values.map((v) => fromAnyValue(v, depth + 1));
  }
  if ('kvlistValue' in value) {
    const values = isObject(value.kvlistValue) && Array.isArray(value.kvlistValue.values) ? value.kvlistValue.values : [];
    return fromKeyValues(values, depth + 1);
  }
  return null;
}

function fromKeyValues(list: unknown, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list) {
    if (!isObject(kv) || typeof kv.key !== 'string') continue;
    if (kv.key === '__proto__' || kv.key === 'constructor' || kv.key === 'prototype') continue;
    out[kv.key] = fromAnyValue(kv.value, depth);
  }
  return out;
}

// OTLP's times are fixed64: at most 2^64-1 ns, the year 2554, well inside what a Date holds (to the
// year 275760). A time past it was once taken, then failed to be written (toISOString threw), and
// its uid was remembered as stored.
const MAX_NANOS = '18446744073709551615';

export function nanos(value: unknown): string | null {
  let digits: string;
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) digits = BigInt(Math.trunc(value)).toString();
  // digits without a leading zero are their own canonical form (what every exporter sends): no BigInt
  else if (typeof value === 'string' && /^\d{1,20}$/.test(value)) digits = value.length === 1 || value.charCodeAt(0) !== 48 ? value : BigInt(value).toString();
  else return null;
  // decimal strings of one length compare as their numbers do
  return digits.length < MAX_NANOS.length || (digits.length === MAX_NANOS.length && digits <= MAX_NANOS) ? digits : null;
}

/** One OTLP log record as a PlainRecord; attributes become fields, `attr.X` where X is a record field's name or starts with `attr.`. */
export function decodeRecord(raw: unknown, logger: string, resource: Record<string, unknown>): PlainRecord | string {
  if (!isObject(raw)) return 'log record is not an object';
  let time = nanos(raw.timeUnixNano);
  if (time === null || time === '0') time = nanos(raw.observedTimeUnixNano);
  if (time === null) {
    if (raw.timeUnixNano !== undefined || raw.observedTimeUnixNano !== undefined) return 'timeUnixNano is not a number of nanoseconds from 0 to 2^64-1';
    time = `${Date.now()}000000`;
  }
  if (raw.attributes !== undefined && !Array.isArray(raw.attributes)) return 'attributes is not a list';
  const attributes = fromKeyValues(raw.attributes);
  const uid = attributes[UID_ATTRIBUTE];
  const levelno = levelFromSeverity(raw.severityNumber, raw.severityText);
  const body = fromAnyValue(raw.body);
  let exception: string | null = null;
  const stack = attributes['exception.stacktrace'];
  // the keys that become the uid and the exception are left out below, not deleted here (a delete
  // makes the object a slow one, and this runs for every record the collector takes)
  const stackTaken = typeof stack === 'string';
  if (stackTaken) {
    exception = stack;
  } else if (typeof attributes['exception.type'] === 'string' || typeof attributes['exception.message'] === 'string') {
    exception = `${String(attributes['exception.type'] ?? 'Error')}: ${String(attributes['exception.message'] ?? '')}`;
  }
  const out: PlainRecord = {
    name: logger,
    msg: typeof body === 'string' ? body : body === null ? '' : JSON.stringify(body),
    levelno,
    levelname: levelNameOf(raw.severityText, levelno),
    // whole milliseconds, as the record was made; read from the digits (a BigInt per record costs more)
    created: (time.length > 6 ? Number(time.slice(0, -6)) : 0) / 1000,
    uid: typeof uid === 'string' && UID_SHAPE.test(uid) ? uid : '',
    exc_text: exception,
    stack_info: null,
    timeUnixNano: time,
    resource,
  };
  if (typeof raw.traceId === 'string' && raw.traceId && HEX_ID.test(raw.traceId)) out.traceId = raw.traceId.toLowerCase();
  if (typeof raw.spanId === 'string' && raw.spanId && HEX_ID.test(raw.spanId)) out.spanId = raw.spanId.toLowerCase();
  for (const key of Object.keys(attributes)) {
    if (key === UID_ATTRIBUTE || (stackTaken && EXCEPTION_KEYS.has(key))) continue;
    out[escaped(key) ? ATTR_PREFIX + key : key] = attributes[key];
  }
  return out;
}

/** A record's levelname: its severityText when it has one, else its level's name; at most 64 characters. */
export function levelNameOf(severityText: unknown, levelno: number): string {
  return (typeof severityText === 'string' && severityText ? severityText : String(getLevelName(levelno))).slice(0, 64);
}

/** A resourceLogs entry's `resource` as the fields its records share. */
export function resourceOf(resource: unknown): Record<string, unknown> {
  return isObject(resource) ? fromKeyValues(resource.attributes) : {};
}

/** A scopeLogs entry's `scope` as the name of its records' logger ('root' when it has none). */
export function scopeNameOf(scope: unknown): string {
  return isObject(scope) && typeof scope.name === 'string' && scope.name ? scope.name.slice(0, 256) : 'root';
}

/** Counts a record decoding rejected, keeping its reason among the first five different ones. */
export function addRejection(result: DecodeResult, why: string): void {
  result.rejected++;
  if (result.errors.length < 5 && !result.errors.includes(why)) result.errors.push(why);
}

/**
 * Validates and decodes an ExportLogsServiceRequest. A body that is not one throws OtlpFormatError;
 * single bad records are counted as rejected and the rest decoded.
 * @example const { records, rejected } = decodeRequest(JSON.parse(body))
 */
export function decodeRequest(body: unknown): DecodeResult {
  if (!isObject(body) || !Array.isArray(body.resourceLogs)) throw new OtlpFormatError('expected an ExportLogsServiceRequest: an object with a resourceLogs list');
  const result: DecodeResult = { records: [], rejected: 0, errors: [] };
  for (const rl of body.resourceLogs) {
    if (!isObject(rl) || !Array.isArray(rl.scopeLogs)) throw new OtlpFormatError('each resourceLogs entry needs a scopeLogs list');
    const resource = resourceOf(rl.resource);
    for (const sl of rl.scopeLogs) {
      if (!isObject(sl) || !Array.isArray(sl.logRecords)) throw new OtlpFormatError('each scopeLogs entry needs a logRecords list');
      const scopeName = scopeNameOf(sl.scope);
      for (const raw of sl.logRecords) {
        const decoded = decodeRecord(raw, scopeName, resource);
        if (typeof decoded === 'string') addRejection(result, decoded);
        else result.records.push(decoded);
      }
    }
  }
  return result;
}

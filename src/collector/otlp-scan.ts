// isolog's own OTLP JSON read in one pass over its bytes, without JSON.parse. Its senders write one
// shape (JSON.stringify of encodeRecords, or encodeBody's slices of it): each record is made straight
// from the body, with the line that the collector's default JsonFormatter writes of it, its strings
// copied from the body as they stand (a string without an escape is its own JSON). JSON.parse of the
// bodies and JSON.stringify of the lines were two fifths of the collector's CPU. The scanner reads
// bytes, not the decoded text: an index into a Buffer costs a third of a charCodeAt.
//
// What the scanner does not know is read the ordinary way, so that every body gives what
// JSON.parse and decodeRequest give: a record it cannot read (another exporter's key order, a value
// of a kind isolog does not send, an exception) is JSON.parse'd alone and decoded by decodeRecord;
// a body whose frame it cannot read (whitespace between tokens, keys out of order, bad JSON) is left
// to JSON.parse whole (scanRequest answers null).
import { isAscii } from 'node:buffer';
import type { PlainRecord } from '../core/fields.js';
import { isoTime } from '../core/json-formatter.js';
import { getLevelName } from '../core/level.js';
import { DEFAULT_LIMITS } from '../core/serialize.js';
import {
  ATTR_PREFIX, decodeRecord, EXCEPTION_KEYS, escaped, fromKeyValues, HEX_ID, levelFromSeverity, nanos, UID_ATTRIBUTE, UID_SHAPE,
  type DecodeResult,
} from '../transport/otlp.js';

/** What a body held, as decodeRequest would give it, with each record's line where the scanner made it. */
export interface ScannedRequest extends DecodeResult {
  /**
   * For each record, what `new JsonFormatter().formatFields(record)` returns, or null where the
   * scanner leaves that to formatFields (a record read the ordinary way, one past the limits of
   * serialization, one without a uid).
   */
  lines: (string | null)[];
  /** The `batchId` a WebSocket message carries, as JSON.parse reads it; undefined when it has none. */
  batchId: unknown;
}

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const SEPARATORS = /[\u2028\u2029]/g;
const { maxItems, maxString, maxTotal } = DEFAULT_LIMITS;
// the lengths of the keys of a line (uid, time, timeUnixNano, level, levelname, logger, message,
// attributes, resource), which serialization counts against its total as it counts strings
const LINE_KEYS = 3 + 4 + 12 + 5 + 9 + 6 + 7 + 10 + 8;
// keys are checked against those before them, which is quadratic: past these many an object of the
// frame goes to JSON.parse, and a record to decodeRecord, whose time is linear (a body of 40,000
// keys held the event loop for seconds)
const MAX_FRAME_KEYS = 16;
const MAX_ATTRIBUTES = 64;

/** JSON leaves U+2028/U+2029 raw; the formatter escapes them, so that a record cannot forge a line. */
const escapeSeparators = (json: string): string => json.replace(SEPARATORS, (c) => (c === '\u2028' ? '\\u2028' : '\\u2029'));

/** A scope's records share these: the logger's name, the resource, and their JSON. */
interface Scope {
  name: string;
  nameJson: string;
  resource: Record<string, unknown>;
  /** The resource's JSON and what it counts against the line's total; null when it is not flat plain JSON within the limits. */
  resourceJson: string | null;
  resourceBudget: number;
}

/** The resource's JSON when it is flat (strings, finite numbers, booleans, null) and within the limits; else null. */
function flatJson(resource: Record<string, unknown>): { json: string; budget: number } | null {
  const keys = Object.keys(resource);
  if (keys.length > maxItems) return null;
  let budget = 0;
  for (const key of keys) {
    const value = resource[key];
    budget += key.length;
    if (typeof value === 'string') {
      if (value.length > maxString) return null;
      budget += value.length;
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) return null;
    } else if (typeof value !== 'boolean' && value !== null) return null;
  }
  // a resource that looks like a DOM node is written as one (serialize.ts)
  if (typeof resource.nodeType === 'number' && typeof resource.nodeName === 'string') return null;
  return { json: escapeSeparators(JSON.stringify(resource)), budget };
}

/** An ASCII literal as the scanner compares it: four bytes at a time, then the rest one by one. */
interface Literal { length: number; words: Uint32Array; tail: Uint8Array }

const ascii = (text: string): Literal => {
  const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  const view = new DataView(bytes.buffer);
  const words = new Uint32Array(bytes.length >> 2);
  for (let k = 0; k < words.length; k++) words[k] = view.getUint32(4 * k, true);
  return { length: bytes.length, words, tail: bytes.subarray(4 * words.length) };
};
const TIME = ascii('{"timeUnixNano":"');
const SEVERITY = ascii('","severityNumber":');
const SEVERITY_TEXT = ascii(',"severityText":');
const BODY = ascii(',"body":{"stringValue":');
const ATTRIBUTES = ascii('},"attributes":[');
const KEY = ascii('{"key":');
const VALUE = ascii(',"value":{');
const STRING_VALUE = ascii('"stringValue":');
const INT_VALUE = ascii('"intValue":');
const DOUBLE_VALUE = ascii('"doubleValue":');
const BOOL_VALUE = ascii('"boolValue":');
const TRUE = ascii('true');
const FALSE = ascii('false');
const TRACE_ID = ascii(',"traceId":');
const SPAN_ID = ascii(',"spanId":');
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** What an attribute's key comes to in a record: a field (its name and JSON), the uid, left out, or a record for decodeRecord. */
const enum KeyKind { Field, Uid, Left, Unknown }
interface KeyRule { kind: KeyKind; field: string; json: string }

function ruleOf(key: string, json: string): KeyRule {
  if (key === UID_ATTRIBUTE) return { kind: KeyKind.Uid, field: key, json };
  // fromKeyValues leaves these out
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') return { kind: KeyKind.Left, field: key, json };
  // an exception's attributes become its text; a key that starts with a digit may be an array
  // index, which an object orders before its other keys
  const first = key.charCodeAt(0);
  if (EXCEPTION_KEYS.has(key) || (first >= 48 && first <= 57)) return { kind: KeyKind.Unknown, field: key, json };
  return escaped(key) ? { kind: KeyKind.Field, field: ATTR_PREFIX + key, json: `"${ATTR_PREFIX}${json.slice(1)}` } : { kind: KeyKind.Field, field: key, json };
}

/** A key seen at a place in a record's attributes: where its bytes are in the body, and its rule. */
interface KnownKey { start: number; length: number; rule: KeyRule }

class Scanner {
  i = 0;
  /** The last string read, and its JSON as the line writes it. */
  value = '';
  json = '';
  /** What the last string held: 1 an escape, 2 a byte past ASCII. */
  private kinds = 0;
  private severity = -1;
  private severityText = '';
  private level = 0;
  private readonly length: number;
  private readonly view: DataView;
  /** The keys of the last record's attributes, by place: the next record most likely has the same. */
  private readonly keys: KnownKey[] = [];
  /** The body as text when it is ASCII (a byte's index is then a character's); else strings are decoded one by one. */
  private readonly text: string | null;
  readonly out: ScannedRequest = { records: [], lines: [], rejected: 0, errors: [], batchId: undefined };

  constructor(private readonly bytes: Buffer) {
    this.length = bytes.length;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.text = isAscii(bytes) ? bytes.toString('latin1') : null;
  }

  /** The body's text from byte `start` to byte `end`. */
  private slice(start: number, end: number): string {
    return this.text !== null ? this.text.slice(start, end) : this.bytes.toString('utf8', start, end);
  }

  private at(literal: Literal): boolean {
    const i = this.i;
    if (i + literal.length > this.length) return false;
    const { words, tail } = literal;
    for (let k = 0; k < words.length; k++) if (this.view.getUint32(i + 4 * k, true) !== words[k]) return false;
    const rest = i + 4 * words.length;
    for (let k = 0; k < tail.length; k++) if (this.bytes[rest + k] !== tail[k]) return false;
    this.i = i + literal.length;
    return true;
  }

  /** The rule of the attribute key at i, the `place`th of its record, moving past it; null when there is no string. */
  private key(place: number): KeyRule | null {
    const b = this.bytes;
    const start = this.i;
    const known = this.keys[place];
    if (known !== undefined && start + known.length <= this.length) {
      let k = 0;
      while (k < known.length && b[start + k] === b[known.start + k]) k++;
      if (k === known.length) {
        this.i = start + known.length;
        return known.rule;
      }
    }
    if (!this.string()) return null;
    const rule = ruleOf(this.value, this.json);
    this.keys[place] = { start, length: this.i - start, rule };
    return rule;
  }

  private byte(c: number): boolean {
    if (this.i >= this.length || this.bytes[this.i] !== c) return false;
    this.i++;
    return true;
  }

  /**
   * Where the string that opens at `start` ends (past its closing quote), or -1: no end, or a raw
   * control character, which JSON does not allow in a string. Sets `kinds`.
   */
  private stringEnd(start: number): number {
    const b = this.bytes;
    const length = this.length;
    let kinds = 0;
    for (let j = start + 1; j < length; j++) {
      const c = b[j];
      if (c === QUOTE) {
        this.kinds = kinds;
        return j + 1;
      }
      if (c === BACKSLASH) {
        kinds |= 1;
        j++;
      } else if (c < 32) return -1;
      else if (c >= 128) kinds |= 2;
    }
    return -1;
  }

  /** Reads the string at i into value and json; false when there is none. */
  private string(): boolean {
    const start = this.i;
    if (start >= this.length || this.bytes[start] !== QUOTE) return false;
    const end = this.stringEnd(start);
    if (end < 0) return false;
    this.i = end;
    if (this.kinds === 0 && this.text !== null) {
      this.value = this.text.slice(start + 1, end - 1);
      this.json = this.text.slice(start, end);
      return true;
    }
    const raw = this.slice(start, end);
    if ((this.kinds & 1) === 0) {
      this.value = raw.slice(1, -1);
      this.json = escapeSeparators(raw);
      return true;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      return false;
    }
    this.value = value as string;
    this.json = escapeSeparators(JSON.stringify(value));
    return true;
  }

  private digitsFrom(j: number): number {
    while (j < this.length && isDigit(this.bytes[j])) j++;
    return j;
  }

  /** Reads the JSON number at i; null when there is none. */
  private number(): number | null {
    const b = this.bytes;
    const start = this.i;
    const negative = b[start] === 45;
    let j = negative ? start + 1 : start;
    if (b[j] === 48) j++;
    else if (j < this.length && isDigit(b[j])) j = this.digitsFrom(j);
    else return null;
    // up to 15 digits is exact as a double, added up without making a string
    let whole = j - start <= 15;
    if (b[j] === 46) {
      if (!isDigit(b[j + 1])) return null;
      j = this.digitsFrom(j + 1);
      whole = false;
    }
    if (b[j] === 101 || b[j] === 69) {
      j++;
      if (b[j] === 43 || b[j] === 45) j++;
      if (!isDigit(b[j])) return null;
      j = this.digitsFrom(j);
      whole = false;
    }
    this.i = j;
    if (!whole) return Number(this.slice(start, j));
    let n = 0;
    for (let k = negative ? start + 1 : start; k < j; k++) n = n * 10 + (b[k] - 48);
    return negative ? -n : n;
  }

  /** Moves past the JSON value at i without reading it (JSON.parse reads it after); false when it does not end. */
  private skip(): boolean {
    const b = this.bytes;
    const start = this.i;
    const first = b[start];
    if (first === QUOTE) {
      const end = this.stringEnd(start);
      if (end < 0) return false;
      this.i = end;
      return true;
    }
    if (first === OPEN_BRACE || first === OPEN_BRACKET) {
      let depth = 0;
      for (let j = start; j < this.length; j++) {
        const c = b[j];
        if (c === QUOTE) {
          const end = this.stringEnd(j);
          if (end < 0) return false;
          j = end - 1;
        } else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
        else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) {
          this.i = j + 1;
          return true;
        }
      }
      return false;
    }
    // a number, true, false or null: up to the next comma or closing bracket
    let j = start;
    while (j < this.length && b[j] !== COMMA && b[j] !== CLOSE_BRACE && b[j] !== CLOSE_BRACKET) j++;
    this.i = j;
    return j > start;
  }

  /** The JSON value at i, parsed; throws (the body is JSON.parse's then) when it is not JSON. */
  private parsed(): unknown {
    const start = this.i;
    if (!this.skip()) throw new SyntaxError('not JSON');
    return JSON.parse(this.slice(start, this.i));
  }

  /**
   * Reads an object's keys in turn, handing each to `read` positioned at its value (which `read`
   * moves past, or answers false). False on a key twice (JSON.parse keeps the last, the scanner
   * would have read the first) or on anything that is not such an object.
   */
  private object(read: (key: string) => boolean): boolean {
    if (!this.byte(OPEN_BRACE)) return false;
    if (this.byte(CLOSE_BRACE)) return true;
    const seen: string[] = [];
    do {
      if (!this.string() || !this.byte(COLON)) return false;
      const key = this.value;
      if (seen.length >= MAX_FRAME_KEYS || seen.includes(key)) return false;
      seen.push(key);
      if (!read(key)) return false;
    } while (this.byte(COMMA));
    return this.byte(CLOSE_BRACE);
  }

  /** Reads a list, each item by `read`; false on anything that is not a list. */
  private list(read: () => boolean): boolean {
    if (!this.byte(OPEN_BRACKET)) return false;
    if (this.byte(CLOSE_BRACKET)) return true;
    do {
      if (!read()) return false;
    } while (this.byte(COMMA));
    return this.byte(CLOSE_BRACKET);
  }

  request(): ScannedRequest | null {
    let logs = false;
    const whole = this.object((key) => {
      if (key === 'resourceLogs') {
        logs = true;
        return this.list(() => this.resourceLogs());
      }
      const value = this.parsed();
      if (key === 'batchId') this.out.batchId = value;
      return true;
    });
    return whole && logs && this.i === this.length ? this.out : null;
  }

  private resourceLogs(): boolean {
    let resource: Record<string, unknown> = {};
    let flat: { json: string; budget: number } | null = { json: '{}', budget: 0 };
    let scopes = false;
    return this.object((key) => {
      if (key === 'resource') {
        // decodeRequest reads the resource before the records that share it: one that comes after them is JSON.parse's
        if (scopes) return false;
        const value = this.parsed();
        resource = typeof value === 'object' && value !== null && !Array.isArray(value) ? fromKeyValues((value as { attributes?: unknown }).attributes) : {};
        flat = flatJson(resource);
        return true;
      }
      if (key === 'scopeLogs') {
        scopes = true;
        return this.list(() => this.scopeLogs(resource, flat));
      }
      this.parsed();
      return true;
    }) && scopes;
  }

  private scopeLogs(resource: Record<string, unknown>, flat: { json: string; budget: number } | null): boolean {
    let name = 'root';
    let records = false;
    return this.object((key) => {
      if (key === 'scope') {
        if (records) return false;
        const scope = this.parsed() as { name?: unknown } | null;
        name = typeof scope === 'object' && scope !== null && !Array.isArray(scope) && typeof scope.name === 'string' && scope.name ? scope.name.slice(0, 256) : 'root';
        return true;
      }
      if (key === 'logRecords') {
        records = true;
        const at: Scope = { name, nameJson: escapeSeparators(JSON.stringify(name)), resource, resourceJson: flat?.json ?? null, resourceBudget: flat?.budget ?? 0 };
        return this.list(() => this.record(at));
      }
      this.parsed();
      return true;
    }) && records;
  }

  /** One log record: read as isolog writes it, else JSON.parse'd alone and decoded as decodeRequest does. */
  private record(scope: Scope): boolean {
    const start = this.i;
    if (this.known(scope)) return true;
    this.i = start;
    const decoded = decodeRecord(this.parsed(), scope.name, scope.resource);
    const out = this.out;
    if (typeof decoded === 'string') {
      out.rejected++;
      if (out.errors.length < 5 && !out.errors.includes(decoded)) out.errors.push(decoded);
    } else {
      out.records.push(decoded);
      out.lines.push(null);
    }
    return true;
  }

  /** A record as encodeRecord writes it, read with its line; false (having added nothing) at anything else. */
  private known(scope: Scope): boolean {
    const b = this.bytes;
    if (!this.at(TIME)) return false;
    const digits = this.i;
    while (this.i < this.length && isDigit(b[this.i])) this.i++;
    // decodeRecord's rule: digits without a leading zero, at most 2^64-1; a time of 0 gives way to the observed one
    const end = this.i;
    const time = nanos(this.slice(digits, end));
    if (time === null || time === '0' || time.length !== end - digits || !this.at(SEVERITY)) return false;
    // whole milliseconds (at most 14 digits, exact as a double), as Number(time.slice(0, -6))
    let ms = 0;
    for (let k = digits; k < end - 6; k++) ms = ms * 10 + (b[k] - 48);
    const severity = this.number();
    if (severity === null || !this.at(SEVERITY_TEXT) || !this.string()) return false;
    const text = this.value;
    const textJson = this.json;
    if (!this.at(BODY) || !this.string()) return false;
    const msg = this.value;
    const msgJson = this.json;
    if (!this.at(ATTRIBUTES)) return false;
    let lineable = true;
    let budget = 0;
    let attributes = '';
    let uid: unknown;
    let uidJson = '';
    const keys: string[] = [];
    const values: unknown[] = [];
    if (!this.byte(CLOSE_BRACKET)) {
      let place = 0;
      do {
        if (!this.at(KEY)) return false;
        const rule = this.key(place++);
        if (rule === null || rule.kind === KeyKind.Unknown || !this.at(VALUE)) return false;
        let value: unknown;
        let valueJson: string;
        if (this.at(STRING_VALUE)) {
          if (!this.string()) return false;
          value = this.value;
          valueJson = this.json;
        } else if (this.at(INT_VALUE)) {
          const n = this.number();
          if (n === null) return false;
          value = Number.isSafeInteger(n) ? n : String(n);
          valueJson = typeof value === 'number' ? String(value) : `"${value}"`;
        } else if (this.at(DOUBLE_VALUE)) {
          const n = this.number();
          if (n === null) return false;
          value = n;
          valueJson = String(n);
          if (!Number.isFinite(n)) lineable = false;
        } else if (this.at(BOOL_VALUE)) {
          if (this.at(TRUE)) value = true;
          else if (this.at(FALSE)) value = false;
          else return false;
          valueJson = String(value);
        } else if (b[this.i] === CLOSE_BRACE) {
          value = null;
          valueJson = 'null';
        } else return false;
        if (!(this.byte(CLOSE_BRACE) && this.byte(CLOSE_BRACE))) return false;
        if (rule.kind === KeyKind.Uid) {
          if (uid !== undefined) return false;
          uid = value;
          uidJson = valueJson;
          continue;
        }
        if (rule.kind === KeyKind.Left) continue;
        const field = rule.field;
        if (keys.length >= MAX_ATTRIBUTES || keys.includes(field)) return false;
        keys.push(field);
        values.push(value);
        if (typeof value === 'string') {
          budget += value.length;
          if (value.length > maxString) lineable = false;
        }
        budget += field.length;
        attributes += `${attributes ? ',' : ''}${rule.json}:${valueJson}`;
      } while (this.byte(COMMA));
      if (!this.byte(CLOSE_BRACKET)) return false;
    }
    let traceId: string | undefined;
    let spanId: string | undefined;
    if (this.at(TRACE_ID)) {
      if (!this.string()) return false;
      if (this.value && HEX_ID.test(this.value)) traceId = this.value.toLowerCase();
    }
    if (this.at(SPAN_ID)) {
      if (!this.string()) return false;
      if (this.value && HEX_ID.test(this.value)) spanId = this.value.toLowerCase();
    }
    if (!this.byte(CLOSE_BRACE)) return false;

    if (severity !== this.severity || text !== this.severityText) {
      this.severity = severity;
      this.severityText = text;
      this.level = levelFromSeverity(severity, text);
    }
    const levelno = this.level;
    const levelname = (text || String(getLevelName(levelno))).slice(0, 64);
    let id = typeof uid === 'string' && UID_SHAPE.test(uid) ? uid : '';
    // a copy of its own, not a slice of the body: the dedupe ring keeps a million uids
    if (id.length >= 13) id = JSON.parse(uidJson) as string;
    const created = ms / 1000;
    const record: PlainRecord = {
      name: scope.name, msg, levelno, levelname, created, uid: id, exc_text: null, stack_info: null, timeUnixNano: time, resource: scope.resource,
    };
    if (traceId !== undefined) record.traceId = traceId;
    if (spanId !== undefined) record.spanId = spanId;
    for (let k = 0; k < keys.length; k++) record[keys[k]] = values[k];
    // attributes that look like a DOM node are written as one (serialize.ts)
    if (typeof record.nodeType === 'number' && typeof record.nodeName === 'string') lineable = false;

    let line: string | null = null;
    const iso = isoTime(Math.round(created * 1000));
    budget += LINE_KEYS + id.length + iso.length + time.length + levelname.length + scope.name.length + msg.length + scope.resourceBudget
      + (traceId === undefined ? 0 : 7 + traceId.length) + (spanId === undefined ? 0 : 6 + spanId.length);
    if (lineable && id && scope.resourceJson !== null && keys.length <= maxItems && budget < maxTotal && msg.length <= maxString
      && (traceId === undefined || traceId.length <= maxString) && (spanId === undefined || spanId.length <= maxString)) {
      line = `{"uid":${uidJson},"time":"${iso}","timeUnixNano":"${time}","level":${levelno},"levelname":${levelname === text ? textJson : escapeSeparators(JSON.stringify(levelname))},"logger":${scope.nameJson},"message":${msgJson},"attributes":{${attributes}},"resource":${scope.resourceJson}${traceId === undefined ? '' : `,"traceId":"${traceId}"`}${spanId === undefined ? '' : `,"spanId":"${spanId}"`}}`;
    }
    // flattened now, while its pieces are young (charCodeAt makes a string of them): the file
    // handler holds the lines until its write, and pieces kept that long cost the collector a fifth
    // of its CPU in garbage collection
    if (line !== null) line.charCodeAt(0);
    this.out.records.push(record);
    this.out.lines.push(line);
    return true;
  }
}

/** A string of its own, not a slice of the body's text (flattening the pair copies its characters). */
function ownCopy(text: string): string {
  const joined = `\0${text}`;
  joined.charCodeAt(0);
  return joined.slice(1);
}

/**
 * `record` with each of its strings copied out of the body the scanner sliced it from, for a
 * record kept past its request (in a forwarder's queue, by a handler that buffers): a slice keeps
 * the whole body's text alive. A string under 13 characters is a copy already.
 * @example queue.push(detach(record))
 */
export function detach(record: PlainRecord): PlainRecord {
  for (const key of Object.keys(record)) {
    const value = record[key];
    if (typeof value === 'string' && value.length >= 13) record[key] = ownCopy(value);
  }
  return record;
}

/**
 * An OTLP JSON body's records, as `decodeRequest(JSON.parse(body.toString()))` gives them, with
 * their lines; null when the body is not in a shape the scanner reads (then JSON.parse and
 * decodeRequest decide, and give the error when it is no OTLP request).
 * @example const scanned = scanRequest(body) ?? decodeRequest(JSON.parse(body.toString('utf8')))
 */
export function scanRequest(body: Buffer): ScannedRequest | null {
  try {
    return new Scanner(body).request();
  } catch {
    // a value that is not JSON: the body is JSON.parse's, which says where
    return null;
  }
}

// isolog's own OTLP JSON read in one pass over its bytes, without JSON.parse. Its senders write one
// shape (JSON.stringify of encodeRecords, or encodeBody's slices of it): each record is made straight
// from the body, with the line that the collector's default JsonFormatter writes of it, its strings
// copied from the body as they stand (a string without an escape is its own JSON). JSON.parse of the
// bodies and JSON.stringify of the lines were two fifths of the collector's CPU.
//
// What the scanner does not know is read the ordinary way, so that every body gives what
// JSON.parse and decodeRequest give: a record it cannot read (another exporter's key order, a value
// of a kind isolog does not send, an exception) is JSON.parse'd alone and decoded by decodeRecord;
// a body whose frame it cannot read (whitespace between tokens, keys out of order, bad JSON) is left
// to JSON.parse whole (scanRequest answers null). Reading the bytes is json-bytes.ts's part.
import type { PlainRecord } from '../core/fields.js';
import { escapeLineSeparators } from '../core/json-formatter.js';
import { isDomNode } from '../core/repr.js';
import { DEFAULT_LIMITS } from '../core/serialize.js';
import {
  addRejection, ATTR_PREFIX, decodeRecord, EXCEPTION_KEYS, escaped, HEX_ID, levelFromSeverity, levelNameOf, nanos, resourceOf, scopeNameOf,
  UID_ATTRIBUTE, UID_SHAPE, type DecodeResult, type LineBytes,
} from '../transport/otlp.js';
import { ascii, CLOSE_BRACE, CLOSE_BRACKET, COMMA, isDigit, JsonBytes } from './json-bytes.js';
import { LineWriter } from './line-bytes.js';

/** What a body held, as decodeRequest would give it, with each record's line where the scanner made it. */
export interface ScannedRequest extends DecodeResult {
  /**
   * For each record, the UTF-8 bytes of what `new JsonFormatter().formatFields(record)` returns,
   * or no line where the scanner leaves that to formatFields (a record read the ordinary way, one
   * past the limits of serialization, one without a uid).
   */
  lines: LineBytes;
  /** The `batchId` a WebSocket message carries, as JSON.parse reads it; undefined when it has none. */
  batchId: unknown;
}

const { maxItems, maxString, maxTotal } = DEFAULT_LIMITS;
// the lengths of the keys of a line (uid, time, timeUnixNano, level, levelname, logger, message,
// attributes, resource), which serialization counts against its total as it counts strings
const LINE_KEYS = 3 + 4 + 12 + 5 + 9 + 6 + 7 + 10 + 8;
// a record's keys are checked against those before them, which is quadratic: past these many the
// record goes to decodeRecord, whose time is linear (a record of 40,000 attributes held the event
// loop for seconds)
const MAX_ATTRIBUTES = 64;

/** A scope's records share these: the logger's name, the resource, and the parts of their lines these make. */
interface Scope {
  name: string;
  nameJson: string;
  resource: Record<string, unknown>;
  /** What the resource counts against the line's total. */
  resourceBudget: number;
  /**
   * The end of a line from the resource on, without the line's last brace and with it (a record
   * with a trace or span id has them in between); null when the resource is not flat plain JSON
   * within the limits.
   */
  tail: Uint8Array | null;
  tailClosed: Uint8Array | null;
  /** The middle of a line, from the level to the message, by level name. */
  middles: Map<string, { levelno: number; bytes: Uint8Array }>;
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
  if (isDomNode(resource)) return null;
  return { json: escapeLineSeparators(JSON.stringify(resource)), budget };
}

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

// the pieces of a line between its values
const utf8 = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const LINE_UID = utf8('{"uid":');
const LINE_TIME = utf8(',"time":"');
const LINE_NANOS = utf8('","timeUnixNano":"');
const LINE_ATTRIBUTES = utf8(',"attributes":{');
const LINE_TRACE_ID = utf8(',"traceId":"');
const LINE_SPAN_ID = utf8(',"spanId":"');
const LINE_ID_END = utf8('"');
const LINE_END = utf8('}');

/** What an attribute's key comes to in a record: a field (its name and JSON), the uid, left out, or a record for decodeRecord. */
const enum KeyKind { Field, Uid, Left, Unknown }
/** `json`: the field's key as the line writes it, with its colon; `nextJson` with the comma before it too. */
interface KeyRule { kind: KeyKind; field: string; json: Uint8Array; nextJson: Uint8Array }

function ruleOf(key: string, json: string): KeyRule {
  const rule = (kind: KeyKind, field: string, written = json): KeyRule => ({ kind, field, json: utf8(`${written}:`), nextJson: utf8(`,${written}:`) });
  if (key === UID_ATTRIBUTE) return rule(KeyKind.Uid, key);
  // fromKeyValues leaves these out
  if (key === '__proto__' || key === 'constructor' || key === 'prototype') return rule(KeyKind.Left, key);
  // an exception's attributes become its text; a key that starts with a digit may be an array
  // index, which an object orders before its other keys
  if (EXCEPTION_KEYS.has(key) || isDigit(key.charCodeAt(0))) return rule(KeyKind.Unknown, key);
  return escaped(key) ? rule(KeyKind.Field, ATTR_PREFIX + key, `"${ATTR_PREFIX}${json.slice(1)}`) : rule(KeyKind.Field, key);
}

// a piece of a line is a range of the body (see JsonBytes.raw), or a text: ASCII, or any
const ASCII_PIECE = -1;
const TEXT_PIECE = -2;

/** A key seen at a place in a record's attributes: where its bytes are in the body, and its rule. */
interface KnownKey { start: number; length: number; rule: KeyRule }

class Scanner extends JsonBytes {
  private severity = -1;
  private severityText = '';
  private level = 0;
  /** Where the lines go, as bytes. */
  private readonly writer: LineWriter;
  /** The pieces of the record being read that its line writes (see piece()), and its attributes' keys and pieces. */
  private readonly pieceStart: number[] = [];
  private readonly pieceEnd: number[] = [];
  private readonly pieceText: string[] = [];
  private pieces = 0;
  private readonly attributeRules: KeyRule[] = [];
  private readonly attributePieces: number[] = [];
  /** The keys of the last record's attributes, by place: the next record most likely has the same. */
  private readonly keys: KnownKey[] = [];
  readonly out: ScannedRequest;

  constructor(bytes: Buffer) {
    super(bytes);
    // a line is about as long as its record in the body
    this.writer = new LineWriter(bytes.length + 4096);
    this.out = { records: [], lines: this.writer.lines(), rejected: 0, errors: [], batchId: undefined };
  }

  /** The last string's JSON as a piece of the line: its index. */
  private piece(): number {
    const k = this.pieces++;
    if (this.raw) {
      this.pieceStart[k] = this.jsonStart;
      this.pieceEnd[k] = this.jsonEnd;
    } else {
      this.pieceEnd[k] = TEXT_PIECE;
      this.pieceText[k] = this.json;
    }
    return k;
  }

  /** `text` (ASCII) as a piece of the line: its index. */
  private asciiPiece(text: string): number {
    const k = this.pieces++;
    this.pieceEnd[k] = ASCII_PIECE;
    this.pieceText[k] = text;
    return k;
  }

  /** Writes piece k into the line. */
  private put(k: number): void {
    const end = this.pieceEnd[k];
    if (end >= 0) this.writer.range(this.bytes, this.pieceStart[k], end);
    else if (end === ASCII_PIECE) this.writer.ascii(this.pieceText[k]);
    else this.writer.text(this.pieceText[k]);
  }

  /** The rule of the attribute key at i, the `place`th of its record, moving past it; null when there is no string. */
  private key(place: number): KeyRule | null {
    const start = this.i;
    const known = this.keys[place];
    if (known !== undefined && start + known.length <= this.length && this.same(start, known.start, known.length)) {
      this.i = start + known.length;
      return known.rule;
    }
    if (!this.string()) return null;
    const rule = ruleOf(this.value, this.jsonText());
    this.keys[place] = { start, length: this.i - start, rule };
    return rule;
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
    if (!(whole && logs && this.i === this.length)) return null;
    // the buffer the lines ended in (it grows as they come)
    this.out.lines = this.writer.lines();
    return this.out;
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
        resource = resourceOf(value);
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
        name = scopeNameOf(this.parsed());
        return true;
      }
      if (key === 'logRecords') {
        records = true;
        const at: Scope = {
          name, nameJson: escapeLineSeparators(JSON.stringify(name)), resource, resourceBudget: flat?.budget ?? 0,
          tail: flat ? utf8(`},"resource":${flat.json}`) : null, tailClosed: flat ? utf8(`},"resource":${flat.json}}`) : null, middles: new Map(),
        };
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
    if (typeof decoded === 'string') addRejection(this.out, decoded);
    else {
      this.out.records.push(decoded);
      this.writer.none();
    }
    return true;
  }

  /** A record as encodeRecord writes it, read with its line; false (having added nothing) at anything else. */
  private known(scope: Scope): boolean {
    const b = this.bytes;
    if (!this.at(TIME)) return false;
    const digits = this.i;
    const end = this.digitsFrom(digits);
    this.i = end;
    // decodeRecord's rule: digits without a leading zero, at most 2^64-1; a time of 0 gives way to the observed one
    const time = nanos(this.slice(digits, end));
    if (time === null || time === '0' || time.length !== end - digits || !this.at(SEVERITY)) return false;
    // whole milliseconds (at most 14 digits, exact as a double), as Number(time.slice(0, -6))
    let ms = 0;
    for (let k = digits; k < end - 6; k++) ms = ms * 10 + (b[k] - 48);
    const severity = this.number();
    this.pieces = 0;
    if (severity === null || !this.at(SEVERITY_TEXT) || !this.string()) return false;
    const text = this.value;
    if (!this.at(BODY) || !this.string()) return false;
    const msg = this.value;
    const msgPiece = this.piece();
    if (!this.at(ATTRIBUTES)) return false;
    let lineable = true;
    let budget = 0;
    let uid: unknown;
    let uidPiece = -1;
    const { attributeRules, attributePieces } = this;
    const keys: string[] = [];
    const values: unknown[] = [];
    if (!this.byte(CLOSE_BRACKET)) {
      let place = 0;
      do {
        if (!this.at(KEY)) return false;
        const rule = this.key(place++);
        if (rule === null || rule.kind === KeyKind.Unknown || !this.at(VALUE)) return false;
        let value: unknown;
        let piece: number;
        if (this.at(STRING_VALUE)) {
          if (!this.string()) return false;
          value = this.value;
          piece = this.piece();
        } else if (this.at(INT_VALUE)) {
          const n = this.number();
          if (n === null) return false;
          value = Number.isSafeInteger(n) ? n : String(n);
          piece = this.asciiPiece(typeof value === 'number' ? String(value) : `"${value}"`);
        } else if (this.at(DOUBLE_VALUE)) {
          const n = this.number();
          if (n === null) return false;
          value = n;
          piece = this.asciiPiece(String(n));
          if (!Number.isFinite(n)) lineable = false;
        } else if (this.at(BOOL_VALUE)) {
          if (this.at(TRUE)) value = true;
          else if (this.at(FALSE)) value = false;
          else return false;
          piece = this.asciiPiece(String(value));
        } else if (b[this.i] === CLOSE_BRACE) {
          value = null;
          piece = this.asciiPiece('null');
        } else return false;
        if (!(this.byte(CLOSE_BRACE) && this.byte(CLOSE_BRACE))) return false;
        if (rule.kind === KeyKind.Uid) {
          if (uid !== undefined) return false;
          uid = value;
          uidPiece = piece;
          continue;
        }
        if (rule.kind === KeyKind.Left) continue;
        const field = rule.field;
        if (keys.length >= MAX_ATTRIBUTES || keys.includes(field)) return false;
        attributeRules[keys.length] = rule;
        attributePieces[keys.length] = piece;
        keys.push(field);
        values.push(value);
        if (typeof value === 'string') {
          budget += value.length;
          if (value.length > maxString) lineable = false;
        }
        budget += field.length;
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
    const levelname = levelNameOf(text, levelno);
    let id = typeof uid === 'string' && UID_SHAPE.test(uid) ? uid : '';
    // a copy of its own, not a slice of the body: the dedupe ring keeps a million uids
    if (id.length >= 13) id = ownCopy(id);
    const created = ms / 1000;
    const record: PlainRecord = {
      name: scope.name, msg, levelno, levelname, created, uid: id, exc_text: null, stack_info: null, timeUnixNano: time, resource: scope.resource,
    };
    if (traceId !== undefined) record.traceId = traceId;
    if (spanId !== undefined) record.spanId = spanId;
    for (let k = 0; k < keys.length; k++) record[keys[k]] = values[k];
    // attributes that look like a DOM node are written as one (serialize.ts)
    if (isDomNode(record)) lineable = false;
    this.out.records.push(record);

    const whole = Math.round(created * 1000);
    budget += LINE_KEYS + id.length + this.writer.timeLength(whole) + time.length + levelname.length + scope.name.length + msg.length + scope.resourceBudget
      + (traceId === undefined ? 0 : 7 + traceId.length) + (spanId === undefined ? 0 : 6 + spanId.length);
    if (!(lineable && id && scope.tail !== null && keys.length <= maxItems && budget < maxTotal && msg.length <= maxString
      && (traceId === undefined || traceId.length <= maxString) && (spanId === undefined || spanId.length <= maxString))) {
      this.writer.none();
      return true;
    }
    this.line(scope, uidPiece, whole, digits, end, levelno, levelname, msgPiece, keys.length, traceId, spanId);
    return true;
  }

  /**
   * Writes a record's line, as JsonFormatter.formatFields writes it, from its pieces (a method of
   * its own, so that V8 inlines the writer's calls into it).
   */
  private line(scope: Scope, uid: number, ms: number, nanosStart: number, nanosEnd: number, levelno: number, levelname: string,
    msg: number, attributes: number, traceId: string | undefined, spanId: string | undefined): void {
    const w = this.writer;
    w.begin();
    w.all(LINE_UID);
    this.put(uid);
    w.all(LINE_TIME);
    w.time(ms);
    w.all(LINE_NANOS);
    w.range(this.bytes, nanosStart, nanosEnd);
    w.all(this.middle(scope, levelno, levelname));
    this.put(msg);
    w.all(LINE_ATTRIBUTES);
    const { attributeRules, attributePieces } = this;
    for (let k = 0; k < attributes; k++) {
      const rule = attributeRules[k];
      w.all(k === 0 ? rule.json : rule.nextJson);
      this.put(attributePieces[k]);
    }
    if (traceId === undefined && spanId === undefined) w.all(scope.tailClosed as Uint8Array);
    else {
      w.all(scope.tail as Uint8Array);
      if (traceId !== undefined) {
        w.all(LINE_TRACE_ID);
        w.ascii(traceId);
        w.all(LINE_ID_END);
      }
      if (spanId !== undefined) {
        w.all(LINE_SPAN_ID);
        w.ascii(spanId);
        w.all(LINE_ID_END);
      }
      w.all(LINE_END);
    }
    w.end();
  }

  /** The middle of a line, `","level":…,"message":`, for records of this level in this scope. */
  private middle(scope: Scope, levelno: number, levelname: string): Uint8Array {
    const known = scope.middles.get(levelname);
    if (known !== undefined && known.levelno === levelno) return known.bytes;
    const nameJson = escapeLineSeparators(JSON.stringify(levelname));
    const bytes = utf8(`","level":${levelno},"levelname":${nameJson},"logger":${scope.nameJson},"message":`);
    scope.middles.set(levelname, { levelno, bytes });
    return bytes;
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

// A batch between page and worker, the page's half: encodeBatch runs on the thread that logs, so it
// is made for speed: one pass over the records, one JSON string of columns (see RawBatch). The
// worker's half is src/worker/raw-batch.ts.
import { formatError } from '../core/exception.js';
import { extraFieldsStart, STANDARD_FIELDS, uidPrefix, type LogArgs, type LogRecord } from '../core/record.js';
import { DEFAULT_LIMITS, isPlainJson, toJsonValue } from '../core/serialize.js';
import type { RawBatch } from '../worker/protocol.js';
import { messageOf } from '../worker/raw-batch.js';

/** Which keys to mask, and with what. */
export interface RedactSpec { keys: (string | RegExp)[]; replacement: string }

/** Masks values under secret keys. */
export interface Masker {
  /** Whether a key's value is masked (each key is judged once). */
  isSecret(key: string): boolean;
  /** The value with what is under secret keys replaced; the value itself when nothing matched. */
  mask(value: unknown): unknown;
  readonly replacement: string;
}

/**
 * A masker for plain objects and arrays (anything else is left as it is). A value is copied only
 * along the path to what it masks.
 * @example masker({ keys: [/password/i], replacement: '[REDACTED]' }).mask({ password: 'x' })
 */
export function masker(spec: RedactSpec): Masker {
  const verdicts = new Map<string, boolean>();
  const lowered = spec.keys.map((p) => (typeof p === 'string' ? p.toLowerCase() : p));
  const isSecret = (key: string): boolean => {
    let verdict = verdicts.get(key);
    if (verdict === undefined) {
      verdict = lowered.some((p) => (typeof p === 'string' ? p === key.toLowerCase() : ((p.lastIndex = 0), p.test(key))));
      // keys are usually few; a flood of distinct ones is judged each time rather than remembered
      if (verdicts.size < 1000) verdicts.set(key, verdict);
    }
    return verdict;
  };
  const ancestors: object[] = [];
  const mask = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null || ancestors.length > 16 || ancestors.includes(value)) return value;
    const proto = Object.getPrototypeOf(value);
    const isArray = proto === Array.prototype;
    if (!isArray && proto !== Object.prototype && proto !== null) return value;
    ancestors.push(value);
    try {
      let out: Record<string, unknown> | unknown[] | null = null;
      const source = value as Record<string, unknown>;
      for (const key of Object.keys(source)) {
        const before = source[key];
        const after = !isArray && isSecret(key) ? spec.replacement : mask(before);
        if (after === before) continue;
        out ??= isArray ? (source as unknown as unknown[]).slice() : { ...source };
        (out as Record<string, unknown>)[key] = after;
      }
      return out ?? value;
    } finally {
      ancestors.pop();
    }
  };
  return { isSecret, mask, replacement: spec.replacement };
}

/** A value a column carries as it is: what JSON and a structured clone both keep exactly. */
function plainValue(value: unknown): boolean {
  const t = typeof value;
  return t === 'string' ? (value as string).length <= DEFAULT_LIMITS.maxString
    : t === 'number' ? Number.isFinite(value) : t === 'boolean' || value === null;
}

/** Positional arguments the worker can format exactly as the page would. */
function plainArgs(args: readonly unknown[]): boolean {
  for (let i = 0; i < args.length; i++) if (!plainValue(args[i])) return false;
  return true;
}

function maskedBy(masking: Masker | null, value: unknown): unknown {
  return masking ? masking.mask(value) : value;
}

function indexIn(list: string[], index: Map<string, number>, value: string): number {
  let at = index.get(value);
  if (at === undefined) {
    at = list.push(value) - 1;
    index.set(value, at);
  }
  return at;
}

/**
 * A record's `created` in whole ms (integers are what JSON writes fastest, and Date.now() gives
 * nothing finer); `fallback` when a filter has put something else than a time there.
 */
function msOf(record: LogRecord, fallback: number): number {
  const ms = Math.round(record.created * 1000);
  return Number.isFinite(ms) ? ms : fallback;
}

/** A column of extra values being filled: the values, and the records they belong to. */
interface Column { values: unknown[]; at: number[] }

/**
 * The page's half: records as one JSON string of columns (see RawBatch). A message whose arguments
 * a column cannot carry exactly is formatted here, so the worker prints what Python would; extra
 * fields are made JSON-safe; values under secret keys are masked here, before they leave the page.
 */
export function encodeBatch(records: LogRecord[], masking: Masker | null): string {
  const n = records.length;
  const prefix = uidPrefix();
  const seqStart = records[0].seq;
  const createdStart = msOf(records[0], Date.now());
  const batch: RawBatch = {
    uidPrefix: prefix, seqStart, createdStart, created: new Array(n), names: [], messages: [], sites: [],
    site: new Array(n), levelnames: {}, argv: [], extra: {},
  };
  const columns = new Map<string, Column>();
  const nameIndex = new Map<string, number>();
  const messageIndex = new Map<string, number>();
  const siteIndex = new Map<string, number>();
  // records from one call site come in runs: the previous name, message, site and extra key are checked first
  let lastName: string | null = null;
  let lastNameAt = 0;
  let lastMessage: string | null = null;
  let lastMessageAt = 0;
  let lastSite: [number, number, number, number] = [NaN, 0, 0, 0];
  let lastSiteAt = 0;
  let lastCreated = createdStart;
  let lastKey: string | null = null;
  let lastColumn: Column = { values: [], at: [] };
  for (let i = 0; i < n; i++) {
    const r = records[i];
    if (r.seq !== seqStart + i && !batch.seqOffsets) batch.seqOffsets = Array.from({ length: i }, (_, k) => k);
    if (batch.seqOffsets) batch.seqOffsets.push(r.seq - seqStart);
    const created = msOf(r, lastCreated);
    batch.created[i] = created - lastCreated;
    lastCreated = created;
    const levelname = batch.levelnames[r.levelno];
    if (levelname === undefined) batch.levelnames[r.levelno] = r.levelname;
    else if (levelname !== r.levelname) (batch.levelname ??= {})[i] = r.levelname;
    if (r.name !== lastName) {
      lastName = r.name;
      lastNameAt = indexIn(batch.names, nameIndex, r.name);
    }

    // a string message with arguments JSON carries exactly goes as it is and the worker merges them;
    // anything else is formatted here
    let message: string | null = null;
    let argc = 0;
    const args = r.args;
    if (typeof r.msg === 'string') {
      if (args === null || args === undefined) message = r.msg;
      else if (Array.isArray(args)) {
        if (plainArgs(args)) {
          message = r.msg;
          argc = args.length;
          for (let a = 0; a < argc; a++) batch.argv.push(args[a]);
        }
      } else if (isPlainJson(args)) {
        message = r.msg;
        argc = -1;
        (batch.mappings ??= {})[i] = maskedBy(masking, args) as Record<string, unknown>;
      }
    }
    if (message === null) message = messageOf(r.msg, args && (maskedBy(masking, args) as LogArgs));
    if (message !== lastMessage) {
      lastMessage = message;
      lastMessageAt = indexIn(batch.messages, messageIndex, message);
    }
    if (r.levelno !== lastSite[0] || lastNameAt !== lastSite[1] || lastMessageAt !== lastSite[2] || argc !== lastSite[3]) {
      lastSite = [r.levelno, lastNameAt, lastMessageAt, argc];
      const key = lastSite.join(' ');
      let at = siteIndex.get(key);
      if (at === undefined) {
        at = batch.sites.push(lastSite) - 1;
        siteIndex.set(key, at);
      }
      lastSiteAt = at;
    }
    batch.site[i] = lastSiteAt;

    const exc = r.exc_text ?? (r.exc_info ? formatError(r.exc_info) : null);
    if (exc !== null) (batch.exc ??= {})[i] = exc;
    if (r.stack_info !== null) (batch.stack ??= {})[i] = r.stack_info;
    const uid = (r as { _uid?: string })._uid;
    if (uid !== undefined && uid !== prefix + r.seq.toString(36)) (batch.uid ??= {})[i] = uid;

    const keys = Object.keys(r);
    for (let k = extraFieldsStart(keys); k < keys.length; k++) {
      const key = keys[k];
      const value = r[key];
      if (value === undefined || STANDARD_FIELDS.has(key)) continue;
      if (key !== lastKey) {
        lastKey = key;
        let column = columns.get(key);
        if (column === undefined) columns.set(key, (column = { values: [], at: [] }));
        lastColumn = column;
      }
      lastColumn.at.push(i);
      lastColumn.values.push(masking && masking.isSecret(key) ? masking.replacement
        : plainValue(value) ? value : maskedBy(masking, toJsonValue(value)));
    }
  }
  for (const [key, column] of columns) {
    // Object.defineProperty: a key like __proto__ stays a plain key of the batch
    Object.defineProperty(batch.extra, key, { value: column.values, enumerable: true, writable: true, configurable: true });
    if (column.at.length < n) Object.defineProperty(batch.extraAt ??= {}, key, { value: column.at, enumerable: true, writable: true, configurable: true });
  }
  return JSON.stringify(batch);
}


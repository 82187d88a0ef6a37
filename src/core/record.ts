// LogRecord: one logging event, with Python's fields, a sequence number and a cheap unique id.
import { getLevelName } from './level.js';
import { formatMessage, hasKeys, isMapping, type Mapping } from './percent-format.js';
import { reportInternalError } from './internal-error.js';
import { PY_TEXT, pyStr, stringRepr } from './repr.js';
import { STANDARD_FIELDS } from './fields.js';

/** Arguments of a logging call: the positional tuple, or one mapping for `%(key)s`. */
export type LogArgs = readonly unknown[] | Mapping;

const startTime = Date.now();
let sequence = 0;

// Date.now() costs 100+ ns in some browsers: within one synchronous task the clock is read once per
// 32 records (the error is the time 32 records take, microseconds, under Date.now's own millisecond
// resolution), and a microtask forgets it, so the next task reads the clock again
let cachedNow = 0;
let cachedUses = 0;
const forgetNow = (): void => { cachedUses = 0; };

/** The clock records read, in ms since the epoch (Date.now, read once per 32 records of a task). */
export function clockMs(): number {
  if (cachedUses === 0) {
    cachedNow = Date.now();
    queueMicrotask(forgetNow);
  } else if ((cachedUses & 31) === 0) {
    cachedNow = Date.now();
  }
  cachedUses++;
  return cachedNow;
}

/** The next record's sequence number; records and record-less calls (Handler.handleCall) share it. */
export function nextSeq(): number {
  return ++sequence;
}

// random bytes are drawn from the runtime 256 at a time: a call into its random source costs more
// than the bytes (an edge request wants 24 for its trace); drawn lazily, nothing at import
const POOL_SIZE = 256;
let pool: Uint8Array | null = null;
let poolAt = POOL_SIZE;

function refill(bytes: Uint8Array): void {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
}

/** Random hex digits, two for each of `byteCount` bytes (at most 256; 8 by default); getRandomValues exists on insecure origins too, where randomUUID does not. */
export function randomId(byteCount = 8): string {
  if (poolAt + byteCount > POOL_SIZE) {
    refill(pool ??= new Uint8Array(POOL_SIZE));
    poolAt = 0;
  }
  let hex = '';
  for (let i = poolAt; i < poolAt + byteCount; i++) hex += (pool as Uint8Array)[i].toString(16).padStart(2, '0');
  poolAt += byteCount;
  return hex;
}

// one random prefix per process (page, worker, isolate) and a counter make ids unique without a
// crypto call per record; the prefix is drawn lazily so nothing runs at import time
let prefix = '';

/** This process's uid prefix; a record's uid is the prefix and its seq in base 36. */
export function uidPrefix(): string {
  if (prefix === '') prefix = randomId() + '-';
  return prefix;
}

function setUid(record: LogRecord, value: string): void {
  Object.defineProperty(record, '_uid', { value, writable: true, enumerable: false, configurable: true });
}

/**
 * One logging event. Fields follow Python's LogRecord; `seq` and `uid` are isolog's.
 * Extra fields given with a call (or set by a filter) are plain properties of the record.
 * @example const r = new LogRecord('app', INFO, '', 0, 'hello %s', ['you'], null); r.getMessage()
 */
export class LogRecord {
  [field: string]: unknown;
  name: string;
  msg: unknown;
  args: LogArgs | null;
  levelno: number;
  levelname: string;
  pathname: string;
  lineno: number;
  funcName: string;
  exc_info: unknown;
  exc_text: string | null;
  stack_info: string | null;
  created: number;
  msecs: number;
  relativeCreated: number;
  seq: number;
  declare uid: string;
  declare message?: string;
  declare asctime?: string;
  declare filename: string;
  declare module: string;
  declare thread: number;
  declare threadName: string;
  declare process: number;
  declare processName: string;
  declare taskName: string | null;

  constructor(name: string, level: number, pathname: string, lineno: number, msg: unknown,
    args: LogArgs | null, excInfo: unknown, func?: string | null, sinfo?: string | null) {
    const ms = clockMs();
    this.name = name;
    this.msg = msg;
    // Python: a single non-empty mapping argument becomes the mapping for %(key)s
    if (Array.isArray(args) && args.length === 1 && isMapping(args[0]) && hasKeys(args[0])) {
      args = args[0] as Mapping;
    }
    this.args = args;
    this.levelno = level;
    this.levelname = getLevelName(level) as string;
    this.pathname = pathname;
    this.lineno = lineno;
    this.funcName = func ?? '(unknown function)';
    this.exc_info = excInfo ?? null;
    this.exc_text = null;
    this.stack_info = sinfo ?? null;
    this.created = ms / 1000;
    this.msecs = ms % 1000;
    this.relativeCreated = ms - startTime;
    this.seq = nextSeq();
    if (pathname !== UNKNOWN_FILE) {
      const base = pathname.slice(pathname.search(/[^/\\]*$/));
      this.filename = base;
      const dot = base.lastIndexOf('.');
      this.module = dot > 0 ? base.slice(0, dot) : base;
    }
  }

  /** The message with its arguments merged by Python's `%` rules. Throws on a mismatch, as Python does. */
  getMessage(): string {
    return formatMessage(this.msg, this.args, PY_TEXT);
  }

  toString(): string {
    return `<LogRecord: ${this.name}, ${this.levelno}, ${this.pathname}, ${this.lineno}, "${pyStr(this.msg)}">`;
  }
}

export const UNKNOWN_FILE = '(unknown file)';

/** Defaults shared by every record, on the prototype so a record does not carry them. */
export const runtimeIdentity = LogRecord.prototype as unknown as {
  filename: string; module: string; thread: number; threadName: string;
  process: number; processName: string; taskName: string | null;
};
// the uid is made when first read (most records on a page never need it as text); a uid set from
// elsewhere (makeLogRecord of a record that crossed a queue) is kept as given
Object.defineProperty(LogRecord.prototype, 'uid', {
  get(this: LogRecord & { _uid?: string }): string {
    if (this._uid === undefined) setUid(this, uidPrefix() + this.seq.toString(36));
    return this._uid as string;
  },
  set(this: LogRecord, value: string) {
    setUid(this, value);
  },
  enumerable: false,
  configurable: true,
});
runtimeIdentity.filename = UNKNOWN_FILE;
runtimeIdentity.module = UNKNOWN_FILE;
runtimeIdentity.thread = 0;
runtimeIdentity.threadName = 'MainThread';
runtimeIdentity.process = 0;
runtimeIdentity.processName = 'MainProcess';
runtimeIdentity.taskName = null;

/**
 * Names the process and thread that records from here carry (`%(processName)s`, `%(threadName)s`).
 * Each runtime entry sets this once; a page is 'MainThread', a worker its own name.
 * @example setRuntimeIdentity({ threadName: 'Worker-1' })
 */
export function setRuntimeIdentity(identity: Partial<typeof runtimeIdentity>): void {
  Object.assign(runtimeIdentity, identity);
}

/**
 * Python's makeRecord refuses an extra field that would overwrite one of the record's own (it
 * raises KeyError); here the refusal is reported and the other fields go on.
 */
export function reportOverwrite(key: string): void {
  reportInternalError(`--- Logging error ---\nKeyError: "Attempt to overwrite ${stringRepr(key)} in LogRecord"\n`);
}

// The constructor sets its fields first, in one order (class fields); what extra(), an adapter or a
// filter adds comes after them among a record's keys
let constructorFields = -1;

/** Where a record's extra fields may begin among its `Object.keys()`. */
export function extraFieldsStart(keys: readonly string[]): number {
  if (constructorFields < 0) {
    constructorFields = Object.keys(new LogRecord('', 0, UNKNOWN_FILE, 0, '', null, null)).length;
    sequence--; // the probe takes no number from the sequence
  }
  // a record whose fields were deleted and set again does not keep that order: every key is read
  return keys[constructorFields - 1] === 'seq' ? constructorFields : 0;
}

/** The extra fields of a record (what `extra`, an adapter or a filter added), or undefined when none. */
export function extraFields(record: LogRecord): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  const keys = Object.keys(record);
  for (let i = extraFieldsStart(keys); i < keys.length; i++) {
    const key = keys[i];
    if (STANDARD_FIELDS.has(key)) continue;
    (out ??= {})[key] = record[key];
  }
  return out;
}

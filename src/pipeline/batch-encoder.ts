// A batch between page and worker, the page's half: a BatchBuilder fills the columns of one batch
// (see RawBatch) on the thread that logs, as each call or record comes, so it is made for speed; at
// the end of the task it becomes one JSON string. The worker's half is batch-decoder.ts.
import { formatError } from '../core/exception.js';
import { getLevelName, levelNamesRevision } from '../core/level.js';
import { hasKeys, isMapping, type Mapping } from '../core/percent-format.js';
import { STANDARD_FIELDS } from '../core/fields.js';
import { clockMs, extraFieldsStart, nextSeq, reportOverwrite, uidPrefix, type LogArgs, type LogRecord } from '../core/record.js';
import { PY_TEXT } from '../core/repr.js';
import { DEFAULT_LIMITS, isPlainJson, toJsonValue } from '../core/serialize.js';
import type { RawBatch } from './protocol.js';
import { messageOf } from './batch-decoder.js';
import type { Masker } from './redact.js';

const { hasOwnProperty } = Object.prototype;

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

/** The value with its secrets masked; a value whose getters throw is masked as its safe copy. */
function maskedBy(masking: Masker | null, value: unknown): unknown {
  if (!masking) return value;
  try {
    return masking.mask(value);
  } catch {
    return masking.mask(toJsonValue(value));
  }
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

/**
 * The type and message of the Error a record's exc_info names (the error, or the value of Python's
 * (type, value, traceback)), for OTLP; null for anything else, or for a getter that throws.
 */
function loggedError(info: unknown): [type: string, message: string] | null {
  try {
    const err = Array.isArray(info) && info.length === 3 ? info[1] : info;
    return err instanceof Error ? [String(err.name), String(err.message)] : null;
  } catch {
    return null;
  }
}

/** The values of one extra key, and the records they belong to (null while every record so far has it). */
interface Column { values: unknown[]; at: number[] | null; secret: boolean; standard: boolean }

/** One call site of the batch: its index in `sites`. */
interface Site { levelno: number; name: string; message: string; argc: number; at: number }

/** How a message travels: as a template with argc arguments in argv (-1: a mapping), or final (0). */
interface Message { text: string; argc: number; args: readonly unknown[] | null; mapping: Mapping | null }

/**
 * The columns of one batch being filled (see RawBatch), a record or a call at a time, then written
 * as one JSON string by finish(). A message whose arguments a column cannot carry exactly is
 * formatted here, so the worker prints what Python would; extra fields are made JSON-safe; values
 * under secret keys are masked here, before they leave the page.
 * @example const b = new BatchBuilder(null); b.addCall('app', INFO, 'hi %s', ['you'], undefined); b.finish()
 */
export class BatchBuilder {
  count = 0;
  private readonly batch: RawBatch;
  private readonly prefix = uidPrefix();
  private lastCreated = 0;
  private readonly levels = levelNamesRevision();
  private readonly columns = new Map<string, Column>();
  private readonly nameIndex = new Map<string, number>();
  private readonly messageIndex = new Map<string, number>();
  private readonly sitesByMessage = new Map<string, Site[]>();
  // records from one call site come in runs: the previous site is checked first
  private lastSite: Site = { levelno: NaN, name: '', message: '', argc: 0, at: 0 };
  // and their extra fields come in the same order: the columns of the previous call's keys, by position
  private readonly fieldKeys: string[] = [];
  private readonly fieldColumns: Column[] = [];
  /** The batch's levels by number, for lookups (the batch carries them as pairs). */
  private readonly levelnames: Record<number, string> = {};
  /** The columns set only for some records, as [record index, value] pairs (see RawBatch). */
  private readonly levelPairs: [number, string][] = [];
  private readonly levelname: [number, string][] = [];
  private readonly mappings: [number, Record<string, unknown>][] = [];
  private readonly exc: [number, string][] = [];
  private readonly stack: [number, string][] = [];
  private readonly uid: [number, string][] = [];
  /** What message() found for the record being added (one object, reused: this runs per call). */
  private readonly pending: Message = { text: '', argc: 0, args: null, mapping: null };

  constructor(private readonly masking: Masker | null) {
    this.batch = {
      uidPrefix: this.prefix, seqStart: 0, count: 0, createdStart: 0, createdSteps: [], names: [], messages: [],
      sites: [], siteRuns: [], levelnames: this.levelPairs, argv: [], extra: {},
    };
  }

  /**
   * A logging call that needs no LogRecord (see Handler.handleCall): what a record made from it
   * would carry, written straight into the columns.
   */
  addCall(name: string, levelno: number, msg: unknown, args: unknown[], fields: Record<string, unknown> | undefined): void {
    // Python: a single non-empty mapping argument is the mapping for %(key)s
    const first = args[0];
    const message = this.message(msg, args.length === 1 && isMapping(first) && hasKeys(first) ? first : args);
    const i = this.begin(nextSeq(), clockMs());
    const known = this.levelnames[levelno];
    // the registered name is looked up only for a new level, or after addLevelName
    if (known === undefined || this.levels !== levelNamesRevision()) {
      const registered = getLevelName(levelno) as string;
      if (known === undefined) this.addLevel(levelno, registered);
      else if (known !== registered) this.levelname.push([i, registered]);
    }
    this.place(i, levelno, name, message);
    if (fields === undefined) return;
    const { fieldKeys, fieldColumns } = this;
    let k = 0;
    // for-in with hasOwnProperty gives Object.keys' keys in its order; V8 runs it from the object's
    // enum cache, without the array Object.keys allocates
    for (const key in fields) {
      if (!hasOwnProperty.call(fields, key)) continue;
      const value = fields[key];
      let column = fieldColumns[k];
      if (fieldKeys[k] !== key) {
        column = this.column(key);
        fieldKeys[k] = key;
        fieldColumns[k] = column;
      }
      k++;
      if (column.standard) reportOverwrite(key);
      else if (value !== undefined) this.addField(column, i, value);
    }
  }

  /** A record as it is after the filters: every field it carries, extras included. */
  add(r: LogRecord): void {
    // every field is read before the first column is written: a getter that throws leaves no half record
    const { levelno, levelname, name, seq, stack_info: stack } = r;
    const message = this.message(r.msg, r.args);
    const exc = r.exc_text ?? (r.exc_info ? formatError(r.exc_info) : null);
    const error = exc === null ? null : loggedError(r.exc_info);
    const uid = (r as { _uid?: string })._uid;
    const keys = Object.keys(r);
    const start = extraFieldsStart(keys);
    const values = keys.map((key, k) => (k < start ? undefined : r[key]));
    const ms = msOf(r, this.count === 0 ? Date.now() : this.lastCreated);

    const i = this.begin(seq, ms);
    // levelnames holds only registered names (calls rely on it); a name a filter gave goes per record
    const known = this.levelnames[levelno];
    if (known === undefined && levelname === getLevelName(levelno)) this.addLevel(levelno, levelname);
    else if ((known ?? getLevelName(levelno)) !== levelname) this.levelname.push([i, levelname]);
    this.place(i, levelno, name, message);
    if (exc !== null) {
      this.exc.push([i, exc]);
      // OTLP names the error logged, which its text prints last (causes come first): said exactly here
      if (error) {
        this.addField(this.column('exception.type'), i, error[0]);
        this.addField(this.column('exception.message'), i, error[1]);
      }
    }
    if (stack !== null) this.stack.push([i, stack]);
    if (uid !== undefined && uid !== this.prefix + seq.toString(36)) this.uid.push([i, uid]);
    for (let k = start; k < keys.length; k++) {
      if (values[k] === undefined) continue;
      const column = this.column(keys[k]);
      if (!column.standard) this.addField(column, i, values[k]);
    }
  }

  /** The batch as the string the worker stores. */
  finish(): string {
    const b = this.batch;
    const n = (b.count = this.count);
    if (this.levelname.length > 0) b.levelname = this.levelname;
    if (this.mappings.length > 0) b.mappings = this.mappings;
    if (this.exc.length > 0) b.exc = this.exc;
    if (this.stack.length > 0) b.stack = this.stack;
    if (this.uid.length > 0) b.uid = this.uid;
    for (const [key, column] of this.columns) {
      const { values } = column;
      if (values.length === 0) continue;
      // Object.defineProperty: a key like __proto__ stays a plain key of the batch
      Object.defineProperty(b.extra, key, { value: values, enumerable: true, writable: true, configurable: true });
      if (values.length < n) {
        const at = column.at ?? Array.from(values, (_, k) => k);
        Object.defineProperty(b.extraAt ??= {}, key, { value: at, enumerable: true, writable: true, configurable: true });
      }
    }
    return JSON.stringify(b);
  }

  private addLevel(levelno: number, levelname: string): void {
    this.levelnames[levelno] = levelname;
    this.levelPairs.push([levelno, levelname]);
  }

  /** Takes the next record index for a record of this seq and time. */
  private begin(seq: number, ms: number): number {
    const b = this.batch;
    const i = this.count++;
    if (i === 0) {
      b.seqStart = seq;
      b.createdStart = ms;
      this.lastCreated = ms;
    } else if (b.seqOffsets) {
      b.seqOffsets.push(seq - b.seqStart);
    } else if (seq !== b.seqStart + i) {
      b.seqOffsets = Array.from({ length: i }, (_, k) => k);
      b.seqOffsets.push(seq - b.seqStart);
    }
    if (ms !== this.lastCreated) {
      // Date.now() is a double: a step left as one would make the column an array of doubles, which
      // JSON.stringify writes several times slower than small integers
      const step = ms - this.lastCreated;
      b.createdSteps.push(i, step === (step | 0) ? step | 0 : step);
      this.lastCreated = ms;
    }
    return i;
  }

  /**
   * A string message with arguments JSON carries exactly goes as it is and the worker merges them;
   * anything else is formatted here. Pushes nothing yet: formatting is what can fail.
   */
  private message(msg: unknown, args: LogArgs | null): Message {
    const m = this.pending;
    m.argc = 0;
    m.args = null;
    m.mapping = null;
    if (typeof msg === 'string') {
      m.text = msg;
      if (args === null || args === undefined) return m;
      if (Array.isArray(args)) {
        if (plainArgs(args)) {
          m.argc = args.length;
          m.args = args;
          return m;
        }
      } else if (isPlainJson(args)) {
        m.argc = -1;
        m.mapping = maskedBy(this.masking, args) as Mapping;
        return m;
      }
    }
    m.text = messageOf(msg, args && (maskedBy(this.masking, args) as LogArgs), PY_TEXT);
    return m;
  }

  /** Writes record i's call site and its arguments. */
  private place(i: number, levelno: number, name: string, message: Message): void {
    const b = this.batch;
    const { text, argc } = message;
    const site = this.lastSite;
    if (site.message !== text || site.name !== name || site.levelno !== levelno || site.argc !== argc) {
      // the previous record's site differs in something, so this record starts a run
      this.lastSite = this.site(levelno, name, text, argc);
      b.siteRuns.push(i, this.lastSite.at);
    }
    if (argc > 0) {
      const argv = b.argv;
      const values = message.args as readonly unknown[];
      for (let a = 0; a < argc; a++) argv.push(values[a]);
    } else if (argc < 0) {
      this.mappings.push([i, message.mapping as Record<string, unknown>]);
    }
  }

  private site(levelno: number, name: string, message: string, argc: number): Site {
    let sites = this.sitesByMessage.get(message);
    if (sites === undefined) this.sitesByMessage.set(message, (sites = []));
    for (const s of sites) if (s.name === name && s.levelno === levelno && s.argc === argc) return s;
    const b = this.batch;
    const nameAt = indexIn(b.names, this.nameIndex, name);
    const messageAt = indexIn(b.messages, this.messageIndex, message);
    const site: Site = { levelno, name, message, argc, at: b.sites.push([levelno, nameAt, messageAt, argc]) - 1 };
    sites.push(site);
    return site;
  }

  private column(key: string): Column {
    let column = this.columns.get(key);
    if (column === undefined) {
      column = { values: [], at: null, secret: this.masking !== null && this.masking.isSecret(key), standard: STANDARD_FIELDS.has(key) };
      this.columns.set(key, column);
    }
    return column;
  }

  private addField(column: Column, i: number, value: unknown): void {
    const { values } = column;
    if (column.at === null && values.length !== i) column.at = Array.from(values, (_, k) => k);
    column.at?.push(i);
    values.push(column.secret ? (this.masking as Masker).replacement
      : plainValue(value) ? value : maskedBy(this.masking, toJsonValue(value)));
  }
}

/** The records as one batch string (see BatchBuilder). */
export function encodeBatch(records: LogRecord[], masking: Masker | null): string {
  const builder = new BatchBuilder(masking);
  for (const r of records) builder.add(r);
  return builder.finish();
}

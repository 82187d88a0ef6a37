// Node file handlers with Python's behaviour: FileHandler, RotatingFileHandler (app.log, app.log.1 …
// .N) and TimedRotatingFileHandler. Writes are synchronous, as Python's are; with `buffered` the
// text waits in memory until flush(), which the collector calls once per batch.
import { closeSync, existsSync, fstatSync, openSync, readdirSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Handler } from '../core/handler.js';
import type { LogRecord } from '../core/record.js';
import { gmtime, localtime, strftime } from '../core/strftime.js';

/** Options shared by the file handlers. */
export interface FileHandlerOptions {
  /** 'a' appends (default), 'w' truncates on open. */
  mode?: 'a' | 'w';
  /** Open the file at the first record instead of now. */
  delay?: boolean;
  /** Keep formatted text in memory until flush() (or 64 KiB), instead of writing each record. */
  buffered?: boolean;
}

const FLUSH_AT = 64 * 1024;

/**
 * Python's `FileHandler`: appends each formatted record and a newline to a file.
 * @example getLogger().addHandler(new FileHandler('app.log'))
 */
export class FileHandler extends Handler {
  readonly baseFilename: string;
  mode: 'a' | 'w';
  readonly delay: boolean;
  readonly buffered: boolean;
  terminator = '\n';
  protected fd: number | null = null;
  protected pending = '';
  /** Bytes in the file plus bytes pending. */
  protected size = 0;

  constructor(filename: string, options: FileHandlerOptions = {}) {
    super();
    this.baseFilename = resolve(filename);
    this.mode = options.mode ?? 'a';
    this.delay = options.delay ?? false;
    this.buffered = options.buffered ?? false;
    if (!this.delay) this.open();
  }

  protected open(): void {
    this.fd = openSync(this.baseFilename, this.mode);
    this.size = fstatSync(this.fd).size;
  }

  emit(record: LogRecord): void {
    try {
      this.write(this.format(record) + this.terminator);
    } catch (err) {
      this.handleError(record, err);
    }
  }

  protected write(text: string): void {
    if (this.fd === null) {
      if (this.closed) return;
      this.open();
    }
    this.pending += text;
    this.size += Buffer.byteLength(text);
    if (!this.buffered || this.pending.length >= FLUSH_AT) this.flush();
  }

  override flush(): void {
    if (this.fd === null || this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    writeSync(this.fd, text);
  }

  override close(): void {
    try {
      this.flush();
      if (this.fd !== null) closeSync(this.fd);
    } finally {
      this.fd = null;
      super.close();
    }
  }
}

/** Options of RotatingFileHandler. */
export interface RotatingFileHandlerOptions extends FileHandlerOptions {
  /** Roll over before a record would take the file to this many bytes; 0 never rolls over. */
  maxBytes?: number;
  /** How many old files to keep (`name.1` … `name.N`); 0 never rolls over. */
  backupCount?: number;
}

/**
 * Python's `RotatingFileHandler`: when the next record would take the file to `maxBytes`, the
 * file becomes `name.1`, `name.1` becomes `name.2` … and `name.N` is deleted.
 * @example new RotatingFileHandler('logs/app.ndjson', { maxBytes: 10_000_000, backupCount: 5 })
 */
export class RotatingFileHandler extends FileHandler {
  readonly maxBytes: number;
  readonly backupCount: number;

  constructor(filename: string, options: RotatingFileHandlerOptions = {}) {
    const maxBytes = options.maxBytes ?? 0;
    super(filename, { ...options, mode: maxBytes > 0 ? 'a' : options.mode });
    this.maxBytes = maxBytes;
    this.backupCount = options.backupCount ?? 0;
  }

  private regularFile = true;

  protected override open(): void {
    super.open();
    // Python checks this on every record; once per open is enough and saves two syscalls a record
    this.regularFile = statSync(this.baseFilename).isFile();
  }

  shouldRollover(text: string): boolean {
    if (this.maxBytes <= 0 || this.backupCount <= 0 || !this.regularFile) return false;
    // an empty file is never rolled over, whatever the size of the record
    return this.size > 0 && this.size + Buffer.byteLength(text) >= this.maxBytes;
  }

  doRollover(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    for (let i = this.backupCount - 1; i > 0; i--) {
      const from = `${this.baseFilename}.${i}`;
      const to = `${this.baseFilename}.${i + 1}`;
      if (existsSync(from)) {
        if (existsSync(to)) unlinkSync(to);
        renameSync(from, to);
      }
    }
    const first = `${this.baseFilename}.1`;
    if (existsSync(first)) unlinkSync(first);
    if (existsSync(this.baseFilename)) renameSync(this.baseFilename, first);
    this.mode = 'a';
    this.size = 0;
    if (!this.delay) this.open();
  }

  override emit(record: LogRecord): void {
    try {
      const text = this.format(record) + this.terminator;
      if (this.fd === null && !this.closed) this.open();
      if (this.shouldRollover(text)) this.doRollover();
      this.write(text);
    } catch (err) {
      this.handleError(record, err);
    }
  }
}

/** Options of TimedRotatingFileHandler, as Python's keyword arguments. */
export interface TimedRotatingFileHandlerOptions extends FileHandlerOptions {
  /** 'S', 'M', 'H', 'D', 'midnight' or 'W0'…'W6' (Monday = 0). */
  when?: string;
  interval?: number;
  backupCount?: number;
  utc?: boolean;
  /** For 'midnight' and 'W#': the time of day to roll over at. */
  atTime?: { hour: number; minute?: number; second?: number };
  /** Seconds since the epoch; tests pass a fake clock. */
  now?: () => number;
}

const UNITS: Record<string, [number, string, RegExp]> = {
  S: [1, '%Y-%m-%d_%H-%M-%S', /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}$/],
  M: [60, '%Y-%m-%d_%H-%M', /^\d{4}-\d{2}-\d{2}_\d{2}-\d{2}$/],
  H: [3600, '%Y-%m-%d_%H', /^\d{4}-\d{2}-\d{2}_\d{2}$/],
  D: [86400, '%Y-%m-%d', /^\d{4}-\d{2}-\d{2}$/],
  MIDNIGHT: [86400, '%Y-%m-%d', /^\d{4}-\d{2}-\d{2}$/],
  W: [604800, '%Y-%m-%d', /^\d{4}-\d{2}-\d{2}$/],
};

/**
 * Python's `TimedRotatingFileHandler`: rolls the file over every `interval` units of `when`; the old
 * file gets the start of its period as a suffix (`app.log.2026-11-22`), and only `backupCount` are kept.
 * @example new TimedRotatingFileHandler('app.log', { when: 'midnight', backupCount: 7 })
 */
export class TimedRotatingFileHandler extends FileHandler {
  readonly when: string;
  readonly interval: number;
  readonly backupCount: number;
  readonly utc: boolean;
  readonly suffix: string;
  private readonly extMatch: RegExp;
  private readonly dayOfWeek: number;
  private readonly atTime?: { hour: number; minute?: number; second?: number };
  private readonly now: () => number;
  rolloverAt: number;

  constructor(filename: string, options: TimedRotatingFileHandlerOptions = {}) {
    // Python counts the first period from the file's mtime; a file that opening creates (or 'w'
    // truncates) was written now, by the handler's clock, which tests replace
    const existing = options.mode !== 'w' && existsSync(filename) ? statSync(filename).mtimeMs / 1000 : null;
    super(filename, options);
    this.when = (options.when ?? 'h').toUpperCase();
    const key = this.when.startsWith('W') ? 'W' : this.when;
    const unit = UNITS[key];
    if (!unit || (key === 'W' && !/^W[0-6]$/.test(this.when))) {
      throw new RangeError(`Invalid rollover interval specified: ${options.when}; use S, M, H, D, midnight or W0-W6`);
    }
    this.dayOfWeek = key === 'W' ? Number(this.when[1]) : 0;
    this.interval = unit[0] * (options.interval ?? 1);
    this.suffix = unit[1];
    this.extMatch = unit[2];
    this.backupCount = options.backupCount ?? 0;
    this.utc = options.utc ?? false;
    this.atTime = options.atTime;
    this.now = options.now ?? (() => Date.now() / 1000);
    this.rolloverAt = this.computeRollover(Math.floor(existing ?? this.now()));
  }

  computeRollover(current: number): number {
    if (this.when !== 'MIDNIGHT' && !this.when.startsWith('W')) return current + this.interval;
    const t = (this.utc ? gmtime : localtime)(current);
    const at = this.atTime;
    const rotateAt = at ? (at.hour * 60 + (at.minute ?? 0)) * 60 + (at.second ?? 0) : 86400;
    let r = rotateAt - ((t.hour * 60 + t.minute) * 60 + t.second);
    let day = t.weekday;
    if (r <= 0) {
      r += 86400;
      day = (day + 1) % 7;
    }
    let result = current + r;
    if (this.when.startsWith('W') && day !== this.dayOfWeek) {
      const daysToWait = day < this.dayOfWeek ? this.dayOfWeek - day : 6 - day + this.dayOfWeek + 1;
      result += daysToWait * 86400;
    }
    return result;
  }

  shouldRollover(): boolean {
    return this.now() >= this.rolloverAt;
  }

  /** Old files beyond backupCount, oldest first. */
  getFilesToDelete(): string[] {
    const dir = dirname(this.baseFilename);
    const prefix = basename(this.baseFilename) + '.';
    const found = readdirSync(dir)
      .filter((name) => name.startsWith(prefix) && this.extMatch.test(name.slice(prefix.length)))
      .sort();
    return found.length <= this.backupCount ? [] : found.slice(0, found.length - this.backupCount).map((n) => join(dir, n));
  }

  doRollover(): void {
    this.flush();
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    const periodStart = this.rolloverAt - this.interval;
    const name = `${this.baseFilename}.${strftime(this.suffix, (this.utc ? gmtime : localtime)(periodStart))}`;
    if (existsSync(name)) unlinkSync(name);
    if (existsSync(this.baseFilename)) renameSync(this.baseFilename, name);
    if (this.backupCount > 0) for (const old of this.getFilesToDelete()) unlinkSync(old);
    this.mode = 'a';
    this.size = 0;
    if (!this.delay) this.open();
    const now = Math.floor(this.now());
    let next = this.computeRollover(now);
    while (next <= now) next += this.interval;
    this.rolloverAt = next;
  }

  override emit(record: LogRecord): void {
    try {
      if (this.shouldRollover()) this.doRollover();
      super.emit(record);
    } catch (err) {
      this.handleError(record, err);
    }
  }
}

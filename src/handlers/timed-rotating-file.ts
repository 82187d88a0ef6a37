// Python's TimedRotatingFileHandler: a FileHandler that rolls its file over every interval of
// time (seconds to weeks, or at midnight), keeping backupCount old files named by their period.
import { closeSync, existsSync, readdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gmtime, localtime, strftime } from '../core/strftime.js';
import { FileHandler, type FileHandlerOptions } from './file.js';

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

  protected override rolloverIfDue(): void {
    if (this.shouldRollover()) this.doRollover();
  }
}

// Formatter: a record to text, with Python's three styles, asctime and exception text.
import { STYLES, type FormatStyle, type StyleName } from './format-style.js';
import type { Mapping } from './percent-format.js';
import { percentFormat } from './percent-format.js';
import { appendDetails, exceptionText } from './plain-format.js';
import { PythonError } from './python-error.js';
import type { LogRecord } from './record.js';
import { localtime, strftime, type TimeParts } from './strftime.js';

/** Options after Python's positional parameters. */
export interface FormatterOptions {
  /** Values for fields a record lacks, as Python's `defaults=`. */
  defaults?: Mapping;
}

/**
 * Python's `logging.Formatter`. `style` is `'%'` (default), `'{'` or `'$'`.
 * @example new Formatter('%(asctime)s %(name)-12s %(levelname)-8s %(message)s', '%m-%d %H:%M')
 * @example new Formatter('{levelname:^9}|{message}', undefined, '{')
 */
export class Formatter {
  static default_time_format = '%Y-%m-%d %H:%M:%S';
  static default_msec_format: string | null = '%s,%03d';
  /** Turns `record.created` (seconds) into broken-down time; set it to `gmtime` for UTC. */
  static converter: (seconds: number) => TimeParts = localtime;
  // Python reads these three through `self`: a formatter's own value, else its class's, so both
  // `Formatter.converter = gmtime` (every formatter) and `formatter.converter = gmtime` (one) work;
  // the accessors are defined below the class
  /** This formatter's converter, else its class's (`localtime` unless set). */
  declare converter: (seconds: number) => TimeParts;
  declare default_time_format: string;
  declare default_msec_format: string | null;
  readonly _style: FormatStyle;
  readonly _fmt: string;
  readonly datefmt: string | null;

  constructor(fmt?: string | null, datefmt?: string | null, style: StyleName = '%', validate = true,
    options: FormatterOptions = {}) {
    const entry = STYLES[style];
    if (!entry) throw new PythonError('ValueError', `Style must be one of: ${Object.keys(STYLES).join(',')}`);
    const [Style, defaultFormat] = entry;
    this._style = new Style(fmt || defaultFormat, options.defaults);
    if (validate) this._style.validate();
    this._fmt = this._style.fmt;
    this.datefmt = datefmt ?? null;
  }

  /** `record.created` as text: `datefmt` through strftime, or Python's `2026-11-22 10:20:30,123`. */
  formatTime(record: LogRecord, datefmt?: string | null): string {
    const t = this.converter(record.created);
    if (datefmt) return strftime(datefmt, t);
    const s = strftime(this.default_time_format, t);
    const msecFormat = this.default_msec_format;
    return msecFormat ? percentFormat(msecFormat, [s, record.msecs]) : s;
  }

  /** The text of an error, its causes and members. Override to change how exceptions read. */
  formatException(excInfo: unknown): string {
    return exceptionText(excInfo);
  }

  formatStack(stackInfo: string): string {
    return stackInfo;
  }

  usesTime(): boolean {
    return this._style.usesTime();
  }

  formatMessage(record: LogRecord): string {
    return this._style.format(record);
  }

  /** Python's Formatter.format: message, asctime if used, the style, then exception and stack text. */
  format(record: LogRecord): string {
    record.message = record.getMessage();
    if (this.usesTime()) record.asctime = this.formatTime(record, this.datefmt);
    return appendDetails(this.formatMessage(record), record, (e) => this.formatException(e), (st) => this.formatStack(st));
  }
}

// read from the formatter's class (a subclass's own static wins); assigned on a formatter, its own
for (const key of ['converter', 'default_time_format', 'default_msec_format']) {
  Object.defineProperty(Formatter.prototype, key, {
    get(this: Formatter) { return (this.constructor as unknown as Record<string, unknown>)[key]; },
    set(this: Formatter, value: unknown) { Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true }); },
    configurable: true,
  });
}

/** Used by a handler without a formatter: `%(message)s`. */
export const defaultFormatter = new Formatter();

/**
 * Python's `BufferingFormatter`: a header, each record through `linefmt`, a footer.
 * @example new BufferingFormatter(new Formatter('%(levelname)s %(message)s'))
 */
export class BufferingFormatter {
  constructor(readonly linefmt: Formatter = defaultFormatter) {}
  formatHeader(_records: LogRecord[]): string { return ''; }
  formatFooter(_records: LogRecord[]): string { return ''; }
  format(records: LogRecord[]): string {
    if (records.length === 0) return '';
    return this.formatHeader(records) + records.map((r) => this.linefmt.format(r)).join('') + this.formatFooter(records);
  }
}

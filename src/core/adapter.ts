// LoggerAdapter: a logger plus context. Python's process(msg, kwargs) hook, and bind() for JS-style
// child loggers that carry fields.
import { CRITICAL, DEBUG, ERROR, getLevelName, INFO, WARNING } from './level.js';
import { LogOptions, type LogKwargs } from './log-options.js';
import type { Logger } from './logger.js';

/**
 * Python's `logging.LoggerAdapter`: every call goes to `logger` after `process(msg, kwargs)`, which
 * by default sets `kwargs.extra` to the adapter's `extra` (or merges, with `mergeExtra`).
 * @example
 * class ConnAdapter extends LoggerAdapter {
 *   process(msg, kwargs) { return [`[${this.extra.connid}] ${msg}`, kwargs]; }
 * }
 */
export class LoggerAdapter<E extends Record<string, unknown> = Record<string, unknown>> {
  constructor(readonly logger: Logger | LoggerAdapter, public extra: E, readonly mergeExtra = false) {}

  /** Returns the message and keyword arguments to log with. Override to change them. */
  process(msg: unknown, kwargs: LogKwargs): [unknown, LogKwargs] {
    kwargs.extra = this.mergeExtra && kwargs.extra ? { ...this.extra, ...kwargs.extra } : this.extra;
    return [msg, kwargs];
  }

  get name(): string { return this.baseLogger().name; }
  /** Python's adapter property: the logger's manager; assigning it sets the logger's (nested adapters too). */
  get manager(): Logger['manager'] { return this.logger.manager; }
  set manager(value: Logger['manager']) { this.logger.manager = value; }

  private baseLogger(): Logger {
    let l: Logger | LoggerAdapter = this.logger;
    while (l instanceof LoggerAdapter) l = l.logger;
    return l;
  }

  isEnabledFor(level: number): boolean { return this.logger.isEnabledFor(level); }
  getEffectiveLevel(): number { return this.logger.getEffectiveLevel(); }
  setLevel(level: number | string): void { this.logger.setLevel(level); }
  hasHandlers(): boolean { return this.logger.hasHandlers(); }
  toString(): string { return `<${this.constructor.name} ${this.logger.name} (${getLevelName(this.getEffectiveLevel())})>`; }

  debug(msg: unknown, ...args: unknown[]): void { this.log(DEBUG, msg, ...args); }
  info(msg: unknown, ...args: unknown[]): void { this.log(INFO, msg, ...args); }
  warning(msg: unknown, ...args: unknown[]): void { this.log(WARNING, msg, ...args); }
  warn(msg: unknown, ...args: unknown[]): void { this.log(WARNING, msg, ...args); }
  error(msg: unknown, ...args: unknown[]): void { this.log(ERROR, msg, ...args); }
  exception(msg: unknown, ...args: unknown[]): void {
    // Python's exception(): exc_info true unless the call says otherwise
    const last = args[args.length - 1];
    if (!(last instanceof LogOptions)) args.push(new LogOptions({ exc_info: true }));
    else if (last.exc_info === undefined) args[args.length - 1] = new LogOptions({ ...last, exc_info: true });
    this.log(ERROR, msg, ...args);
  }
  critical(msg: unknown, ...args: unknown[]): void { this.log(CRITICAL, msg, ...args); }

  log(level: number, msg: unknown, ...args: unknown[]): void {
    if (!this.isEnabledFor(level)) return;
    const last = args[args.length - 1];
    const given: LogKwargs = last instanceof LogOptions ? { ...args.pop() as LogOptions } : {};
    const [processed, kwargs] = this.process(msg, given);
    args.push(new LogOptions(kwargs));
    this.logger.log(level, processed, ...args);
  }

  /**
   * A child adapter whose fields add to (and override) these.
   * @example const reqLog = log.bind({ requestId }); reqLog.info('done')
   */
  bind(fields: Record<string, unknown>): LoggerAdapter {
    return new LoggerAdapter(this.logger, { ...this.extra, ...fields }, true);
  }
}

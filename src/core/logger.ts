// Loggers in a dotted hierarchy with Python's Manager and placeholder rules. Each logger's level
// methods are rebuilt whenever a level, `disabled` or `disable()` changes, so a disabled call is a
// call to an empty function.
import { captureStack, NO_EXC_INFO } from './exception.js';
import { Filterer } from './filter.js';
import { Handler } from './handler.js';
import { checkLevel, CRITICAL, DEBUG, ERROR, getLevelName, INFO, NOTSET, WARNING } from './level.js';
import { LogOptions } from './log-options.js';
import { describeError, reportInternalError } from './internal-error.js';
import { STANDARD_FIELDS } from './fields.js';
import { reportOverwrite, UNKNOWN_FILE, type LogArgs, type LogRecord } from './record.js';
import { createRecord, defaultRecordFactory, type LogRecordFactory } from './record-factory.js';
import { stringRepr } from './repr.js';
import { stderrStream } from './stream-handler.js';

/** A logging method: a message, then `%` arguments, optionally ending in `kwargs()`/`extra()` or an Error. */
export type LogMethod = (msg: unknown, ...args: unknown[]) => void;

const noop: LogMethod = () => {};
/** Python's funcName when it cannot find the caller (and isolog never looks). */
const UNKNOWN_FUNCTION = '(unknown function)';

/** Python's PlaceHolder: stands in the hierarchy for a logger not created yet. */
class PlaceHolder {
  readonly loggerMap = new Set<Logger>();
  constructor(first: Logger) { this.loggerMap.add(first); }
  append(logger: Logger): void { this.loggerMap.add(logger); }
}

/** Counts the `%` conversions a message consumes, to tell a trailing Error argument from a `%s` one. */
function conversionsIn(msg: unknown): number {
  if (typeof msg !== 'string') return 0;
  let count = 0;
  for (let i = msg.indexOf('%'); i >= 0; i = msg.indexOf('%', i + 1)) {
    if (msg[i + 1] === '%') { i++; continue; }
    if (msg[i + 1] === '(') return 1;
    count++;
  }
  return count;
}

/**
 * A class of loggers: Logger or a subclass, made with a name as Python's are.
 * @example const cls: LoggerClass = getLoggerClass(); class Mine extends cls {}
 */
export type LoggerClass = new (name: string, level?: number | string) => Logger;

// the manager a logger being made by Manager.getLogger belongs to: its constructor then does not
// take it for a logger made directly
let adopting: Manager | null = null;
/** Managers made with a root that belongs to another manager: they rebuild when that root changes. */
const treesOf = new WeakMap<Logger, Manager[]>();
/** The global manager, once it exists (the root logger is made before it). */
let globalManager: Manager | undefined;

/**
 * Python's Manager: the registry of loggers and the global `disable` level. `new Manager(root)`
 * makes a tree of its own (Python's tests use `new Manager(null)`); the global one is `manager`.
 * @example const m = new Manager(new RootLogger(WARNING)); m.setLoggerClass(AuditLogger); m.getLogger('audit')
 */
export class Manager {
  readonly loggerDict = new Map<string, Logger | PlaceHolder>();
  /** Python's: the "No handlers could be found" note is given once, when lastResort is null. */
  emittedNoHandlerWarning = false;
  /** The class this manager makes loggers of; null: the global one (setLoggerClass). */
  loggerClass: LoggerClass | null = null;
  /** Python keeps it on the manager and makes records with the global factory (setLogRecordFactory). */
  logRecordFactory: LogRecordFactory | null = null;
  private _disable = NOTSET;
  private readonly all: Logger[] = [];
  /** Loggers made with `new Logger()`: they belong here but not to the tree, and may be collected. */
  private readonly direct = new Set<WeakRef<Logger>>();

  constructor(readonly root: RootLogger | null) {
    if (!root) return;
    this.all.push(root);
    // Python's Manager leaves its root's manager as it was (the global one, a class attribute); the
    // global manager takes the root it is made with, and another manager hears of the root's changes
    if (root.manager === undefined) root.manager = this;
    else treesOf.set(root, [...(treesOf.get(root) ?? []), this]);
  }

  /** Python's `manager.disable`, the level `disable()` sets; assigning it takes effect at once. */
  get disable(): number { return this._disable; }
  set disable(level: number) {
    this._disable = level;
    this.refreshLevels();
  }

  /** Python's Manager.setLoggerClass: loggers this manager makes from now on are of `cls`. */
  setLoggerClass(cls: LoggerClass): void {
    checkLoggerClass(cls);
    this.loggerClass = cls;
  }

  /** Python's Manager.setLogRecordFactory: kept on the manager, as Python keeps it. */
  setLogRecordFactory(factory: LogRecordFactory): void {
    this.logRecordFactory = factory;
  }

  getLogger(name: string): Logger {
    if (typeof name !== 'string') throw new TypeError('A logger name must be a string');
    let rv = this.loggerDict.get(name);
    if (rv instanceof Logger) return rv;
    const cls = this.loggerClass ?? loggerClass;
    let logger: Logger;
    adopting = this;
    try {
      logger = new cls(name);
    } finally {
      adopting = null;
    }
    logger.manager = this;
    this.loggerDict.set(name, logger);
    this.all.push(logger);
    if (rv instanceof PlaceHolder) this.fixupChildren(rv, logger);
    this.fixupParents(logger);
    // a new logger is NOTSET, so no other logger's effective level changes
    logger._rebuild(this.disable);
    return logger;
  }

  private fixupParents(logger: Logger): void {
    const name = logger.name;
    let i = name.lastIndexOf('.');
    let parent: Logger | undefined;
    while (i > 0 && !parent) {
      const prefix = name.slice(0, i);
      const obj = this.loggerDict.get(prefix);
      if (obj === undefined) this.loggerDict.set(prefix, new PlaceHolder(logger));
      else if (obj instanceof Logger) parent = obj;
      else obj.append(logger);
      i = name.lastIndexOf('.', i - 1);
    }
    logger.parent = parent ?? this.root;
  }

  /** @internal A logger made with `new Logger()` belongs to this manager without a place in the tree. */
  _adopt(logger: Logger): void {
    // sweep collected ones now and then, so a loop that makes loggers does not grow the set for ever
    if (this.direct.size >= 64 && (this.direct.size & (this.direct.size - 1)) === 0) {
      for (const ref of this.direct) if (ref.deref() === undefined) this.direct.delete(ref);
    }
    this.direct.add(new WeakRef(logger));
  }

  private fixupChildren(ph: PlaceHolder, logger: Logger): void {
    const name = logger.name;
    for (const child of ph.loggerMap) {
      if (child.parent && !child.parent.name.startsWith(name)) {
        logger.parent = child.parent;
        child.parent = logger;
      }
    }
  }

  /** Every logger that exists (not placeholders), the root first. */
  loggers(): readonly Logger[] {
    return this.all;
  }

  /** Recomputes each logger's threshold and level methods; called whenever a level can have changed. */
  refreshLevels(): void {
    for (const logger of this.all) logger._rebuild(this._disable);
    for (const ref of this.direct) {
      const logger = ref.deref();
      if (logger === undefined) this.direct.delete(ref);
      else logger._rebuild(this._disable);
    }
  }
}

/**
 * Python's `logging.Logger`. Get one with `getLogger(name)`. One made with `new Logger(name)`
 * belongs to the global manager, as in Python, outside the tree: no parent, so only its own
 * handlers (or the last resort) see its records.
 * @example const log = getLogger('app.db'); log.info('connected to %s in %d ms', host, ms)
 */
export class Logger extends Filterer {
  readonly name: string;
  level = NOTSET;
  parent: Logger | null = null;
  propagate = true;
  handlers: Handler[] = [];
  /** Python's `Logger.manager`, the global manager; `Logger.root`, the root logger. */
  static manager: Manager;
  static root: RootLogger;
  private _manager: Manager | undefined;
  private _disabled = false;
  /** Lowest level that passes, all things considered (Infinity when disabled). */
  private _threshold = WARNING;
  /** The fields bind() gave this view of a logger: its records carry them. */
  private declare _bound: Record<string, unknown> | undefined;

  // The level methods are fields, not methods: _rebuild (first called by the constructor) points
  // each at its _debug.._critical or at noop, so a call below the threshold costs one empty call.
  /**
   * Logs at DEBUG: the message, its `%` arguments, then optionally `extra()`/`kwargs()` or an Error.
   * @example log.debug('cache miss for %s after %d ms', key, ms)
   */
  declare debug: LogMethod;
  /**
   * Logs at INFO: the message, its `%` arguments, then optionally `extra()`/`kwargs()` or an Error.
   * @example log.info('order %s paid: %.2f EUR', orderId, total)
   */
  declare info: LogMethod;
  /**
   * Logs at WARNING: the message, its `%` arguments, then optionally `extra()`/`kwargs()` or an Error.
   * @example log.warning('slow call', extra({ ms: 812, route: '/pay' }))
   */
  declare warning: LogMethod;
  /**
   * The same as `warning` (Python keeps `warn` as a deprecated alias).
   * @example log.warn('disk %d%% full', used)
   */
  declare warn: LogMethod;
  /**
   * Logs at ERROR. An Error after the `%` arguments becomes the record's exception: its stack and
   * causes are printed after the message.
   * @example log.error('payment %s failed', orderId, err)
   */
  declare error: LogMethod;
  /**
   * Logs at ERROR with the exception (Python's `exception()`, exc_info true): pass the caught Error
   * last; with none, the record says `NoneType: None` as Python does outside an except block.
   * @example try { await charge(order) } catch (err) { log.exception('charge failed for %s', order.id, err) }
   */
  declare exception: LogMethod;
  /**
   * Logs at CRITICAL: the message, its `%` arguments, then optionally `extra()`/`kwargs()` or an Error.
   * @example log.critical('cannot open %s: giving up', path, err)
   */
  declare critical: LogMethod;
  /**
   * The same as `critical`.
   * @example log.fatal('out of memory')
   */
  declare fatal: LogMethod;

  constructor(name: string, level: number | string = NOTSET) {
    super();
    this.name = name;
    this.level = checkLevel(level);
    const byManager = adopting !== null;
    adopting = null; // a logger a subclass's constructor makes in turn is one made directly
    if (!byManager && globalManager !== undefined) {
      // made directly: Python's Logger.manager is the global one, shared by every instance
      this._manager = globalManager;
      globalManager._adopt(this);
    }
    // a manager that makes this logger rebuilds it again once it has its parent
    this._rebuild(this._manager?.disable ?? NOTSET);
  }

  /** The manager this logger belongs to (the global one unless a Manager of its own made it). */
  get manager(): Manager { return this._manager as Manager; }
  set manager(value: Manager) {
    this._manager = value;
    // Python's tests put a plain object here for a moment: only a number counts as its disable level
    const disable = (value as { disable?: unknown } | undefined)?.disable;
    this._rebuild(typeof disable === 'number' ? disable : NOTSET);
  }

  /** The root logger (Python's `Logger.root`), whichever logger this is. */
  get root(): RootLogger { return Logger.root; }

  get disabled(): boolean { return this._disabled; }
  set disabled(value: boolean) {
    this._disabled = value;
    this.refresh();
  }

  /** Rebuilds the level methods of every logger whose effective level this one's change can move. */
  private refresh(): void {
    const m = this._manager;
    if (m instanceof Manager) m.refreshLevels();
    else this._rebuild(NOTSET);
    const trees = treesOf.get(this);
    if (trees !== undefined) for (const tree of trees) tree.refreshLevels();
  }

  /** @internal Rebuilds the threshold and the level methods. */
  _rebuild(globalDisable: number): void {
    const t = this._disabled ? Infinity : Math.max(this.getEffectiveLevel(), globalDisable + 1);
    this._threshold = t;
    const proto = Logger.prototype;
    this.debug = DEBUG >= t ? proto._debug : noop;
    this.info = INFO >= t ? proto._info : noop;
    this.warning = this.warn = WARNING >= t ? proto._warning : noop;
    this.error = ERROR >= t ? proto._error : noop;
    this.exception = ERROR >= t ? proto._exception : noop;
    this.critical = this.fatal = CRITICAL >= t ? proto._critical : noop;
  }

  /** Sets the level, a number or a registered name ('DEBUG'). */
  setLevel(level: number | string): void {
    this.level = checkLevel(level);
    this.refresh();
  }

  /** The first level set on this logger or an ancestor (the root's if none). */
  getEffectiveLevel(): number {
    for (let logger: Logger | null = this; logger; logger = logger.parent) {
      if (logger.level) return logger.level;
    }
    return NOTSET;
  }

  isEnabledFor(level: number): boolean {
    return level >= this._threshold;
  }

  /** `getLogger('a').getChild('b')` is `getLogger('a.b')`. */
  getChild(suffix: string): Logger {
    const name = this === this.root ? suffix : `${this.name}.${suffix}`;
    return this.manager.getLogger(name);
  }

  /**
   * A view of this logger whose records all carry `fields` (per-call `extra()` adds to and overrides
   * them; binding a view again adds more). The view is a Logger of the same name with the same
   * handlers and filters, and follows this logger's level unless it is given a level of its own.
   * @example const reqLog = getLogger('api').bind({ requestId }); reqLog.info('handled in %d ms', ms)
   */
  bind(fields: Record<string, unknown>): Logger {
    const view: Logger = Object.create(this);
    view._bound = { ...this._bound, ...fields };
    // adopted as a logger made directly: a change of level anywhere rebuilds its level methods too
    const m = this._manager;
    if (m instanceof Manager) m._adopt(view);
    view._rebuild(m instanceof Manager ? m.disable : NOTSET);
    return view;
  }

  /** Loggers whose parent is this one (Python 3.12's getChildren). */
  getChildren(): Set<Logger> {
    return new Set(this.manager.loggers().filter((l) => l.parent === this));
  }

  addHandler(handler: Handler): void {
    if (!this.handlers.includes(handler)) this.handlers.push(handler);
  }

  removeHandler(handler: Handler): void {
    const i = this.handlers.indexOf(handler);
    if (i >= 0) this.handlers.splice(i, 1);
  }

  /** True when this logger or an ancestor it propagates to has a handler. */
  hasHandlers(): boolean {
    for (let c: Logger | null = this; c; c = c.propagate ? c.parent : null) {
      if (c.handlers.length > 0) return true;
    }
    return false;
  }

  /**
   * Logs at any numeric level, a custom one (see `addLevelName`) included; a non-integer level is
   * reported, not thrown.
   * @example addLevelName(25, 'NOTICE'); getLogger('app').log(25, 'config reloaded from %s', path)
   */
  log(level: number, msg: unknown, ...args: unknown[]): void {
    if (typeof level !== 'number' || !Number.isInteger(level)) {
      reportInternalError(`--- Logging error ---\nTypeError: level must be an integer\nMessage: ${stringRepr(String(msg))}\n`);
      return;
    }
    if (level >= this._threshold) this._log(level, msg, args);
  }

  // What _rebuild assigns to the level methods; @internal keeps them out of the published types
  // (stripInternal), where `private` alone would still list their names.
  /** @internal */
  private _debug(msg: unknown, ...args: unknown[]): void { this._log(DEBUG, msg, args); }
  /** @internal */
  private _info(msg: unknown, ...args: unknown[]): void { this._log(INFO, msg, args); }
  /** @internal */
  private _warning(msg: unknown, ...args: unknown[]): void { this._log(WARNING, msg, args); }
  /** @internal */
  private _error(msg: unknown, ...args: unknown[]): void { this._log(ERROR, msg, args); }
  /** @internal */
  private _exception(msg: unknown, ...args: unknown[]): void { this._log(ERROR, msg, args, 0, true); }
  /** @internal */
  private _critical(msg: unknown, ...args: unknown[]): void { this._log(CRITICAL, msg, args); }

  /**
   * @internal Builds and handles a record. The last argument may be `kwargs()`/`extra()`; an Error
   * left over after the `%` conversions becomes the record's exc_info (`log.error('failed', err)`).
   * `args` is the call's own rest array and becomes the record's: it is shortened in place, not
   * copied. `excInfo` is Python's default for exc_info: true for exception().
   */
  _log(level: number, msg: unknown, args: unknown[], stackSkip = 0, excInfo: unknown = null): void {
    let options: LogOptions | undefined;
    let n = args.length;
    if (n > 0) {
      const last = args[n - 1];
      // pop(), not `length = n - 1`: V8 makes setting length a runtime call
      if (last instanceof LogOptions) {
        options = last;
        args.pop();
        n--;
        if (options.exc_info !== undefined) excInfo = options.exc_info;
      }
      // exc_info true asks for the current exception, which JS cannot look up: a trailing Error is it
      if (n > 0 && (excInfo === true || !excInfo) && args[n - 1] instanceof Error && conversionsIn(msg) < n) {
        excInfo = args.pop();
        n--;
      }
    }
    // no Error to be found: Python's sys.exc_info() outside an except block, printed `NoneType: None`
    if (excInfo === true) excInfo = NO_EXC_INFO;
    else if (!excInfo) excInfo = null;
    const stack = options?.stack_info;
    let extra = options?.extra;
    const bound = this._bound;
    if (bound !== undefined) extra = extra ? { ...bound, ...extra } : bound;
    if (excInfo === null && !stack && this.filters.length === 0 && !this._disabled && this.makeRecord === makeRecord && defaultRecordFactory) {
      const sink = this.callSink(level);
      if (sink !== undefined) {
        sink.handleCall(this.name, level, msg, args, extra);
        return;
      }
    }
    let sinfo: string | null = null;
    if (stack) sinfo = captureStack(2 + stackSkip + Math.max(0, (options?.stacklevel ?? 1) - 1));
    const record = this.makeRecord(this.name, level, UNKNOWN_FILE, 0, msg, args, excInfo, UNKNOWN_FUNCTION, extra ?? null, sinfo);
    this.handle(record);
  }

  /**
   * The handler that takes this call without a record (see Handler.handleCall): the only handler up
   * the chain, when it has handleCall, no filters, and its level passes. Otherwise undefined.
   */
  private callSink(level: number): CallSink | undefined {
    let sole: Handler | undefined;
    for (let c: Logger | null = this; c; c = c.propagate ? c.parent : null) {
      const handlers = c.handlers;
      if (handlers.length === 0) continue;
      if (sole !== undefined || handlers.length > 1) return undefined;
      sole = handlers[0];
    }
    return sole?.handleCall !== undefined && sole.filters.length === 0 && level >= sole.level ? sole as CallSink : undefined;
  }

  /**
   * Python's makeRecord, with its parameters in its order: a record from the record factory (see
   * setLogRecordFactory) plus the extra fields; a field that would overwrite one is reported and left
   * out. A subclass may override it; the logger then builds a record for every call.
   * @example class Tagged extends Logger { makeRecord(...a: Parameters<Logger['makeRecord']>) { const r = super.makeRecord(...a); r.tag = 'x'; return r; } }
   */
  makeRecord(name: string, level: number, fn: string, lno: number, msg: unknown, args: LogArgs | null, excInfo: unknown,
    func?: string | null, extraFields?: Record<string, unknown> | null, sinfo?: string | null): LogRecord {
    const record = createRecord(name, level, fn, lno, msg, args, excInfo, func, sinfo);
    if (extraFields) {
      try {
        for (const key of Object.keys(extraFields)) {
          if (STANDARD_FIELDS.has(key) || key in record && Object.hasOwn(record, key)) {
            reportOverwrite(key);
            continue;
          }
          const value = extraFields[key];
          // a field named __proto__ stays a field: assigned, it would replace the record's prototype
          if (key === '__proto__') Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true });
          else record[key] = value;
        }
      } catch (err) {
        // fields behind a Proxy or a getter that throws: the record goes on with what was read
        reportInternalError(`--- Logging error ---\n${describeError(err)}\nwhile reading the extra fields of a record from ${stringRepr(name)}\n`);
      }
    }
    return record;
  }

  /** Applies this logger's filters, then passes the record to the handlers up the hierarchy. */
  handle(record: LogRecord): void {
    if (this._disabled) return;
    let rv: LogRecord | false = record;
    if (this.filters.length > 0) {
      try {
        rv = this.filter(record);
      } catch (err) {
        reportFilterError(err);
        return;
      }
    }
    if (rv) this.callHandlers(rv);
  }

  /** Python's callHandlers: every handler up the chain whose level passes; the last resort if none. */
  callHandlers(record: LogRecord): void {
    let found = 0;
    for (let c: Logger | null = this; c; c = c.propagate ? c.parent : null) {
      const handlers = c.handlers;
      for (let i = 0; i < handlers.length; i++) {
        const h = handlers[i];
        found++;
        if (record.levelno >= h.level) {
          try {
            h.handle(record);
          } catch (err) {
            h.handleError(record, err);
          }
        }
      }
    }
    if (found > 0) return;
    const fallback = lastResort.handler;
    if (fallback) {
      if (record.levelno < fallback.level) return;
      try {
        fallback.handle(record);
      } catch (err) {
        fallback.handleError(record, err);
      }
    } else if (this.manager && !this.manager.emittedNoHandlerWarning) {
      this.manager.emittedNoHandlerWarning = true;
      reportInternalError(`No handlers could be found for logger "${this.name}"`);
    }
  }

  override toString(): string {
    return `<${this.constructor.name} ${this.name} (${getLevelName(this.getEffectiveLevel())})>`;
  }
}

const makeRecord = Logger.prototype.makeRecord;

/** A handler that takes calls without a record. */
type CallSink = Handler & Required<Pick<Handler, 'handleCall'>>;

function reportFilterError(err: unknown): void {
  reportInternalError(`--- Logging error ---\nA filter threw: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}\n`);
}

/** Python's RootLogger: named 'root', WARNING by default. */
export class RootLogger extends Logger {
  constructor(level: number | string = WARNING) {
    super('root', level);
  }
}

/**
 * Python's `_StderrHandler`, the last resort: each record formatted (the bare message) to stderr,
 * which is console.error in a browser. A handler of its own rather than a StreamHandler, so that a
 * page that never makes a StreamHandler does not download one.
 */
class StderrHandler extends Handler {
  // a failure here reaches handleError through handle()
  emit(record: LogRecord): void {
    stderrStream.write(this.format(record));
  }
}

/**
 * Where records go when no handler is found anywhere up the chain (Python's `logging.lastResort`):
 * WARNING and above, the bare message, to stderr. Set `lastResort.handler = null` to drop them.
 */
export const lastResort: { handler: Handler | null } = { handler: null };
lastResort.handler = new StderrHandler(WARNING);

export const root = new RootLogger(WARNING);
export const manager = new Manager(root);
globalManager = manager;
Logger.manager = manager;
Logger.root = root;
manager.refreshLevels();

let loggerClass: LoggerClass = Logger;

function checkLoggerClass(cls: unknown): void {
  if (cls === Logger) return;
  if (typeof cls !== 'function') throw new TypeError('issubclass() arg 1 must be a class');
  if (!(cls.prototype instanceof Logger)) throw new TypeError(`logger not derived from logging.Logger: ${cls.name}`);
}

/**
 * Python's `logging.setLoggerClass`: loggers made by `getLogger` from now on are of `cls`, Logger or
 * a subclass (anything else is a TypeError); loggers that exist keep their class.
 * @example class AuditLogger extends Logger { audit(msg: string) { this.log(25, msg); } } setLoggerClass(AuditLogger)
 */
export function setLoggerClass(cls: LoggerClass): void {
  checkLoggerClass(cls);
  loggerClass = cls;
}

/**
 * Python's `logging.getLoggerClass`: the class `getLogger` makes loggers of.
 * @example class MyLogger extends getLoggerClass() {}
 */
export function getLoggerClass(): LoggerClass {
  return loggerClass;
}

// Python's `not name`: None, '', 0, False and empty containers name the root
function isFalsy(name: unknown): boolean {
  if (!name) return true;
  if (Array.isArray(name)) return name.length === 0;
  if (name instanceof Map || name instanceof Set) return name.size === 0;
  if (ArrayBuffer.isView(name)) return name.byteLength === 0;
  return Object.getPrototypeOf(name) === Object.prototype && Object.keys(name).length === 0;
}

/**
 * Python's `logging.getLogger`: the same name always gives the same logger; no name (or '' or
 * 'root') gives the root logger.
 * @example const log = getLogger('app.http')
 */
export function getLogger(name?: string | null): Logger {
  if (typeof name === 'string') return name === '' || name === root.name ? root : manager.getLogger(name);
  // a name that is not a string: the root when Python's `not name` holds, else a TypeError, as Python's
  if (isFalsy(name)) return root;
  return manager.getLogger(name as unknown as string);
}

/**
 * Python's `logging.disable(level)`: every call at `level` or below is dropped, whatever the
 * loggers say. `disable(NOTSET)` undoes it.
 * @example disable(INFO)
 */
export function disable(level: number | string = CRITICAL): void {
  manager.disable = checkLevel(level);
}

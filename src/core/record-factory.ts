// Python's setLogRecordFactory: the one place every LogRecord is made, so an app's factory sees each
// record (Logger.makeRecord, makeLogRecord, the records isolog makes for its own reports).
import { LogRecord as LogRecordClass, type LogArgs, type LogRecord } from './record.js';

/**
 * Makes a record from LogRecord's arguments: a function, or a class (called with `new`).
 * @example const tagging: LogRecordFactory = (...a) => Object.assign(new LogRecord(...a), { tag: 'x' })
 */
export type LogRecordFactory = (name: string, level: number, pathname: string, lineno: number, msg: unknown,
  args: LogArgs | null, excInfo: unknown, func?: string | null, sinfo?: string | null) => LogRecord;

type RecordClass = new (...args: Parameters<LogRecordFactory>) => LogRecord;

/**
 * The default factory, what `getLogRecordFactory()` gives until one is set: a function, so the
 * Python idiom `oldFactory(...args)` works, and a constructor (`new`, `extends`), so it also stands
 * for LogRecord where Python code expects a class.
 */
export const logRecordFactory = function LogRecord(this: unknown, ...args: Parameters<LogRecordFactory>): LogRecord {
  // new.target is the subclass when a class extends the factory; a plain call makes a LogRecord
  return Reflect.construct(LogRecordClass, args, new.target ?? LogRecordClass) as LogRecord;
} as unknown as LogRecordFactory & RecordClass;
logRecordFactory.prototype = LogRecordClass.prototype;

let current: LogRecordFactory | RecordClass = logRecordFactory;
// explicit parameters, not rest and spread: this is every record's path, and spreading allocates
const direct: LogRecordFactory = (name, level, pathname, lineno, msg, args, excInfo, func, sinfo) =>
  new LogRecordClass(name, level, pathname, lineno, msg, args, excInfo, func, sinfo);
/** How records are made now: straight `new LogRecord` by default, else through the app's factory. */
let make: LogRecordFactory = direct;

/** False once an app set its own factory: the logger then builds a record for every call. */
export let defaultRecordFactory = true;

// a class cannot be called without new, and a function made with => cannot be called with it
function isClass(fn: LogRecordFactory | RecordClass): boolean {
  if (fn === LogRecordClass || fn.prototype instanceof LogRecordClass) return true;
  try {
    return /^class[\s{]/.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

/**
 * Python's `logging.setLogRecordFactory`: every record is made by `factory`, called with
 * LogRecord's arguments (name, level, pathname, lineno, msg, args, exc_info, func, sinfo). A class
 * (LogRecord or a subclass) is constructed with `new`; anything else is called. Passing LogRecord
 * restores the default.
 * @example
 * const old = getLogRecordFactory();
 * setLogRecordFactory((...args) => Object.assign(old(...args), { region: 'eu-1' }));
 */
export function setLogRecordFactory(factory: LogRecordFactory | RecordClass): void {
  if (typeof factory !== 'function') throw new TypeError(`a record factory must be a function or a class, not ${typeof factory}`);
  defaultRecordFactory = factory === logRecordFactory || factory === LogRecordClass;
  // LogRecord itself (Python's way to restore the default) gives back the callable default
  current = defaultRecordFactory ? logRecordFactory : factory;
  if (defaultRecordFactory) make = direct;
  else if (isClass(factory)) {
    const cls = factory as RecordClass;
    make = (name, level, pathname, lineno, msg, args, excInfo, func, sinfo) =>
      new cls(name, level, pathname, lineno, msg, args, excInfo, func, sinfo);
  } else {
    make = factory as LogRecordFactory;
  }
}

/**
 * Python's `logging.getLogRecordFactory`: the factory records are made with now.
 * @example const old = getLogRecordFactory(); const r = old('app', 20, '', 0, 'hi', [], null)
 */
export function getLogRecordFactory(): LogRecordFactory & RecordClass {
  return current as LogRecordFactory & RecordClass;
}

/** A record made by the current factory; isolog's code makes every record through this. */
export function createRecord(name: string, level: number, pathname: string, lineno: number, msg: unknown,
  args: LogArgs | null, excInfo: unknown, func?: string | null, sinfo?: string | null): LogRecord {
  return make(name, level, pathname, lineno, msg, args, excInfo, func, sinfo);
}

/**
 * Python's `makeLogRecord`: a record from a plain object, as one that crossed a queue or a socket,
 * made by the current factory (with Python's arguments: no name, no level) and then given the fields.
 * @example makeLogRecord({ name: 'app', levelno: 20, levelname: 'INFO', msg: 'hi' })
 */
export function makeLogRecord(fields: Record<string, unknown>): LogRecord {
  // the default record starts as before ('' and 0, which plain-data code expects); a factory of the
  // app's own gets what Python passes it
  const record = defaultRecordFactory
    ? new LogRecordClass('', 0, '', 0, '', [], null, null)
    : make(null as unknown as string, null as unknown as number, '', 0, '', [], null, null);
  for (const key of Object.keys(fields)) {
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') continue;
    record[key] = fields[key];
  }
  return record;
}

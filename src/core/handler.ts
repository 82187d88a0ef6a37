// Handler: where records go. Emitting never throws into the app; failures go to handleError.
import { Filterer } from './filter.js';
import type { Formatter } from './formatter.js';
import { checkLevel, getLevelName, NOTSET } from './level.js';
import { describeError, reportInternalError } from './internal-error.js';
import { formatPlain } from './plain-format.js';
import { pyRepr, toTuple } from './repr.js';
import type { LogRecord } from './record.js';

// every live handler, in creation order, so shutdown() can flush and close them (Python's _handlerList)
const liveHandlers = new Set<Handler>();

// Python 3.12's _handlers (handlers by name) is the live handlers read by name: the one named
// last wins, and a closed one is gone
let namings = 0;
const namedAt = new WeakMap<Handler, number>();

/**
 * Python 3.12's `logging.getHandlerByName`: the handler of that name (configure() names each after
 * its key), or null.
 * @example configure({ version: 1, handlers: { console: { class: 'ConsoleHandler' } } }); getHandlerByName('console')
 */
export function getHandlerByName(name: string): Handler | null {
  let found: Handler | null = null;
  for (const h of liveHandlers) if (h.name === name && (found === null || namedAt.get(h)! > namedAt.get(found)!)) found = h;
  return found;
}

/**
 * Python 3.12's `logging.getHandlerNames`: the names of every named handler not yet closed.
 * @example [...getHandlerNames()].sort()
 */
export function getHandlerNames(): ReadonlySet<string> {
  const names = new Set<string>();
  for (const h of liveHandlers) if (h.name) names.add(h.name);
  return names;
}

/** Handlers not yet closed, oldest first. */
export function allHandlers(): Handler[] {
  return [...liveHandlers];
}

/** Python's `Message: %r\nArguments: %s` lines for a record whose handling failed. */
export function describeRecordForError(record: LogRecord): string {
  const args = record.args;
  // the positional arguments print as Python's tuple; a mapping as a dict; none as None
  return `Message: ${pyRepr(record.msg)}\nArguments: ${pyRepr(Array.isArray(args) ? toTuple(args) : args)}\n`;
}

/**
 * Python's `logging.Handler`. Subclasses implement `emit(record)`; `handle` applies the level
 * check done by the logger, the handler's filters, then emit.
 * @example class ArrayHandler extends Handler { lines: string[] = []; emit(r: LogRecord) { this.lines.push(this.format(r)); } }
 */
export abstract class Handler extends Filterer {
  level: number;
  formatter: Formatter | null = null;
  private _name: string | null = null;
  protected closed = false;

  constructor(level: number | string = NOTSET) {
    super();
    this.level = checkLevel(level);
    liveHandlers.add(this);
  }

  /** The handler's name; a named handler is found by getHandlerByName, as in Python 3.12. */
  get name(): string | null { return this._name; }
  set name(name: string | null) { this.set_name(name); }

  get_name(): string | null { return this._name; }
  set_name(name: string | null): void {
    this._name = name;
    namedAt.set(this, ++namings);
  }

  setLevel(level: number | string): void {
    this.level = checkLevel(level);
  }

  setFormatter(formatter: Formatter | null): void {
    this.formatter = formatter;
  }

  /** The formatter's text of the record; without one, Python's default `%(message)s` and the exception. */
  format(record: LogRecord): string {
    return this.formatter ? this.formatter.format(record) : formatPlain(record);
  }

  /** Filters, then emits. Returns the record that was emitted, or false when a filter dropped it. */
  handle(record: LogRecord): LogRecord | false {
    const rv = this.filters.length === 0 ? record : this.filter(record);
    if (rv) {
      try {
        this.emit(rv);
      } catch (err) {
        this.handleError(rv, err);
      }
    }
    return rv;
  }

  abstract emit(record: LogRecord): void;

  /**
   * Takes a logging call without a LogRecord. Optional: a handler that only ships what a call gives
   * (the page's queue handler) implements it, and a logger calls it instead of handle() when this
   * handler is the only one the call reaches and nothing could see the record: no logger or handler
   * filter, no exception, no stack. It must ship what handle() would, and never throw.
   */
  handleCall?(name: string, levelno: number, msg: unknown, args: unknown[], fields: Record<string, unknown> | undefined): void;

  flush(): void | Promise<void> {}

  close(): void | Promise<void> {
    this.closed = true;
    liveHandlers.delete(this);
  }

  /**
   * Reports a failure to emit, as Python's handleError does: `--- Logging error ---`, the error,
   * the message and its arguments. Never throws, and logging goes on.
   */
  handleError(record: LogRecord, error?: unknown): void {
    try {
      reportInternalError(`--- Logging error ---\n${describeError(error)}\n${describeRecordForError(record)}`);
    } catch {
      /* the report itself failed; nothing is left to tell */
    }
  }

  override toString(): string {
    return `<${this.constructor.name} (${getLevelName(this.level)})>`;
  }
}

// Python's keyword arguments to a logging call (exc_info, stack_info, stacklevel, extra), passed in JS
// as a marked last argument so that it can never be mistaken for a `%s` argument.

/** The keyword arguments of one logging call. */
export interface LogKwargs {
  /** An Error to print with the record (Python's exc_info). */
  exc_info?: unknown;
  /** Capture the stack of the call (Python's stack_info). */
  stack_info?: boolean;
  /** Frames to skip when capturing the stack. */
  stacklevel?: number;
  /** Structured fields merged into the record (Python's extra). */
  extra?: Record<string, unknown>;
}

/** The marker class; create instances with `kwargs()` or `extra()`. */
export class LogOptions implements LogKwargs {
  declare exc_info?: unknown;
  declare stack_info?: boolean;
  declare stacklevel?: number;
  declare extra?: Record<string, unknown>;
  constructor(options: LogKwargs) {
    // only what is given becomes a field: extra() makes a one-field object, the common case kept cheap
    if (options.exc_info !== undefined) this.exc_info = options.exc_info;
    if (options.stack_info !== undefined) this.stack_info = options.stack_info;
    if (options.stacklevel !== undefined) this.stacklevel = options.stacklevel;
    if (options.extra !== undefined) this.extra = options.extra;
  }
}

/**
 * Python's keyword arguments for one call, as the last argument.
 * @example log.error('upload of %s failed', name, kwargs({ exc_info: err, extra: { size } }))
 */
export function kwargs(options: LogKwargs): LogOptions {
  return new LogOptions(options);
}

/**
 * Structured fields for one call, as the last argument: they become fields of the record,
 * usable as `%(userId)s` in a format and sent as attributes.
 * @example log.info('user %s signed in', name, extra({ userId: 42 }))
 */
export function extra(fields: Record<string, unknown>): LogOptions {
  const options = new LogOptions(NO_OPTIONS);
  options.extra = fields;
  return options;
}

const NO_OPTIONS: LogKwargs = {};

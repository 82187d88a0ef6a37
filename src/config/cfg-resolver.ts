// What configure() resolves inside a configuration, as Python's BaseConfigurator does: `cfg://`
// references into the configuration itself, `ext://` names of outside objects (from a registry,
// where Python imports a module), and `'()'` factories, classes or functions.
import { ConfigError } from './config-error.js';
import { Filter, type FilterLike } from '../core/filter.js';
import { Formatter } from '../core/formatter.js';
import { stderrStream, stdoutStream } from '../core/stream-handler.js';
import { pyRepr } from '../core/repr.js';

type Options = Record<string, unknown>;

const externals = new Map<string, unknown>([
  ['sys.stderr', stderrStream],
  ['sys.stdout', stdoutStream],
  ['console', stdoutStream],
]);

/**
 * Names an object for `ext://name` in a configuration (Python imports the module; JavaScript has no
 * import by name at run time). `sys.stderr`, `sys.stdout` and `console` are there already.
 * @example registerExternal('app.auditQueue', queue); configure({ version: 1, handlers: { q: { class: 'QueueHandler', queue: 'ext://app.auditQueue' } } })
 */
export function registerExternal(name: string, value: unknown): void {
  externals.set(name, value);
}

/** A Python error inside a ConfigError: the message says Python's words, then what to change. */
export class ResolveError extends Error {
  constructor(readonly pythonText: string, readonly hint: string) {
    super(pythonText);
  }
}

const CONVERSION = /^([a-z]+):\/\/(.*)$/s;
const WORD = /^\s*(\w+)\s*/;
const DOT = /^\.\s*(\w+)\s*/;
const INDEX = /^\[([^[\]]*)\]\s*/;
const DIGITS = /^\d+$/;

function keyError(key: string | number): ResolveError {
  return new ResolveError(`KeyError: ${pyRepr(key)}`, 'check the path after cfg:// against the configuration');
}

function step(node: unknown, key: string | number): unknown {
  if (Array.isArray(node)) {
    if (typeof key !== 'number') throw new ResolveError('TypeError: list indices must be integers or slices, not str', 'index a list with a number: [0]');
    if (key >= node.length) throw new ResolveError('IndexError: list index out of range', `the list has ${node.length} items`);
    return node[key];
  }
  if (node instanceof Map) {
    if (!node.has(key)) throw keyError(key);
    return node.get(key);
  }
  if (node !== null && typeof node === 'object' && Object.hasOwn(node, String(key))) return (node as Options)[String(key)];
  throw keyError(key);
}

/** Python's cfg_convert: `handlers.email[toaddrs][0]`, read from the whole configuration. */
function cfgConvert(path: string, whole: Options): unknown {
  let m = WORD.exec(path);
  if (m === null) throw new ResolveError(`ValueError: Unable to convert ${pyRepr(path)}`, 'cfg:// is followed by a key of the configuration, as cfg://handlers.email[toaddrs][0]');
  let rest = path.slice(m[0].length);
  let node = step(whole, m[1]);
  while (rest) {
    if ((m = DOT.exec(rest)) !== null) {
      node = step(node, m[1]);
    } else if ((m = INDEX.exec(rest)) !== null) {
      const idx = m[1];
      // Python tries a number first, then the text as a key
      node = DIGITS.test(idx) && Array.isArray(node) ? step(node, Number(idx)) : step(node, idx);
    } else {
      throw new ResolveError(`ValueError: Unable to convert ${pyRepr(path)} at ${pyRepr(rest)}`, 'use .key or [key] after the first key');
    }
    rest = rest.slice(m[0].length);
  }
  return node;
}

function extConvert(name: string): unknown {
  if (externals.has(name)) return externals.get(name);
  throw new ResolveError(`ValueError: Cannot resolve ${pyRepr(name)}`, `register it first: registerExternal(${JSON.stringify(name)}, value)`);
}

/** A configuration value with `cfg://` and `ext://` strings resolved, in nested lists and objects too. */
export function convert(value: unknown, whole: Options, depth = 0): unknown {
  if (typeof value === 'string') {
    const m = CONVERSION.exec(value);
    if (m === null) return value;
    if (m[1] === 'cfg') return convert(cfgConvert(m[2], whole), whole, depth + 1);
    if (m[1] === 'ext') return extConvert(m[2]);
    return value;
  }
  // a cfg:// that refers to itself would not end
  if (depth > 32) throw new ResolveError('RecursionError: maximum recursion depth exceeded', 'a cfg:// reference leads back to itself');
  if (Array.isArray(value)) return value.map((v) => convert(v, whole, depth + 1));
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Options = {};
    for (const key of Object.keys(value)) out[key] = convert((value as Options)[key], whole, depth + 1);
    return out;
  }
  return value;
}

type Callable = (...args: unknown[]) => unknown;
type Constructor = new (...args: unknown[]) => unknown;

/** A class must be called with `new`; Formatter, Filter and Handler subclasses, or any `class`. */
export function isClass(fn: unknown): fn is Constructor {
  if (typeof fn !== 'function') return false;
  if (fn.prototype instanceof Formatter || fn === Formatter || fn.prototype instanceof Filter || fn === Filter) return true;
  try {
    return /^class[\s{]/.test(Function.prototype.toString.call(fn));
  } catch {
    return false;
  }
}

/**
 * Python's configure_custom: `'()'` (a class, a function, or an `ext://` name of one) called with the
 * other keys. JavaScript has no keyword arguments: a Formatter subclass gets Formatter's parameters
 * in order (format, datefmt, style, validate, { defaults }), a Filter subclass its name, and any
 * other class or function one object of the keys.
 */
export function callFactory(factory: unknown, options: Options, what: string): unknown {
  let made = typeof factory === 'string' ? extConvert(factory.replace(/^ext:\/\//, '')) : factory;
  if (typeof made !== 'function') {
    throw new ResolveError(`TypeError: ${pyRepr(made)} is not callable`, `"()" must be a class or a function that makes the ${what}`);
  }
  if (isClass(made)) {
    const cls = made;
    if (cls === Formatter || cls.prototype instanceof Formatter) {
      return new cls(options.format ?? options.fmt, options.datefmt, options.style ?? '%',
        options.validate ?? true, options.defaults === undefined ? undefined : { defaults: options.defaults });
    }
    if (cls === Filter || cls.prototype instanceof Filter) return new cls(options.name ?? '');
    return new cls(options);
  }
  made = (made as Callable)(options);
  return made;
}

/** Python's add_filters rule: a filter is a function, an object with filter(), or a name from `filters`. */
export function filterFrom(f: unknown, known: Map<string, FilterLike>): FilterLike {
  if (typeof f === 'function') return f as FilterLike;
  if (f !== null && typeof f === 'object' && typeof (f as { filter?: unknown }).filter === 'function') return f as FilterLike;
  const found = typeof f === 'string' ? known.get(f) : undefined;
  if (found !== undefined) return found;
  const names = [...known.keys()];
  const cause = typeof f === 'object' && f !== null && !Array.isArray(f) && !(f instanceof Map) ? `TypeError: unhashable type: 'dict'` : `KeyError: ${pyRepr(f)}`;
  throw new ResolveError(`Unable to add filter ${pyRepr(f)}: ${cause}`,
    `give the name of a filter under "filters"${names.length ? ` (${names.map((n) => `"${n}"`).join(', ')})` : ''}, an object with filter(record), or a function`);
}

/** The ConfigError for a Python refusal: where, Python's words, and the hint. */
export function configErrorFrom(err: unknown, path: string, pythonHead: string): Error {
  if (err instanceof ResolveError) return new ConfigError(`${path}: ${pythonHead}: ${err.pythonText}; ${err.hint}`, { cause: err });
  return err as Error;
}

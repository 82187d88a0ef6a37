// Python's printf-style `%` operator on strings, as LogRecord.getMessage and the `%` Formatter style use it.
import { exponentDigits, fixedDigits, generalDigits, nonFinite } from './number-format.js';
import { PythonError } from './python-error.js';
import { escapeChar, PY_TEXT, pyTypeName, stringRepr, type ValueText } from './repr.js';

/** Object that `%(key)s` reads from; any plain object serves. */
export type Mapping = Record<string, unknown>;

/** What Python would treat as a Mapping: a plain object or a Map, not an array, error or date. */
export function isMapping(value: unknown): value is Mapping {
  if (typeof value !== 'object' || value === null) return false;
  if (value instanceof Map) return true;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function lookup(mapping: unknown, key: string): unknown {
  if (mapping instanceof Map) {
    if (!mapping.has(key)) throw new PythonError('KeyError', stringRepr(key));
    return mapping.get(key);
  }
  const m = mapping as Mapping;
  if (!(key in m)) throw new PythonError('KeyError', stringRepr(key));
  return m[key];
}

function toInteger(value: unknown, conv: string): bigint | number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return value;
  if (typeof value === 'number') {
    if (conv === 'x' || conv === 'X' || conv === 'o') {
      if (!Number.isInteger(value)) throw new TypeError(`%${conv} format: an integer is required, not float`);
      return value;
    }
    if (Number.isNaN(value)) throw new PythonError('ValueError', 'cannot convert float NaN to integer');
    if (!Number.isFinite(value)) throw new PythonError('OverflowError', 'cannot convert float infinity to integer');
    return Math.trunc(value);
  }
  const what = conv === 'x' || conv === 'X' || conv === 'o' ? 'an integer' : 'a real number';
  throw new TypeError(`%${conv} format: ${what} is required, not ${pyTypeName(value)}`);
}

function toFloat(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  throw new TypeError(`must be real number, not ${pyTypeName(value)}`);
}

/** Parsed `%` conversion flags. */
export interface Flags { left: boolean; plus: boolean; space: boolean; alt: boolean; zero: boolean }

function signOf(negative: boolean, flags: Flags): string {
  return negative ? '-' : flags.plus ? '+' : flags.space ? ' ' : '';
}

/** Pads a number's digits to the width, zeros going between sign/prefix and digits. */
function padNumber(sign: string, body: string, width: number, flags: Flags): string {
  const len = sign.length + body.length;
  if (len >= width) return sign + body;
  if (flags.left) return sign + body + ' '.repeat(width - len);
  if (flags.zero) return sign + '0'.repeat(width - len) + body;
  return ' '.repeat(width - len) + sign + body;
}

function formatInteger(value: unknown, conv: string, flags: Flags, width: number, precision: number): string {
  const n = toInteger(value, conv);
  const negative = n < 0;
  const abs = negative ? -n : n;
  let digits: string;
  let prefix = '';
  if (conv === 'x' || conv === 'X') {
    digits = abs.toString(16);
    if (conv === 'X') digits = digits.toUpperCase();
    if (flags.alt) prefix = conv === 'X' ? '0X' : '0x';
  } else if (conv === 'o') {
    digits = abs.toString(8);
    if (flags.alt) prefix = '0o';
  } else {
    // past 2**53 String() gives the shortest digits that read back (2**60 -> ...847000); Python's int has them all
    digits = typeof abs === 'number' && abs > Number.MAX_SAFE_INTEGER ? BigInt(abs).toString() : abs.toString();
  }
  if (precision >= 0 && digits.length < precision) digits = '0'.repeat(precision - digits.length) + digits;
  return padNumber(signOf(negative, flags) + prefix, digits, width, flags);
}

function formatFloat(value: unknown, conv: string, flags: Flags, width: number, precision: number): string {
  const x = toFloat(value);
  const upper = conv === conv.toUpperCase();
  const negative = x < 0 || Object.is(x, -0);
  const abs = Math.abs(x);
  const p = precision < 0 ? 6 : precision;
  const special = nonFinite(x, upper);
  let body: string;
  if (special) body = special;
  else if (conv === 'f' || conv === 'F') body = fixedDigits(abs, p) + (flags.alt && p === 0 ? '.' : '');
  else if (conv === 'e' || conv === 'E') body = exponentDigits(abs, p, upper, flags.alt);
  else body = generalDigits(abs, p, upper, flags.alt);
  const sign = signOf(negative && !Number.isNaN(x), flags);
  return padNumber(sign, body, width, special ? { ...flags, zero: false } : flags);
}

// Python counts a str in code points, JS in UTF-16 units: a character outside the BMP (an emoji) is
// one to Python and two here, so widths and precisions count code points when a string has any
const SURROGATE = /[\ud800-\udfff]/;

/** Python's len() of a str. */
export function codePointLength(text: string): number {
  return SURROGATE.test(text) ? [...text].length : text.length;
}

/** Python's `text[:n]`: never splits a character into halves. */
export function codePointSlice(text: string, n: number): string {
  return SURROGATE.test(text) ? [...text].slice(0, n).join('') : text.slice(0, n);
}

function padText(text: string, width: number, left: boolean): string {
  // a string of at least twice width UTF-16 units has at least width code points: nothing to count
  const length = width > text.length / 2 ? codePointLength(text) : width;
  if (length >= width) return text;
  return left ? text + ' '.repeat(width - length) : ' '.repeat(width - length) + text;
}

/** Formats one argument for one conversion character, values becoming text through `as`. */
function convertOne(value: unknown, conv: string, flags: Flags, width: number, precision: number, as: ValueText): string {
  switch (conv) {
    case 's': case 'r': case 'a': {
      let text = conv === 's' ? as.str(value) : conv === 'r' ? as.repr(value) : asciiRepr(value, as);
      if (precision >= 0) text = codePointSlice(text, precision);
      return padText(text, width, flags.left);
    }
    case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
      return formatInteger(value, conv, flags, width, precision);
    case 'e': case 'E': case 'f': case 'F': case 'g': case 'G':
      return formatFloat(value, conv, flags, width, precision);
    case 'c': {
      let ch: string;
      if (typeof value === 'number' && Number.isInteger(value)) {
        if (value < 0 || value > 0x10ffff) throw new OverflowErrorRange();
        ch = String.fromCodePoint(value);
      } else if (typeof value === 'string' && codePointLength(value) === 1) {
        ch = value;
      } else {
        throw new TypeError("%c requires int or char");
      }
      return padText(ch, width, flags.left);
    }
  }
  throw new PythonError('ValueError', `unsupported format character '${conv}'`);
}

class OverflowErrorRange extends PythonError {
  constructor() { super('OverflowError', '%c arg not in range(0x110000)'); }
}

/** Python's ascii(): repr with every character past ASCII escaped. */
export function asciiRepr(value: unknown, as: ValueText): string {
  return typeof value === 'string' ? stringRepr(value, true)
    : as.repr(value).replace(/[^\x00-\x7f]/gu, (ch) => escapeChar(ch.codePointAt(0) as number));
}

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/**
 * `fmt % args` as Python computes it. `args` is the tuple of positional arguments, or a single
 * mapping (Python's `'%(key)s' % {...}`). Throws Python's TypeError/ValueError/KeyError on a mismatch.
 * @example percentFormat('%-5s|%03d', ['ab', 7]) === 'ab   |007'
 */
export function percentFormat(fmt: string, args: readonly unknown[] | Mapping): string {
  return percentFormatWith(PY_TEXT, fmt, args);
}

/** percentFormat with values becoming text through `as` (the worker's JSON-only twin of repr). */
export function percentFormatWith(as: ValueText, fmt: string, args: readonly unknown[] | Mapping): string {
  const mapping = Array.isArray(args) ? undefined : args;
  const tuple: readonly unknown[] = Array.isArray(args) ? args : [args];
  // a mapping argument: Python never complains that it was not used up
  let argIndex = 0;
  let out = '';
  let i = 0;
  const n = fmt.length;
  const nextArg = (): unknown => {
    if (argIndex >= tuple.length) throw new TypeError('not enough arguments for format string');
    return tuple[argIndex++];
  };
  while (i < n) {
    const pct = fmt.indexOf('%', i);
    if (pct < 0) { out += fmt.slice(i); break; }
    out += fmt.slice(i, pct);
    i = pct + 1;
    if (i >= n) throw new PythonError('ValueError', 'incomplete format');
    let key: string | undefined;
    if (fmt[i] === '(') {
      if (mapping === undefined) throw new TypeError('format requires a mapping');
      let depth = 1;
      const start = ++i;
      while (i < n && depth > 0) {
        if (fmt[i] === '(') depth++;
        else if (fmt[i] === ')') depth--;
        i++;
      }
      if (depth > 0) throw new PythonError('ValueError', 'incomplete format key');
      key = fmt.slice(start, i - 1);
    }
    const flags: Flags = { left: false, plus: false, space: false, alt: false, zero: false };
    for (; i < n; i++) {
      const c = fmt[i];
      if (c === '-') flags.left = true;
      else if (c === '+') flags.plus = true;
      else if (c === ' ') flags.space = true;
      else if (c === '#') flags.alt = true;
      else if (c === '0') flags.zero = true;
      else break;
    }
    let width = 0;
    if (fmt[i] === '*') {
      const w = nextArg();
      if (typeof w !== 'number' || !Number.isInteger(w)) throw new TypeError('* wants int');
      if (w < 0) { flags.left = true; width = -w; } else width = w;
      i++;
    } else {
      while (isDigit(fmt[i])) width = width * 10 + (fmt.charCodeAt(i++) - 48);
    }
    let precision = -1;
    if (fmt[i] === '.') {
      i++;
      precision = 0;
      if (fmt[i] === '*') {
        const p = nextArg();
        if (typeof p !== 'number' || !Number.isInteger(p)) throw new TypeError('* wants int');
        precision = Math.max(0, p);
        i++;
      } else {
        while (isDigit(fmt[i])) precision = precision * 10 + (fmt.charCodeAt(i++) - 48);
      }
    }
    while (fmt[i] === 'h' || fmt[i] === 'l' || fmt[i] === 'L') i++;
    if (i >= n) throw new PythonError('ValueError', 'incomplete format');
    const conv = fmt[i++];
    if (conv === '%') { out += '%'; continue; }
    if (!'sradiuxXoeEfFgGc'.includes(conv)) {
      const code = conv.codePointAt(0) as number;
      throw new PythonError('ValueError',
        `unsupported format character '${conv}' (0x${code.toString(16)}) at index ${i - 1}`);
    }
    const value = key !== undefined ? lookup(mapping, key) : nextArg();
    out += convertOne(value, conv, flags, width, precision, as);
  }
  if (mapping === undefined && argIndex < tuple.length) {
    throw new TypeError('not all arguments converted during string formatting');
  }
  return out;
}

/** Whether a mapping argument has any key (Python: an empty dict is no argument at all). */
export function hasKeys(obj: object): boolean {
  if (obj instanceof Map) return obj.size > 0;
  for (const _ in obj) return true;
  return false;
}

/**
 * Python's getMessage for a message and its arguments as a record holds them: without arguments the
 * message is printed as it is, `%` and all. Throws on a mismatch, as Python does.
 * @example formatMessage('%d items', [3]) // '3 items'
 */
export function formatMessage(msg: unknown, args: readonly unknown[] | Mapping | null | undefined, as: ValueText): string {
  const text = as.str(msg);
  if (args === null || args === undefined) return text;
  if (Array.isArray(args) ? args.length === 0 : !hasKeys(args)) return text;
  return percentFormatWith(as, text, args);
}

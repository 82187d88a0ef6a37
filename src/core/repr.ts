// Python's str() and repr() for JavaScript values, used by %-formatting and `!r`/`!s`.
// A JS value maps to its nearest Python value: true -> True, null -> None, arrays -> lists,
// plain objects and Maps -> dicts. Never throws: getters that throw, cycles and huge values
// come out in a safe form.
import { floatRepr } from './number-format.js';

/** Containers nested deeper than this print as `[...]`/`{...}`. */
export const MAX_DEPTH = 6;
/** Items past this many in one container print as `...N more`. */
export const MAX_ITEMS = 100;

/** How %-formatting turns a value into text: Python's str() and repr(). */
export interface ValueText { str(value: unknown): string; repr(value: unknown): string }

const nonPrintable = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/** Python's escape for one code point: `\xe9`, `\u2028`, `\U0001f600`. */
export function escapeChar(code: number): string {
  if (code < 0x100) return '\\x' + code.toString(16).padStart(2, '0');
  if (code < 0x10000) return '\\u' + code.toString(16).padStart(4, '0');
  return '\\U' + code.toString(16).padStart(8, '0');
}

/** Python's repr of a str; `asciiOnly` gives ascii(). */
export function stringRepr(text: string, asciiOnly = false): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += escapeChar(code);
    else if (code < 0x7f) out += ch;
    else if (asciiOnly || (ch !== ' ' && nonPrintable.test(ch))) out += escapeChar(code);
    else out += ch;
  }
  return out + quote;
}

/** Python's name for the type a JS value maps to, for TypeError messages. */
export function pyTypeName(value: unknown): string {
  switch (typeof value) {
    case 'string': return 'str';
    case 'number': return Number.isInteger(value) ? 'int' : 'float';
    case 'bigint': return 'int';
    case 'boolean': return 'bool';
    case 'undefined': return 'NoneType';
    case 'function': return 'function';
    case 'symbol': return 'symbol';
  }
  if (value === null) return 'NoneType';
  if (Array.isArray(value)) return 'list';
  if (value instanceof Map) return 'dict';
  if (value instanceof Set) return 'set';
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  return ctor && ctor !== Object && typeof ctor.name === 'string' ? ctor.name : 'dict';
}

export function numberRepr(value: number): string {
  if (Number.isInteger(value) && !Object.is(value, -0)) {
    // past 2**53 String() gives the shortest digits that read back (2**60 -> ...847000); Python's int has them all
    return Number.isSafeInteger(value) ? String(value) : BigInt(value).toString();
  }
  return floatRepr(value);
}

function readKey(obj: object, key: PropertyKey): unknown {
  try {
    return (obj as Record<PropertyKey, unknown>)[key];
  } catch (err) {
    return new ThrownMarker(err);
  }
}

class ThrownMarker {
  constructor(readonly error: unknown) {}
}

/**
 * A record's positional arguments as Python's tuple, for `%(args)s`: `('a',)`, `('a', 1)`, `()`.
 * An array still (`{args[0]}` indexes it), printed as a tuple.
 */
export class PyTuple extends Array<unknown> {}

/** The items as a PyTuple (not `new PyTuple(...items)`: one number would make an empty array that long). */
export function toTuple(items: readonly unknown[]): PyTuple {
  const tuple = new PyTuple();
  for (let i = 0; i < items.length; i++) tuple.push(items[i]);
  return tuple;
}

/** A DOM node as a selector-like label: `div#main.a.b`, or the node name (`#text`) for other nodes. */
export function domNodeLabel(node: { nodeType: number; nodeName: string; id?: unknown; className?: unknown }): string {
  let label = String(node.nodeName).toLowerCase();
  if (node.nodeType !== 1) return label;
  if (typeof node.id === 'string' && node.id) label += '#' + node.id;
  if (typeof node.className === 'string' && node.className) label += '.' + node.className.trim().split(/\s+/).join('.');
  return label;
}

export function isDomNode(value: object): value is { nodeType: number; nodeName: string } {
  const v = value as { nodeType?: unknown; nodeName?: unknown };
  return typeof v.nodeType === 'number' && typeof v.nodeName === 'string';
}

function hasOwnToString(value: object): boolean {
  const fn = readKey(value, 'toString');
  return typeof fn === 'function' && fn !== Object.prototype.toString && fn !== Array.prototype.toString;
}

function containerRepr(value: object, seen: object[]): string {
  if (seen.length >= MAX_DEPTH) return Array.isArray(value) ? '[...]' : '{...}';
  if (seen.includes(value)) return Array.isArray(value) ? '[...]' : '{...}';
  seen.push(value);
  const parts: string[] = [];
  let more = 0;
  const items = (): string => parts.join(', ') + (more > 0 ? `, ...${more} more` : '');
  try {
    if (Array.isArray(value) || ArrayBuffer.isView(value)) {
      const list = value as ArrayLike<unknown>;
      const n = Math.min(list.length, MAX_ITEMS);
      for (let i = 0; i < n; i++) parts.push(reprInner(readKey(list, i), seen));
      more = list.length - n;
      return '[' + items() + ']';
    }
    if (value instanceof Set) {
      if (value.size === 0) return 'set()';
      for (const item of value) {
        if (parts.length >= MAX_ITEMS) { more++; continue; }
        parts.push(reprInner(item, seen));
      }
      return '{' + items() + '}';
    }
    const entries: [unknown, unknown][] = [];
    if (value instanceof Map) {
      for (const [k, v] of value) {
        if (entries.length >= MAX_ITEMS) { more++; continue; }
        entries.push([k, v]);
      }
    } else {
      const keys = Object.keys(value);
      for (const k of keys.slice(0, MAX_ITEMS)) entries.push([k, readKey(value, k)]);
      more = keys.length - entries.length;
    }
    for (const [k, v] of entries) parts.push(reprInner(k, seen) + ': ' + reprInner(v, seen));
    return '{' + items() + '}';
  } finally {
    seen.pop();
  }
}

function reprInner(value: unknown, seen: object[]): string {
  switch (typeof value) {
    case 'string': return stringRepr(value);
    case 'number': return numberRepr(value);
    case 'bigint': return value.toString();
    case 'boolean': return value ? 'True' : 'False';
    case 'undefined': return 'None';
    case 'symbol': return value.toString();
    case 'function': return `<function ${value.name || '<anonymous>'}>`;
  }
  if (value === null) return 'None';
  const obj = value as object;
  if (obj instanceof ThrownMarker) return `<getter raised ${errorText(obj.error)}>`;
  if (obj instanceof PyTuple) {
    const items: string[] = [];
    for (let i = 0; i < obj.length; i++) items.push(reprInner(obj[i], seen));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  try {
    if (obj instanceof Error) return `${obj.name}(${stringRepr(String(obj.message))})`;
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
    if (obj instanceof RegExp) return String(obj);
    if (obj instanceof ArrayBuffer) return `<ArrayBuffer ${obj.byteLength} bytes>`;
    if (isDomNode(obj)) return `<${domNodeLabel(obj)}>`;
    if (obj instanceof Promise) return '<Promise>';
    return containerRepr(obj, seen);
  } catch (err) {
    return `<unrepresentable: ${errorText(err)}>`;
  }
}

function errorText(err: unknown): string {
  try {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  } catch {
    return 'unknown error';
  }
}

/** Python's repr() of the value a JS value maps to. */
export function pyRepr(value: unknown): string {
  return reprInner(value, []);
}

/** Python's str() and repr() of any JS value (json-repr.ts has the twins for JSON values only). */
export const PY_TEXT: ValueText = { str: pyStr, repr: pyRepr };

/** Python's str(): strings as they are, errors as their message, objects with their own toString through it. */
export function pyStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    try {
      if (value instanceof Error) return String(value.message);
      if (!Array.isArray(value) && !(value instanceof Map) && !(value instanceof Set) &&
          !(value instanceof Date) && !isDomNode(value) && hasOwnToString(value)) {
        return String(value);
      }
    } catch (err) {
      return `<unprintable: ${errorText(err)}>`;
    }
  }
  return reprInner(value, []);
}

// Safe serialization: any JS value to a JSON-compatible value (and so to text, or across a
// structured clone). Every handler that turns values into JSON goes through here. Never throws.
import { domNodeLabel, isDomNode } from './repr.js';

/** Bounds for one serialization. */
export interface SerializeLimits {
  /** Nesting depth before a container becomes '[Object]' / '[Array]'. */
  maxDepth: number;
  /** Items kept per array, Set or Map, and keys per object. */
  maxItems: number;
  /** Characters kept per string. */
  maxString: number;
  /** Approximate total characters before the rest is left out. */
  maxTotal: number;
}

export const DEFAULT_LIMITS: SerializeLimits = { maxDepth: 8, maxItems: 200, maxString: 16_384, maxTotal: 262_144 };

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

interface State { limits: SerializeLimits; seen: object[]; budget: number }

function text(value: string, state: State): string {
  const limit = Math.min(state.limits.maxString, Math.max(0, state.budget));
  state.budget -= Math.min(value.length, limit);
  if (value.length <= limit) return value;
  return value.slice(0, limit) + `…[${value.length - limit} more chars]`;
}

function errorMessage(err: unknown): string {
  try { return err instanceof Error ? `${err.name}: ${err.message}` : String(err); } catch { return 'unknown'; }
}

function read(obj: object, key: PropertyKey, state: State): JsonValue {
  let value: unknown;
  try {
    value = (obj as Record<PropertyKey, unknown>)[key];
  } catch (err) {
    return `[Thrown: ${errorMessage(err)}]`;
  }
  return walk(value, state, state.seen.length);
}

function serializeError(err: Error, state: State, depth: number): JsonValue {
  const out: { [key: string]: JsonValue } = { name: read(err, 'name', state), message: read(err, 'message', state) };
  const stack = read(err, 'stack', state);
  if (typeof stack === 'string') out.stack = stack;
  if ('cause' in err) out.cause = read(err, 'cause', state);
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors)) out.errors = walk(errors, state, depth);
  for (const key of Object.keys(err)) {
    if (!(key in out) && key !== 'errors') out[key] = read(err, key, state);
  }
  return out;
}

/** Sets a key, "__proto__" included, as data: never the object's prototype. */
function setKey(out: { [key: string]: JsonValue }, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

function plainObject(obj: object, state: State): JsonValue {
  const out: { [key: string]: JsonValue } = {};
  const keys = Object.keys(obj);
  const n = Math.min(keys.length, state.limits.maxItems);
  for (let i = 0; i < n && state.budget > 0; i++) {
    const key = keys[i];
    state.budget -= key.length;
    setKey(out, key, read(obj, key, state));
  }
  if (keys.length > n) out['[more]'] = `${keys.length - n} more keys`;
  return out;
}

function list(items: unknown[], state: State): JsonValue {
  const n = Math.min(items.length, state.limits.maxItems);
  const out: JsonValue[] = [];
  for (let i = 0; i < n && state.budget > 0; i++) out.push(read(items, i, state));
  if (items.length > out.length) out.push(`[${items.length - out.length} more]`);
  return out;
}

function walk(value: unknown, state: State, depth: number): JsonValue {
  switch (typeof value) {
    case 'string': return text(value, state);
    case 'number': return Number.isFinite(value) ? value : String(value);
    case 'boolean': return value;
    case 'bigint': return value.toString();
    case 'undefined': return null;
    case 'symbol': return value.toString();
    case 'function': return `[Function ${value.name || 'anonymous'}]`;
  }
  if (value === null) return null;
  const obj = value as object;
  if (state.budget <= 0) return '[Truncated]';
  if (state.seen.includes(obj)) return '[Circular]';
  if (depth >= state.limits.maxDepth) return Array.isArray(obj) ? '[Array]' : '[Object]';
  state.seen.push(obj);
  try {
    const proto = Object.getPrototypeOf(obj);
    // the common case first: plain objects and arrays skip every special-type check
    if (proto === Object.prototype || proto === null) {
      if (typeof (obj as { toJSON?: unknown }).toJSON !== 'function' && !isDomNode(obj)) return plainObject(obj, state);
    } else if (proto === Array.prototype) {
      return list(obj as unknown[], state);
    }
    if (obj instanceof Date) return Number.isNaN(obj.getTime()) ? 'Invalid Date' : obj.toISOString();
    if (obj instanceof Error) return serializeError(obj, state, depth + 1);
    if (obj instanceof RegExp) return String(obj);
    if (obj instanceof ArrayBuffer) return `[ArrayBuffer ${obj.byteLength} bytes]`;
    if (ArrayBuffer.isView(obj)) {
      const view = obj as unknown as ArrayLike<number | bigint>;
      if (typeof view.length !== 'number') return `[${obj.constructor.name} ${obj.byteLength} bytes]`;
      const n = Math.min(view.length, state.limits.maxItems);
      const out: JsonValue[] = [];
      for (let i = 0; i < n; i++) out.push(walk(view[i], state, depth + 1));
      if (view.length > n) out.push(`[${view.length - n} more]`);
      return out;
    }
    if (isDomNode(obj)) return `[${domNodeLabel(obj)}]`;
    if (obj instanceof Promise || obj instanceof WeakMap || obj instanceof WeakSet) return `[${obj.constructor.name}]`;
    if (Array.isArray(obj)) return list(obj, state);
    if (obj instanceof Set) return list([...obj], state);
    if (obj instanceof Map) {
      const out: { [key: string]: JsonValue } = {};
      let n = 0;
      for (const [k, v] of obj) {
        if (n++ >= state.limits.maxItems || state.budget <= 0) { out['[more]'] = `${obj.size - n + 1} more`; break; }
        setKey(out, typeof k === 'string' ? k : String(walk(k, state, depth + 1)), walk(v, state, depth + 1));
      }
      return out;
    }
    const toJSON = (obj as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      try {
        return walk(toJSON.call(obj), state, depth);
      } catch (err) {
        return `[toJSON threw: ${errorMessage(err)}]`;
      }
    }
    return plainObject(obj, state);
  } catch (err) {
    return `[Unserializable: ${errorMessage(err)}]`;
  } finally {
    state.seen.pop();
  }
}

/**
 * A JSON-safe copy of any value: cycles become '[Circular]', BigInt a string, Map an object, Set an
 * array, Errors `{name, message, stack, cause}`, functions and symbols text, with depth and size bounds.
 * The result also survives a structured clone. Never throws.
 * @example toJsonValue({ id: 1n, self: obj }) // { id: '1', self: '[Circular]' }
 */
export function toJsonValue(value: unknown, limits: Partial<SerializeLimits> = {}): JsonValue {
  // the usual extra field, a short string, a finite number or a boolean, is itself: no state to make
  if (typeof value === 'string') {
    if (value.length <= Math.min(limits.maxString ?? DEFAULT_LIMITS.maxString, limits.maxTotal ?? DEFAULT_LIMITS.maxTotal)) return value;
  } else if (typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) return value;
  const state: State = { limits: { ...DEFAULT_LIMITS, ...limits }, seen: [], budget: limits.maxTotal ?? DEFAULT_LIMITS.maxTotal };
  try {
    return walk(value, state, 0);
  } catch (err) {
    return `[Unserializable: ${errorMessage(err)}]`;
  }
}

/**
 * True when `value` is already what toJsonValue would return unchanged: only strings within the
 * bound, finite numbers, booleans, null, plain arrays and objects within the depth, item and total
 * bounds. Allocates nothing; anything else (or a getter that throws) answers false.
 */
function plainWithin(value: unknown, limits: SerializeLimits, depth: number, budget: { left: number }): boolean {
  switch (typeof value) {
    case 'string':
      budget.left -= value.length;
      return value.length <= limits.maxString && budget.left > 0;
    case 'number': return Number.isFinite(value);
    case 'boolean': return true;
    case 'object': break;
    default: return false;
  }
  if (value === null) return true;
  if (depth >= limits.maxDepth) return false;
  const proto = Object.getPrototypeOf(value);
  if (proto === Array.prototype) {
    const list = value as unknown[];
    if (list.length > limits.maxItems) return false;
    for (let i = 0; i < list.length; i++) if (!plainWithin(list[i], limits, depth + 1, budget)) return false;
    return true;
  }
  if (proto !== Object.prototype && proto !== null) return false;
  const obj = value as Record<string, unknown>;
  if (typeof obj.toJSON === 'function' || isDomNode(obj)) return false;
  const keys = Object.keys(obj);
  if (keys.length > limits.maxItems) return false;
  for (const key of keys) {
    budget.left -= key.length;
    if (key === '__proto__' || !plainWithin(obj[key], limits, depth + 1, budget)) return false;
  }
  return budget.left > 0;
}

/** True when `value` is plain JSON within the default bounds: toJsonValue would return it unchanged. Never throws. */
export function isPlainJson(value: unknown): boolean {
  try {
    return plainWithin(value, DEFAULT_LIMITS, 0, { left: DEFAULT_LIMITS.maxTotal });
  } catch {
    return false;
  }
}

/**
 * `JSON.stringify` that never throws, through `toJsonValue`. A value that is already plain JSON
 * within the bounds is stringified directly, with the same result and no copy.
 * @example safeStringify({ n: 10n }) === '{"n":"10"}'
 */
export function safeStringify(value: unknown, limits?: Partial<SerializeLimits>): string {
  try {
    const bounds = limits ? { ...DEFAULT_LIMITS, ...limits } : DEFAULT_LIMITS;
    if (plainWithin(value, bounds, 0, { left: bounds.maxTotal })) return JSON.stringify(value);
  } catch {
    /* a getter threw: the careful path below reports it */
  }
  try {
    return JSON.stringify(toJsonValue(value, limits)) ?? 'null';
  } catch {
    return '"[Unserializable]"';
  }
}

// Python's str() and repr() for the values JSON.parse gives (strings, numbers, booleans, null, arrays,
// plain objects): all a worker ever formats, since the page sends only such arguments. They print
// exactly as repr.ts prints the same values, without the code for Maps, Errors, DOM nodes and getters.
import { MAX_DEPTH, MAX_ITEMS, numberRepr, stringRepr, type ValueText } from './repr.js';

function jsonRepr(value: unknown, depth: number): string {
  switch (typeof value) {
    case 'string': return stringRepr(value);
    case 'number': return numberRepr(value);
    case 'boolean': return value ? 'True' : 'False';
  }
  if (value === null || typeof value !== 'object') return 'None';
  const list = Array.isArray(value);
  if (depth >= MAX_DEPTH) return list ? '[...]' : '{...}';
  const keys = list ? null : Object.keys(value);
  const size = keys ? keys.length : (value as unknown[]).length;
  const parts: string[] = [];
  for (let i = 0; i < Math.min(size, MAX_ITEMS); i++) {
    parts.push(keys
      ? stringRepr(keys[i]) + ': ' + jsonRepr((value as Record<string, unknown>)[keys[i]], depth + 1)
      : jsonRepr((value as unknown[])[i], depth + 1));
  }
  const more = size > MAX_ITEMS ? `, ...${size - MAX_ITEMS} more` : '';
  return list ? '[' + parts.join(', ') + more + ']' : '{' + parts.join(', ') + more + '}';
}

/** str() and repr() for JSON values, as PY_TEXT gives them. */
export const JSON_TEXT: ValueText = {
  str: (value) => typeof value === 'string' ? value : jsonRepr(value, 0),
  repr: (value) => jsonRepr(value, 0),
};

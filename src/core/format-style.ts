// The three Formatter styles: `%(name)s`, `{name}` and `$name`, each with Python's validation.
import { formatValue } from './format-spec.js';
import { asciiRepr, percentFormat, type Mapping } from './percent-format.js';
import { PythonError } from './python-error.js';
import { PY_TEXT, pyRepr, pyStr, pyTypeName, stringRepr, toTuple } from './repr.js';
import type { LogRecord } from './record.js';

/** One way of turning a record into text with a format string. */
export interface FormatStyle {
  readonly fmt: string;
  usesTime(): boolean;
  validate(): void;
  format(record: LogRecord): string;
}

function withDefaults(record: LogRecord, defaults: Mapping | undefined, fmt: string): Mapping {
  // Python's record.args is a tuple: `%(args)s` prints ('a',), not a list (only formats that name it pay)
  const tupleArgs = Array.isArray(record.args) && fmt.includes('args');
  if (!defaults && !tupleArgs) return record as unknown as Mapping;
  const values = Object.create(record) as Mapping;
  if (tupleArgs) values.args = toTuple(record.args as unknown[]);
  if (!defaults) return values;
  for (const key of Object.keys(defaults)) if (!(key in record)) values[key] = defaults[key];
  return values;
}

function notFound(err: unknown): never {
  if (err instanceof PythonError && err.name === 'KeyError') {
    throw new PythonError('ValueError', `Formatting field not found in record: ${err.message}`);
  }
  throw err;
}

const PERCENT_FIELD = /%\(\w+\)[#0+ -]*(\*|\d+)?(\.(\*|\d+))?[diouxefgcrsa%]/i;

/** `%(name)-12s %(levelname)s: %(message)s` */
export class PercentStyle implements FormatStyle {
  constructor(readonly fmt: string, private readonly defaults?: Mapping) {}
  usesTime(): boolean { return this.fmt.includes('%(asctime)'); }
  validate(): void {
    if (!PERCENT_FIELD.test(this.fmt)) throw new PythonError('ValueError', `Invalid format '${this.fmt}' for '%' style`);
  }
  format(record: LogRecord): string {
    try {
      return percentFormat(this.fmt, withDefaults(record, this.defaults, this.fmt));
    } catch (err) {
      return notFound(err);
    }
  }
}

/** A replacement field of a `{}` format string; `expand`: its spec holds fields of its own. */
interface Field { field: string; conversion: string; spec: string; expand: boolean }
/** A literal run or a replacement field. */
type Piece = string | Field;

const fail = (message: string): never => { throw new PythonError('ValueError', message); };

/**
 * Python's `string.Formatter().parse` (CPython's MarkupIterator and parse_field): the literal runs and
 * fields in order, failing at the first malformed field with CPython's words. A generator, as
 * CPython's is, so a check of an earlier field comes before a parse error further on.
 */
function* parseBraces(fmt: string): Generator<Piece> {
  const n = fmt.length;
  let i = 0;
  while (i < n) {
    const start = i;
    let c = '';
    while (i < n && (c = fmt[i++]) !== '{' && c !== '}');
    const brace = c === '{' || c === '}';
    if (c === '}' && (i >= n || fmt[i] !== '}')) fail("Single '}' encountered in format string");
    if (c === '{' && i >= n) fail("Single '{' encountered in format string");
    if (brace && fmt[i] === c) {
      // '{{' or '}}': one brace of literal text, no field
      i++;
      yield fmt.slice(start, i - 1);
      continue;
    }
    if (!brace) { yield fmt.slice(start, i); break; }
    if (i - 1 > start) yield fmt.slice(start, i - 1);
    // the field name ends at '!', ':' or '}'; a '[' reads on to its ']'
    const nameStart = i;
    c = '';
    while (i < n) {
      c = fmt[i++];
      if (c === '{') fail("unexpected '{' in field name");
      if (c === '[') { while (i < n && fmt[i] !== ']') i++; continue; }
      if (c === '}' || c === ':' || c === '!') break;
    }
    const field = fmt.slice(nameStart, i - 1);
    if (c !== '!' && c !== ':') {
      if (c !== '}') fail("expected '}' before end of string");
      yield { field, conversion: '', spec: '', expand: false };
      continue;
    }
    let conversion = '';
    if (c === '!') {
      if (i >= n) fail('end of string while looking for conversion specifier');
      conversion = String.fromCodePoint(fmt.codePointAt(i) as number);
      i += conversion.length;
      if (i < n) {
        const after = fmt[i++];
        if (after === '}') { yield { field, conversion, spec: '', expand: false }; continue; }
        if (after !== ':') fail("expected ':' after conversion specifier");
      }
    }
    const specStart = i;
    let depth = 1;
    let expand = false;
    while (i < n && depth > 0) {
      const d = fmt[i++];
      if (d === '{') { expand = true; depth++; } else if (d === '}') depth--;
    }
    if (depth > 0) fail("unmatched '{' in format spec");
    yield { field, conversion, spec: fmt.slice(specStart, i - 1), expand };
  }
}

/** The parsed pieces, or null when the format is malformed: then each use parses it again, as Python does. */
function parseAll(fmt: string): Piece[] | null {
  try {
    return [...parseBraces(fmt)];
  } catch {
    return null;
  }
}

/** Python's `getattr` and `[]` on a field's value, as str.format walks `a.b[0]`. */
function step(holder: unknown, key: string, attribute: boolean): unknown {
  const type = pyTypeName(holder);
  if (attribute) {
    if (holder === null || holder === undefined || !(key in Object(holder))) {
      throw new PythonError('AttributeError', `'${type}' object has no attribute ${stringRepr(key)}`);
    }
    return (holder as Record<string, unknown>)[key];
  }
  const index = /^\d+$/.test(key) ? Number(key) : null;
  if (typeof holder === 'string' || Array.isArray(holder)) {
    if (index === null) {
      throw new PythonError('TypeError', typeof holder === 'string'
        ? "string indices must be integers, not 'str'" : 'list indices must be integers or slices, not str');
    }
    if (index >= holder.length) throw new PythonError('IndexError', `${typeof holder === 'string' ? 'string' : 'list'} index out of range`);
    return holder[index];
  }
  if (holder instanceof Map) {
    if (!holder.has(key)) throw new PythonError('KeyError', index === null ? stringRepr(key) : key);
    return holder.get(key);
  }
  if (holder === null || typeof holder !== 'object') throw new PythonError('TypeError', `'${type}' object is not subscriptable`);
  if (!(key in holder)) throw new PythonError('KeyError', index === null ? stringRepr(key) : key);
  return (holder as Record<string, unknown>)[key];
}

/** A field's value from the record (CPython's field_name_split and get_field_object). */
function resolveField(values: Mapping, field: string): unknown {
  const first = /^[^.[]*/.exec(field)![0];
  if (first === '' || /^\d+$/.test(first)) {
    // logging formats with no positional arguments: the first positional field is out of range
    throw new PythonError('IndexError', `Replacement index ${first || 0} out of range for positional args tuple`);
  }
  if (!(first in values)) throw new PythonError('KeyError', stringRepr(first));
  let value: unknown = values[first];
  let i = first.length;
  while (i < field.length) {
    const c = field[i++];
    const from = i;
    if (c === '.') {
      while (i < field.length && field[i] !== '.' && field[i] !== '[') i++;
    } else if (c === '[') {
      while (i < field.length && field[i] !== ']') i++;
      if (i >= field.length) fail("Missing ']' in format string");
    } else {
      fail("Only '.' or '[' may follow ']' in format field specifier");
    }
    const key = field.slice(from, i);
    if (c === '[') i++;
    if (key === '') fail('Empty attribute in format string');
    value = step(value, key, c === '.');
  }
  return value;
}

/** Python's str.format of the pieces with the record's fields; a spec's own fields expand one level down. */
function render(pieces: Iterable<Piece>, values: Mapping, depth: number): string {
  if (depth <= 0) fail('Max string recursion exceeded');
  let out = '';
  for (const piece of pieces) {
    if (typeof piece === 'string') { out += piece; continue; }
    let value = resolveField(values, piece.field);
    if (piece.conversion === 'r') value = pyRepr(value);
    else if (piece.conversion === 's') value = pyStr(value);
    else if (piece.conversion === 'a') value = asciiRepr(value, PY_TEXT);
    else if (piece.conversion) fail(`Unknown conversion specifier ${piece.conversion}`);
    const spec = piece.expand ? render(parseBraces(piece.spec), values, depth - 1) : piece.spec;
    out += formatValue(value, spec);
  }
  return out;
}

const FIELD_SPEC = /^(\d+|\w+)(\.\w+|\[[^\]]+\])*$/;
const FMT_SPEC = /^(.?[<>=^])?[+ -]?#?0?(\d+|{\w+})?[,_]?(\.(\d+|{\w+}))?[bcdefgnosx%]?$/i;

/** `{asctime} {levelname:<8} {message}` */
export class StrFormatStyle implements FormatStyle {
  private pieces: Piece[] | null | undefined;
  constructor(readonly fmt: string, private readonly defaults?: Mapping) {}
  usesTime(): boolean { return this.fmt.includes('{asctime'); }
  validate(): void {
    const fields = new Set<string>();
    try {
      for (const piece of parseBraces(this.fmt)) {
        if (typeof piece === 'string') continue;
        if (piece.field) {
          if (!FIELD_SPEC.test(piece.field)) fail(`invalid field name/expression: ${stringRepr(piece.field)}`);
          fields.add(piece.field);
        }
        if (piece.conversion && !'rsa'.includes(piece.conversion)) fail(`invalid conversion: ${stringRepr(piece.conversion)}`);
        if (piece.spec && !FMT_SPEC.test(piece.spec)) fail(`bad specifier: ${stringRepr(piece.spec)}`);
      }
    } catch (err) {
      fail(`invalid format: ${(err as Error).message}`);
    }
    if (fields.size === 0) fail('invalid format: no fields');
  }
  format(record: LogRecord): string {
    if (this.pieces === undefined) this.pieces = parseAll(this.fmt);
    try {
      // str.format starts at recursion depth 2: a spec may hold fields, their specs may not
      return render(this.pieces ?? parseBraces(this.fmt), withDefaults(record, this.defaults, this.fmt), 2);
    } catch (err) {
      return notFound(err);
    }
  }
}

const TEMPLATE = /\$(?:(\$)|([_a-z][_a-z0-9]*)|\{([_a-z][_a-z0-9]*)\}|())/gi;

/** `$asctime ${levelname} $message` */
export class StringTemplateStyle implements FormatStyle {
  constructor(readonly fmt: string, private readonly defaults?: Mapping) {}
  usesTime(): boolean { return this.fmt.includes('$asctime') || this.fmt.includes('${asctime}'); }
  validate(): void {
    const fields = new Set<string>();
    for (const m of this.fmt.matchAll(TEMPLATE)) {
      if (m[2] || m[3]) fields.add(m[2] || m[3]);
      else if (m[4] !== undefined) throw new PythonError('ValueError', "invalid format: bare '$' not allowed");
    }
    if (fields.size === 0) throw new PythonError('ValueError', 'invalid format: no fields');
  }
  format(record: LogRecord): string {
    const values = withDefaults(record, this.defaults, this.fmt);
    try {
      return this.fmt.replace(TEMPLATE, (whole, dollar: string, named: string, braced: string, _bare: string, offset: number) => {
        if (dollar) return '$';
        const key = named || braced;
        if (!key) {
          const before = this.fmt.slice(0, offset);
          const line = before.split('\n').length;
          const col = offset - before.lastIndexOf('\n');
          throw new PythonError('ValueError', `Invalid placeholder in string: line ${line}, col ${col}`);
        }
        if (!(key in values)) throw new PythonError('KeyError', stringRepr(key));
        return pyStr(values[key]);
      });
    } catch (err) {
      return notFound(err);
    }
  }
}

/** Each style: its class, a Formatter's default format, and basicConfig's default format. */
export const STYLES = {
  '%': [PercentStyle, '%(message)s', '%(levelname)s:%(name)s:%(message)s'],
  '{': [StrFormatStyle, '{message}', '{levelname}:{name}:{message}'],
  '$': [StringTemplateStyle, '${message}', '${levelname}:${name}:${message}'],
} as const;

export type StyleName = keyof typeof STYLES;

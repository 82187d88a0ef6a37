// The three Formatter styles: `%(name)s`, `{name}` and `$name`, each with Python's validation.
import { formatValue } from './format-spec.js';
import { asciiRepr, percentFormat, type Mapping } from './percent-format.js';
import { PythonError } from './python-error.js';
import { PY_TEXT, pyRepr, pyStr, stringRepr } from './repr.js';
import type { LogRecord } from './record.js';

/** One way of turning a record into text with a format string. */
export interface FormatStyle {
  readonly fmt: string;
  usesTime(): boolean;
  validate(): void;
  format(record: LogRecord): string;
}

function withDefaults(record: LogRecord, defaults: Mapping | undefined): Mapping {
  if (!defaults) return record as unknown as Mapping;
  const values = Object.create(record) as Mapping;
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
      return percentFormat(this.fmt, withDefaults(record, this.defaults));
    } catch (err) {
      return notFound(err);
    }
  }
}

/** A literal run or a replacement field of a `{}` format string. */
type Piece = string | { field: string; conversion: string; spec: string };

/** Python's `string.Formatter().parse`, one level of nesting in the spec. */
function parseBraces(fmt: string): Piece[] {
  const pieces: Piece[] = [];
  let literal = '';
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i];
    if (c === '{' && fmt[i + 1] === '{') { literal += '{'; i += 2; continue; }
    if (c === '}' && fmt[i + 1] === '}') { literal += '}'; i += 2; continue; }
    if (c === '}') throw new PythonError('ValueError', "Single '}' encountered in format string");
    if (c !== '{') { literal += c; i++; continue; }
    let depth = 1;
    let j = i + 1;
    while (j < fmt.length && depth > 0) {
      if (fmt[j] === '{') depth++;
      else if (fmt[j] === '}') depth--;
      if (depth > 0) j++;
    }
    if (depth > 0) throw new PythonError('ValueError', "expected '}' before end of string");
    const body = fmt.slice(i + 1, j);
    const m = /^([^!:]*)(?:!([^:]*))?(?::([\s\S]*))?$/.exec(body) as RegExpExecArray;
    if (literal) { pieces.push(literal); literal = ''; }
    pieces.push({ field: m[1], conversion: m[2] ?? '', spec: m[3] ?? '' });
    i = j + 1;
  }
  if (literal) pieces.push(literal);
  return pieces;
}

function resolveField(values: Mapping, field: string): unknown {
  const m = /^[^.[]*/.exec(field) as RegExpExecArray;
  const first = m[0];
  if (first === '' || /^\d+$/.test(first)) {
    throw new PythonError('KeyError', `Replacement index ${first || 0} out of range for positional args tuple`);
  }
  if (!(first in values)) throw new PythonError('KeyError', stringRepr(first));
  let value: unknown = values[first];
  const rest = /\.(\w+)|\[([^\]]+)\]/g;
  rest.lastIndex = first.length;
  let part: RegExpExecArray | null;
  while ((part = rest.exec(field))) {
    const key = part[1] ?? part[2];
    const holder = value as Record<string, unknown> | null | undefined;
    if (holder === null || holder === undefined || !(key in Object(holder))) {
      throw new PythonError('KeyError', stringRepr(key));
    }
    value = holder[key];
  }
  return value;
}

const FIELD_SPEC = /^(\d+|\w+)(\.\w+|\[[^\]]+\])*$/;
const FMT_SPEC = /^(.?[<>=^])?[+ -]?#?0?(\d+|{\w+})?[,_]?(\.(\d+|{\w+}))?[bcdefgnosx%]?$/i;

/** `{asctime} {levelname:<8} {message}` */
export class StrFormatStyle implements FormatStyle {
  private pieces: Piece[] | undefined;
  constructor(readonly fmt: string, private readonly defaults?: Mapping) {}
  usesTime(): boolean { return this.fmt.includes('{asctime'); }
  validate(): void {
    const fields = new Set<string>();
    try {
      for (const piece of parseBraces(this.fmt)) {
        if (typeof piece === 'string') continue;
        if (piece.field) {
          if (!FIELD_SPEC.test(piece.field)) throw new PythonError('ValueError', `invalid field name/expression: ${stringRepr(piece.field)}`);
          fields.add(piece.field);
        }
        if (piece.conversion && !'rsa'.includes(piece.conversion)) {
          throw new PythonError('ValueError', `invalid conversion: ${stringRepr(piece.conversion)}`);
        }
        if (piece.spec && !FMT_SPEC.test(piece.spec)) throw new PythonError('ValueError', `bad specifier: ${stringRepr(piece.spec)}`);
      }
    } catch (err) {
      throw new PythonError('ValueError', `invalid format: ${(err as Error).message}`);
    }
    if (fields.size === 0) throw new PythonError('ValueError', 'invalid format: no fields');
  }
  format(record: LogRecord): string {
    const pieces = (this.pieces ??= parseBraces(this.fmt));
    const values = withDefaults(record, this.defaults);
    try {
      let out = '';
      for (const piece of pieces) {
        if (typeof piece === 'string') { out += piece; continue; }
        let value = resolveField(values, piece.field);
        if (piece.conversion === 'r') value = pyRepr(value);
        else if (piece.conversion === 's') value = pyStr(value);
        else if (piece.conversion === 'a') value = asciiRepr(value, PY_TEXT);
        const spec = piece.spec.includes('{')
          ? piece.spec.replace(/\{(\w+)\}/g, (_, name: string) => pyStr(resolveField(values, name)))
          : piece.spec;
        out += formatValue(value, spec);
      }
      return out;
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
    const values = withDefaults(record, this.defaults);
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

// Python's format-spec mini-language (`format(value, spec)`), for the `{` Formatter style.
import { exponentDigits, exponentParts, exponentSuffix, fixedDigits, floatRepr, generalDigits, nonFinite } from './number-format.js';
import { codePointLength, codePointSlice } from './percent-format.js';
import { PythonError } from './python-error.js';
import { pyStr, pyTypeName } from './repr.js';

interface Spec {
  fill: string; align: string; sign: string; z: boolean; alt: boolean;
  width: number; grouping: string; precision: number; type: string;
}

const SPEC = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

/** Parses a spec such as `>10`, `^9`, `03d`, `,.2f`; throws Python's ValueError on a bad one. */
export function parseSpec(spec: string): Spec {
  const m = SPEC.exec(spec);
  if (!m) throw new PythonError('ValueError', 'Invalid format specifier');
  let fill = m[1] ?? ' ';
  let align = m[2] ?? '';
  if (m[6] && !m[2]) { fill = '0'; align = '='; }
  return {
    fill, align, sign: m[3] ?? '', z: !!m[4], alt: !!m[5],
    width: m[7] ? Number(m[7]) : 0, grouping: m[8] ?? '',
    precision: m[9] !== undefined ? Number(m[9]) : -1, type: m[10] ?? '',
  };
}

function align(body: string, prefix: string, spec: Spec, defaultAlign: string): string {
  const len = codePointLength(body) + prefix.length;
  if (len >= spec.width) return prefix + body;
  const gap = spec.width - len;
  switch (spec.align || defaultAlign) {
    case '<': return prefix + body + spec.fill.repeat(gap);
    case '>': return spec.fill.repeat(gap) + prefix + body;
    case '^': {
      const left = Math.floor(gap / 2);
      return spec.fill.repeat(left) + prefix + body + spec.fill.repeat(gap - left);
    }
    default: return prefix + spec.fill.repeat(gap) + body; // '='
  }
}

function group(digits: string, sep: string, every: number): string {
  if (!sep) return digits;
  const dot = digits.search(/[.eE%]/);
  const intPart = dot < 0 ? digits : digits.slice(0, dot);
  const rest = dot < 0 ? '' : digits.slice(dot);
  let out = '';
  for (let i = intPart.length; i > 0; i -= every) {
    const start = Math.max(0, i - every);
    out = intPart.slice(start, i) + (out ? sep + out : '');
  }
  return out + rest;
}

function formatString(text: string, spec: Spec): string {
  if (spec.type !== '' && spec.type !== 's') {
    throw new PythonError('ValueError', `Unknown format code '${spec.type}' for object of type 'str'`);
  }
  if (spec.sign) throw new PythonError('ValueError', 'Sign not allowed in string format specifier');
  if (spec.align === '=') throw new PythonError('ValueError', "'=' alignment not allowed in string format specifier");
  const body = spec.precision >= 0 ? codePointSlice(text, spec.precision) : text;
  return align(body, '', spec, '<');
}

function formatInt(n: bigint, spec: Spec): string {
  if (spec.precision >= 0) throw new PythonError('ValueError', 'Precision not allowed in integer format specifier');
  const negative = n < 0n;
  const abs = negative ? -n : n;
  let digits: string;
  let prefix = '';
  let every = 3;
  switch (spec.type) {
    case 'b': digits = abs.toString(2); prefix = spec.alt ? '0b' : ''; every = 4; break;
    case 'o': digits = abs.toString(8); prefix = spec.alt ? '0o' : ''; every = 4; break;
    case 'x': digits = abs.toString(16); prefix = spec.alt ? '0x' : ''; every = 4; break;
    case 'X': digits = abs.toString(16).toUpperCase(); prefix = spec.alt ? '0X' : ''; every = 4; break;
    case 'c': return align(String.fromCodePoint(Number(n)), '', spec, '<');
    default: digits = abs.toString();
  }
  const sign = negative ? '-' : spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
  return align(group(digits, spec.grouping, every), sign + prefix, spec, '>');
}

/** No type with a precision: like 'g', but exponent form from exp >= p - 1 and one decimal kept. */
function noTypeDigits(abs: number, precision: number, alt: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (abs === 0) return '0.0';
  const [, exp] = exponentParts(abs, p - 1);
  if (exp >= -4 && exp < p - 1) {
    const fixed = generalDigits(abs, p, false, alt);
    return fixed.includes('.') ? fixed : fixed + '.0';
  }
  return exponentDigitsStripped(abs, p - 1, alt);
}

function exponentDigitsStripped(abs: number, precision: number, alt: boolean): string {
  const [mantissa, exp] = exponentParts(abs, precision);
  const m = alt || !mantissa.includes('.') ? mantissa : mantissa.replace(/0+$/, '').replace(/\.$/, '');
  return m + exponentSuffix(exp, false);
}

function formatFloat(x: number, spec: Spec, isInt: boolean): string {
  const type = spec.type;
  const upper = type === 'E' || type === 'F' || type === 'G';
  let negative = x < 0 || Object.is(x, -0);
  let abs = Math.abs(x);
  let suffix = '';
  if (type === '%') { abs *= 100; suffix = '%'; }
  let body = nonFinite(x, upper);
  if (body === undefined) {
    const p = spec.precision;
    switch (type) {
      case 'f': case 'F': case '%': body = fixedDigits(abs, p < 0 ? 6 : p) + (spec.alt && p === 0 ? '.' : ''); break;
      case 'e': case 'E': body = exponentDigits(abs, p < 0 ? 6 : p, upper, spec.alt); break;
      case 'g': case 'G': case 'n': body = generalDigits(abs, p < 0 ? 6 : p, upper, spec.alt); break;
      default:
        if (p < 0) body = isInt ? String(abs) : floatRepr(abs);
        else body = noTypeDigits(abs, p, spec.alt);
    }
    if (spec.z && negative && /^[0.]+(e[-+]0+)?%?$/.test(body)) negative = false;
  }
  const sign = negative && !Number.isNaN(x) ? '-' : spec.sign === '+' ? '+' : spec.sign === ' ' ? ' ' : '';
  return align(group(body, spec.grouping, 3) + suffix, sign, spec, '>');
}

/**
 * Python's `format(value, spec)` for a JS value: whole numbers format as int, other numbers as float,
 * strings as str, everything else through str().
 * @example formatValue('INFO', '^9') === '  INFO   '; formatValue(7, '03d') === '007'
 */
export function formatValue(value: unknown, specText: string): string {
  if (specText === '') return pyStr(value);
  const spec = parseSpec(specText);
  const isNumber = typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean';
  if (!isNumber) return formatString(pyStr(value), spec);
  const n = typeof value === 'boolean' ? (value ? 1 : 0) : value;
  const whole = typeof n === 'bigint' || Number.isInteger(n);
  if (spec.type === 's') {
    throw new PythonError('ValueError', `Unknown format code 's' for object of type '${pyTypeName(value)}'`);
  }
  if (whole && (spec.type === '' && spec.precision < 0 || 'bcdoxXn'.includes(spec.type) && spec.type !== '')) {
    if (spec.type === 'n' && spec.precision >= 0) return formatFloat(Number(n), spec, true);
    return formatInt(typeof n === 'bigint' ? n : BigInt(n), spec);
  }
  if ('bcdoxX'.includes(spec.type) && spec.type !== '') {
    throw new PythonError('ValueError', `Unknown format code '${spec.type}' for object of type 'float'`);
  }
  return formatFloat(Number(n), spec, whole);
}

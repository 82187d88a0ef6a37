// Number formatting shared by `%`-formatting and `{}`-format specs, following CPython's rules:
// round-half-even on the exact binary value, two-digit exponents, 'inf'/'nan'.

/** True when the exact decimal expansion of `digits` (after the kept part) is exactly a half. */
function isExactHalf(rest: string): boolean {
  return rest[0] === '5' && /^50*$/.test(rest);
}

/** JavaScript rounds exact ties away from zero; Python rounds them to even. */
function evenTie(rounded: string): string {
  const last = rounded.charCodeAt(rounded.length - 1) - 48;
  if (last % 2 === 0) return rounded;
  return rounded.slice(0, -1) + String(last - 1);
}

/** `abs` formatted with `precision` decimals, Python's `'%.{p}f'` without the sign. */
export function fixedDigits(abs: number, precision: number): string {
  if (abs >= 1e21) {
    // toFixed switches to exponent notation here; such doubles are whole numbers
    return BigInt(abs).toString() + (precision > 0 ? '.' + '0'.repeat(precision) : '');
  }
  const p = Math.min(precision, 100);
  let out = abs.toFixed(p);
  if (p + 30 <= 100) {
    const longer = abs.toFixed(p + 30);
    const cut = longer.length - 30;
    if (isExactHalf(longer.slice(cut))) out = evenTie(out);
  }
  return precision > 100 ? out + '0'.repeat(precision - 100) : out;
}

/** `abs` as mantissa digits and exponent with `precision` decimals, `['1.50', 3]`. */
export function exponentParts(abs: number, precision: number): [string, number] {
  const p = Math.min(precision, 100);
  let text = abs.toExponential(p);
  if (p + 30 <= 100) {
    const longer = abs.toExponential(p + 30);
    const cut = longer.indexOf('e');
    const mant = longer.slice(0, cut);
    const e = text.indexOf('e');
    // a tie that carried into a new power of ten (9.5 -> 1e+01) already ends in an even digit
    const carried = longer.slice(cut) !== text.slice(e);
    if (!carried && isExactHalf(mant.slice(mant.length - 30))) text = evenTie(text.slice(0, e)) + text.slice(e);
  }
  const e = text.indexOf('e');
  let mantissa = text.slice(0, e);
  if (precision > 100) mantissa += '0'.repeat(precision - 100);
  return [mantissa, Number(text.slice(e + 1))];
}

export function exponentSuffix(exp: number, upper: boolean): string {
  const digits = String(Math.abs(exp)).padStart(2, '0');
  return (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + digits;
}

/** Python's `e` conversion without the sign. */
export function exponentDigits(abs: number, precision: number, upper: boolean, alternate = false): string {
  const [mantissa, exp] = exponentParts(abs, precision);
  return mantissa + (alternate && precision === 0 ? '.' : '') + exponentSuffix(exp, upper);
}

function stripZeros(text: string): string {
  if (!text.includes('.')) return text;
  return text.replace(/0+$/, '').replace(/\.$/, '');
}

/** Python's `g` conversion without the sign. */
export function generalDigits(abs: number, precision: number, upper: boolean, alternate = false): string {
  const p = precision === 0 ? 1 : precision;
  if (abs === 0) return alternate ? (p > 1 ? '0.' + '0'.repeat(p - 1) : '0.') : '0';
  const [, exp] = exponentParts(abs, p - 1);
  if (exp >= -4 && exp < p) {
    const out = fixedDigits(abs, p - 1 - exp);
    if (alternate) return out.includes('.') ? out : out + '.';
    return stripZeros(out);
  }
  const [mantissa] = exponentParts(abs, p - 1);
  const m = alternate ? (mantissa.includes('.') ? mantissa : mantissa + '.') : stripZeros(mantissa);
  return m + exponentSuffix(exp, upper);
}

/** 'inf', 'nan' (or upper case) for non-finite values, else undefined. */
export function nonFinite(value: number, upper: boolean): string | undefined {
  if (Number.isNaN(value)) return upper ? 'NAN' : 'nan';
  if (!Number.isFinite(value)) return upper ? 'INF' : 'inf';
  return undefined;
}

/** Python's `repr(float)`: the shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export function floatRepr(value: number): string {
  const special = nonFinite(value, false);
  if (special) return value < 0 ? '-inf' : special;
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const sign = value < 0 ? '-' : '';
  const text = Math.abs(value).toExponential();
  const e = text.indexOf('e');
  const digits = text.slice(0, e).replace('.', '');
  const exp = Number(text.slice(e + 1));
  if (exp < -4 || exp >= 16) {
    const mantissa = digits.length > 1 ? digits[0] + '.' + digits.slice(1) : digits;
    return sign + mantissa + exponentSuffix(exp, false);
  }
  if (exp < 0) return sign + '0.' + '0'.repeat(-exp - 1) + digits;
  if (digits.length <= exp + 1) return sign + digits + '0'.repeat(exp + 1 - digits.length) + '.0';
  return sign + digits.slice(0, exp + 1) + '.' + digits.slice(exp + 1);
}

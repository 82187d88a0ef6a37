// time.localtime / time.gmtime and time.strftime, enough for Formatter.formatTime and datefmt.

/** Broken-down time, as Python's struct_time. `weekday` counts from Monday = 0. */
export interface TimeParts {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  weekday: number; yearday: number; offsetMinutes: number; millisecond: number;
  /** The zone's name for %Z; gmtime's is `GMT`, as glibc prints it. */
  zone?: string;
}

function parts(date: Date, utc: boolean): TimeParts {
  const year = utc ? date.getUTCFullYear() : date.getFullYear();
  const month = (utc ? date.getUTCMonth() : date.getMonth()) + 1;
  const day = utc ? date.getUTCDate() : date.getDate();
  const startOfYear = Date.UTC(year, 0, 1);
  return {
    year, month, day,
    hour: utc ? date.getUTCHours() : date.getHours(),
    minute: utc ? date.getUTCMinutes() : date.getMinutes(),
    second: utc ? date.getUTCSeconds() : date.getSeconds(),
    weekday: ((utc ? date.getUTCDay() : date.getDay()) + 6) % 7,
    yearday: Math.floor((Date.UTC(year, month - 1, day) - startOfYear) / 86400000) + 1,
    offsetMinutes: utc ? 0 : -date.getTimezoneOffset(),
    millisecond: utc ? date.getUTCMilliseconds() : date.getMilliseconds(),
  };
}

/** Python's `time.localtime(seconds)`. */
export function localtime(seconds: number): TimeParts {
  return parts(new Date(seconds * 1000), false);
}

/** Python's `time.gmtime(seconds)`: use it as `formatter.converter = gmtime` for UTC timestamps. */
export function gmtime(seconds: number): TimeParts {
  return { ...parts(new Date(seconds * 1000), true), zone: 'GMT' };
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

/** ISO 8601 weeks in `year`: 53 when it starts on a Thursday, or on a Wednesday in a leap year. */
function isoWeeks(year: number): number {
  const p = (y: number) => (y + Math.floor(y / 4) - Math.floor(y / 100) + Math.floor(y / 400)) % 7;
  return p(year) === 4 || p(year - 1) === 3 ? 53 : 52;
}

/** The ISO 8601 year and week of a date (%G, %V). */
function isoWeek(t: TimeParts): [number, number] {
  const week = Math.floor((t.yearday - (t.weekday + 1) + 10) / 7);
  if (week < 1) return [t.year - 1, isoWeeks(t.year - 1)];
  if (week > isoWeeks(t.year)) return [t.year + 1, 1];
  return [t.year, week];
}

function weekOfYear(t: TimeParts, firstDay: number): number {
  // %U counts weeks starting on Sunday (firstDay 6), %W on Monday (firstDay 0)
  const dayOfWeek = (t.weekday - firstDay + 7) % 7;
  return Math.floor((t.yearday - 1 - dayOfWeek + 7) / 7);
}

/** A conversion's value: text, or a number with the width and fill glibc pads it to. */
type Converted = string | [value: number, width: number, fill: string];

function convert(code: string, t: TimeParts): Converted | undefined {
  const hour12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  switch (code) {
    case 'a': return DAYS[t.weekday].slice(0, 3);
    case 'A': return DAYS[t.weekday];
    case 'b': case 'h': return MONTHS[t.month - 1].slice(0, 3);
    case 'B': return MONTHS[t.month - 1];
    case 'c': return strftime('%a %b %e %H:%M:%S %Y', t);
    case 'C': return [Math.floor(t.year / 100), 2, '0'];
    case 'd': return [t.day, 2, '0'];
    case 'D': case 'x': return strftime('%m/%d/%y', t);
    case 'e': return [t.day, 2, ' '];
    case 'F': return strftime('%Y-%m-%d', t);
    case 'g': return [isoWeek(t)[0] % 100, 2, '0'];
    case 'G': return [isoWeek(t)[0], 1, '0'];
    case 'H': return [t.hour, 2, '0'];
    case 'I': return [hour12, 2, '0'];
    case 'j': return [t.yearday, 3, '0'];
    case 'k': return [t.hour, 2, ' '];
    case 'l': return [hour12, 2, ' '];
    case 'm': return [t.month, 2, '0'];
    case 'M': return [t.minute, 2, '0'];
    case 'n': return '\n';
    case 'p': return t.hour < 12 ? 'AM' : 'PM';
    case 'P': return t.hour < 12 ? 'am' : 'pm';
    case 'r': return strftime('%I:%M:%S %p', t);
    case 'R': return strftime('%H:%M', t);
    // glibc reads the fields as local time (mktime), whatever converter made them
    case 's': return [Math.floor(new Date(t.year, t.month - 1, t.day, t.hour, t.minute, t.second).getTime() / 1000), 1, '0'];
    case 'S': return [t.second, 2, '0'];
    case 't': return '\t';
    case 'T': case 'X': return strftime('%H:%M:%S', t);
    case 'u': return [t.weekday + 1, 1, '0'];
    case 'U': return [weekOfYear(t, 6), 2, '0'];
    case 'V': return [isoWeek(t)[1], 2, '0'];
    case 'w': return [(t.weekday + 1) % 7, 1, '0'];
    case 'W': return [weekOfYear(t, 0), 2, '0'];
    case 'y': return [t.year % 100, 2, '0'];
    case 'Y': return [t.year, 1, '0'];
    case 'z': {
      const off = Math.abs(t.offsetMinutes);
      return (t.offsetMinutes < 0 ? '-' : '+') + String(Math.floor(off / 60) * 100 + (off % 60)).padStart(4, '0');
    }
    case 'Z': return t.zone ?? (t.offsetMinutes === 0 ? 'UTC' : strftime('%z', t));
    case '%': return '%';
  }
  return undefined;
}

/**
 * Python's `time.strftime` as it behaves on Linux (glibc, C locale): the C89 conversions and glibc's
 * (`%e %k %l %P %G %V %u %s`...), the flags `-` (no padding), `_` (spaces), `0`, `^` (upper case),
 * `#` (swapped case), a width, and the E/O modifiers. Anything else (`%f`, `%Q`) stays as written.
 * @example strftime('%Y-%m-%d %H:%M:%S', localtime(Date.now() / 1000))
 */
export function strftime(format: string, t: TimeParts): string {
  return format.replace(/%([-_0^#]*)(\d*)[EO]?([\s\S])/g, (whole, flags: string, width: string, code: string) => {
    const value = convert(code, t);
    if (value === undefined) return whole;
    const minWidth = width ? Number(width) : 0;
    let text: string;
    if (typeof value === 'string') {
      text = value.padStart(minWidth, flags.includes('0') ? '0' : ' ');
    } else {
      const [n, natural, fill] = value;
      const last = flags[flags.length - 1];
      const padWith = last === '_' ? ' ' : last === '0' ? '0' : last === '-' ? '' : fill;
      text = padWith ? String(n).padStart(Math.max(natural, minWidth), padWith) : String(n);
    }
    if (flags.includes('^')) return text.toUpperCase();
    if (flags.includes('#')) return code === 'p' || code === 'Z' ? text.toLowerCase() : 'aAbBh'.includes(code) ? text.toUpperCase() : text;
    return text;
  });
}

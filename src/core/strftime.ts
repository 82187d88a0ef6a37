// time.localtime / time.gmtime and time.strftime, enough for Formatter.formatTime and datefmt.

/** Broken-down time, as Python's struct_time. `weekday` counts from Monday = 0. */
export interface TimeParts {
  year: number; month: number; day: number; hour: number; minute: number; second: number;
  weekday: number; yearday: number; offsetMinutes: number; millisecond: number;
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
  return parts(new Date(seconds * 1000), true);
}

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August',
  'September', 'October', 'November', 'December'];

const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);

function weekOfYear(t: TimeParts, firstDay: number): number {
  // %U counts weeks starting on Sunday (firstDay 6), %W on Monday (firstDay 0)
  const dayOfWeek = (t.weekday - firstDay + 7) % 7;
  return Math.floor((t.yearday - 1 - dayOfWeek + 7) / 7);
}

/**
 * Python's `time.strftime` in the C locale; `%f` gives microseconds as datetime's does.
 * @example strftime('%Y-%m-%d %H:%M:%S', localtime(Date.now() / 1000))
 */
export function strftime(format: string, t: TimeParts): string {
  return format.replace(/%([a-zA-Z%])/g, (whole, code: string) => {
    switch (code) {
      case 'a': return DAYS[t.weekday].slice(0, 3);
      case 'A': return DAYS[t.weekday];
      case 'b': case 'h': return MONTHS[t.month - 1].slice(0, 3);
      case 'B': return MONTHS[t.month - 1];
      case 'c': return strftime('%a %b %e %H:%M:%S %Y', t);
      case 'd': return pad(t.day);
      case 'e': return pad(t.day, 2, ' ');
      case 'f': return pad(t.millisecond * 1000, 6);
      case 'F': return strftime('%Y-%m-%d', t);
      case 'H': return pad(t.hour);
      case 'I': return pad(t.hour % 12 === 0 ? 12 : t.hour % 12);
      case 'j': return pad(t.yearday, 3);
      case 'm': return pad(t.month);
      case 'M': return pad(t.minute);
      case 'p': return t.hour < 12 ? 'AM' : 'PM';
      case 'S': return pad(t.second);
      case 'T': return strftime('%H:%M:%S', t);
      case 'U': return pad(weekOfYear(t, 6));
      case 'W': return pad(weekOfYear(t, 0));
      case 'w': return String((t.weekday + 1) % 7);
      case 'x': return strftime('%m/%d/%y', t);
      case 'X': return strftime('%H:%M:%S', t);
      case 'y': return pad(t.year % 100);
      case 'Y': return String(t.year);
      case 'z': {
        const off = Math.abs(t.offsetMinutes);
        return (t.offsetMinutes < 0 ? '-' : '+') + pad(Math.floor(off / 60)) + pad(off % 60);
      }
      case 'Z': return t.offsetMinutes === 0 ? 'UTC' : strftime('%z', t);
      case '%': return '%';
      default: return whole;
    }
  });
}

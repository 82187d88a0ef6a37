// What Python's Formatter.format does around the pattern: the message, then the exception and the
// stack text. On its own so that a handler without a formatter (the last-resort handler, a page that
// only ships records) does not carry the styles, the format specs and strftime.
import { formatError } from './exception.js';
import type { LogRecord } from './record.js';

/** `s`, then the record's exception text (made once and kept on the record) and its stack, each on a new line. */
export function appendDetails(s: string, record: LogRecord, formatException: (excInfo: unknown) => string,
  formatStack: (stackInfo: string) => string): string {
  if (record.exc_info && !record.exc_text) record.exc_text = formatException(record.exc_info);
  if (record.exc_text) {
    if (!s.endsWith('\n')) s += '\n';
    s += record.exc_text;
  }
  if (record.stack_info) {
    if (!s.endsWith('\n')) s += '\n';
    s += formatStack(record.stack_info);
  }
  return s;
}

/** The text of an error and its causes, as Formatter.formatException gives it. */
export function exceptionText(excInfo: unknown): string {
  return formatError(excInfo).replace(/\n$/, '');
}

/**
 * What `Formatter()` (`%(message)s`) makes of a record: what a handler without a formatter writes.
 * @example formatPlain(record) // 'disk full\nTraceback…'
 */
export function formatPlain(record: LogRecord): string {
  record.message = record.getMessage();
  return appendDetails(record.message, record, exceptionText, (stack) => stack);
}

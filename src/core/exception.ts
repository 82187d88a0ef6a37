// Exception text for JS errors in the shape of Python's tracebacks: the cause chain printed oldest
// first with Python's linking sentence, AggregateError's members in an exception-group block.
import { describeError } from './internal-error.js';
import { pyRepr } from './repr.js';

const MAX_CHAIN = 16;
// Python's traceback leaves a blank line on both sides of the sentence
const CAUSE = '\n\nThe above exception was the direct cause of the following exception:\n\n';

function single(err: unknown, seen: Set<unknown>): string {
  if (!(err instanceof Error)) return `Uncaught ${pyRepr(err)}`;
  let text = describeError(err).replace(/\n+$/, '');
  const errors = (err as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    text = text.replace(/^([^\n]*)/, `$1 (${errors.length} sub-error${errors.length === 1 ? '' : 's'})`);
    const lines: string[] = [text];
    errors.slice(0, MAX_CHAIN).forEach((member, i) => {
      const rule = `---------------- ${i + 1} ----------------`;
      lines.push(i === 0 ? `+-+${rule}` : `  +${rule}`);
      for (const line of chain(member, seen).split('\n')) lines.push(`  | ${line}`);
    });
    if (errors.length > MAX_CHAIN) lines.push(`  +---------------- ... ----------------`, `  | and ${errors.length - MAX_CHAIN} more`);
    lines.push('  +------------------------------------');
    text = lines.join('\n');
  }
  return text;
}

function chain(err: unknown, seen: Set<unknown>): string {
  const parts: string[] = [];
  let current: unknown = err;
  while (current !== undefined && parts.length < MAX_CHAIN) {
    if (seen.has(current)) { parts.push(`<cycle: ${pyRepr(current)}>`); break; }
    seen.add(current);
    parts.push(single(current, seen));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.reverse().join(CAUSE);
}

/** Python's exc_info with no exception, `(None, None, None)`: what exc_info true finds in JS. */
export const NO_EXC_INFO: readonly [null, null, null] = Object.freeze([null, null, null]);

/**
 * The text of an error with its causes (oldest first) and AggregateError members, as Python's
 * traceback printing lays them out. Never throws.
 * @example formatError(new Error('outer', { cause: new Error('inner') }))
 */
export function formatError(err: unknown): string {
  try {
    // Python's (type, value, traceback) tuple: the value is the error; (None, None, None) prints so
    if (Array.isArray(err) && err.length === 3) {
      if (err[1] === null || err[1] === undefined) return 'NoneType: None';
      err = err[1];
    }
    return chain(err, new Set());
  } catch (failure) {
    return `<unprintable error: ${describeError(failure)}>`;
  }
}

/** A stack captured at the logging call, for `stack_info`; `skip` drops isolog's own frames. */
export function captureStack(skip: number): string {
  const lines = (new Error().stack ?? '').split('\n');
  const frames = lines.filter((line) => /^\s+at |@/.test(line)).slice(skip + 1);
  return 'Stack (most recent call first):\n' + frames.join('\n');
}

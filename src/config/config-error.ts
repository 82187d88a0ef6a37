// ConfigError, and the words its messages use to say what to change instead.
import { closestName } from './closest-name.js';
import { checkLevel, levelNames } from '../core/level.js';

/**
 * A configuration mistake. The message names the bad key and what to change.
 * @example ConfigError: handlers.net: no handler class "FetchHander"; did you mean "FetchHandler"?
 */
export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConfigError';
  }
}

/** `; did you mean "X"?` for the closest known name, or a list of what is known. */
export function suggest(given: string, known: Iterable<string>): string {
  const names = [...known];
  const best = closestName(given, names);
  if (best) return `; did you mean "${best}"?`;
  return names.length ? `; expected one of: ${names.join(', ')}` : '';
}

/** A level from a configuration value, or a ConfigError naming the key and the closest level. */
export function levelFrom(value: unknown, path: string): number {
  try {
    return checkLevel(value as number | string);
  } catch {
    throw new ConfigError(`${path}: unknown level ${JSON.stringify(value)}${suggest(String(value), levelNames().keys())}`);
  }
}

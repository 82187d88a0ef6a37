import { pyRepr } from './repr.js';

/** Numeric levels, as in Python's logging. */
export const CRITICAL = 50;
export const FATAL = CRITICAL;
export const ERROR = 40;
export const WARNING = 30;
export const WARN = WARNING;
export const INFO = 20;
export const DEBUG = 10;
export const NOTSET = 0;

const levelToName = new Map<number, string>([
  [CRITICAL, 'CRITICAL'], [ERROR, 'ERROR'], [WARNING, 'WARNING'],
  [INFO, 'INFO'], [DEBUG, 'DEBUG'], [NOTSET, 'NOTSET'],
]);
const nameToLevel = new Map<string, number>([
  ['CRITICAL', CRITICAL], ['FATAL', FATAL], ['ERROR', ERROR], ['WARN', WARNING],
  ['WARNING', WARNING], ['INFO', INFO], ['DEBUG', DEBUG], ['NOTSET', NOTSET],
]);

// counts addLevelName calls, so that what caches a level's name can tell it may have changed
let revision = 0;

/** Changes whenever a level's name may have changed. */
export function levelNamesRevision(): number {
  return revision;
}

/**
 * Python's `getLevelName`: a number gives its name, a registered name gives its number,
 * anything else gives `'Level X'`.
 * @example getLevelName(20) === 'INFO'; getLevelName('INFO') === 20; getLevelName(33) === 'Level 33'
 */
export function getLevelName(level: number | string): string | number {
  if (typeof level === 'number') {
    const name = levelToName.get(level);
    if (name !== undefined) return name;
  } else {
    const value = nameToLevel.get(level);
    if (value !== undefined) return value;
  }
  return `Level ${level}`;
}

/**
 * Registers a custom level, as Python's `addLevelName`.
 * @example addLevelName(25, 'NOTICE'); getLogger().log(25, 'hello')
 */
export function addLevelName(level: number, name: string): void {
  levelToName.set(level, name);
  nameToLevel.set(name, level);
  revision++;
}

/**
 * Python 3.11's `getLevelNamesMapping`: every registered name and its level, a copy.
 * @example getLevelNamesMapping().WARN === 30
 */
export function getLevelNamesMapping(): Record<string, number> {
  return Object.fromEntries(nameToLevel);
}

/** The registered names, for error messages and configuration. */
export function levelNames(): Map<string, number> {
  return new Map(nameToLevel);
}

/**
 * Python's `_checkLevel`: a whole number, or a registered name, becomes a number; anything else throws.
 * Configuration mistakes throw; logging calls never reach here with user input.
 */
export function checkLevel(level: number | string): number {
  if (typeof level === 'number') {
    if (Number.isInteger(level)) return level;
    throw new TypeError(`Level not an integer or a valid string: ${pyRepr(level)}`);
  }
  if (typeof level === 'string') {
    const value = nameToLevel.get(level);
    if (value === undefined) throw new RangeError(`Unknown level: ${pyRepr(level)}`);
    return value;
  }
  throw new TypeError(`Level not an integer or a valid string: ${pyRepr(level)}`);
}

// Python's module-level logging functions: each logs through the root logger, calling basicConfig()
// first when the root has no handlers (even when the call itself is below the root's level).
import { basicConfig } from './basic-config.js';
import { CRITICAL, DEBUG, ERROR, INFO, WARNING } from '../core/level.js';
import { root } from '../core/logger.js';

function ensureHandler(): void {
  if (root.handlers.length === 0) basicConfig();
}

/**
 * Python's `logging.debug`: logs on the root logger, configuring it with `basicConfig()` if it has
 * no handlers yet.
 * @example import * as logging from 'isolog'; logging.debug('cache miss for %s', key)
 */
export function debug(msg: unknown, ...args: unknown[]): void {
  ensureHandler();
  // _log with one frame skipped, so stack_info starts at the caller, as root.debug's would
  if (root.isEnabledFor(DEBUG)) root._log(DEBUG, msg, args, 1);
}

/**
 * Python's `logging.info` (see `debug`).
 * @example info('listening on %d', port)
 */
export function info(msg: unknown, ...args: unknown[]): void {
  ensureHandler();
  if (root.isEnabledFor(INFO)) root._log(INFO, msg, args, 1);
}

/**
 * Python's `logging.warning` (see `debug`).
 * @example warning('disk %d%% full', used)
 */
export function warning(msg: unknown, ...args: unknown[]): void {
  ensureHandler();
  if (root.isEnabledFor(WARNING)) root._log(WARNING, msg, args, 1);
}

/**
 * Python's deprecated `logging.warn`, the same as `warning`.
 * @example warn('old setting %s ignored', key)
 */
export function warn(msg: unknown, ...args: unknown[]): void {
  ensureHandler();
  if (root.isEnabledFor(WARNING)) root._log(WARNING, msg, args, 1);
}

/**
 * Python's `logging.error` (see `debug`); a trailing Error is the record's exception.
 * @example error('payment %s failed', id, err)
 */
export function error(msg: unknown, ...args: unknown[]): void {
  ensureHandler();
  if (root.isEnabledFor(ERROR)) root._log(ERROR, msg, args, 1);
}

/**
 * Python's `logging.exception`: `error` with exc_info true; pass the caught Error last.
 * @example try { run() } catch (err) { exception('run failed', err) }
 */
export function exception(msg: unknown, ...args: unknown[]): void {
  ensureHandler();
  if (root.isEnabledFor(ERROR)) root._log(ERROR, msg, args, 1, true);
}

/**
 * Python's `logging.critical` (see `debug`).
 * @example critical('cannot start: %s', reason)
 */
export function critical(msg: unknown, ...args: unknown[]): void {
  ensureHandler();
  if (root.isEnabledFor(CRITICAL)) root._log(CRITICAL, msg, args, 1);
}

/**
 * Python's `logging.fatal`, the same as `critical`.
 * @example fatal('out of memory')
 */
export const fatal = critical;

/**
 * Python's `logging.log(level, msg, *args)` (see `debug`); a level that is not an integer is reported.
 * @example log(25, 'config reloaded')
 */
export function log(level: number, msg: unknown, ...args: unknown[]): void {
  ensureHandler();
  root.log(level, msg, ...args);
}

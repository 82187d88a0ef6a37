// Python's module-level logging functions: each logs through the root logger, calling basicConfig()
// first when the root has no handlers (even when the call itself is below the root's level).
import { basicConfig } from './basic-config.js';
import { CRITICAL, DEBUG, ERROR, INFO, WARNING } from '../core/level.js';
import { root, type LogMethod } from '../core/logger.js';

function ensureHandler(): void {
  if (root.handlers.length === 0) basicConfig();
}

/** One module-level function: configures the root if needed, then logs at `level` on it. */
function rootMethod(level: number, excInfo: true | null = null): LogMethod {
  return (msg, ...args) => {
    ensureHandler();
    // _log with one frame skipped, so stack_info starts at the caller, as root.debug's would
    if (root.isEnabledFor(level)) root._log(level, msg, args, 1, excInfo);
  };
}

/**
 * Python's `logging.debug`: logs on the root logger, configuring it with `basicConfig()` if it has
 * no handlers yet.
 * @example import * as logging from 'isolog'; logging.debug('cache miss for %s', key)
 */
export const debug: LogMethod = /* @__PURE__ */ rootMethod(DEBUG);

/**
 * Python's `logging.info` (see `debug`).
 * @example info('listening on %d', port)
 */
export const info: LogMethod = /* @__PURE__ */ rootMethod(INFO);

/**
 * Python's `logging.warning` (see `debug`).
 * @example warning('disk %d%% full', used)
 */
export const warning: LogMethod = /* @__PURE__ */ rootMethod(WARNING);

/**
 * Python's deprecated `logging.warn`, the same as `warning`.
 * @example warn('old setting %s ignored', key)
 */
export const warn: LogMethod = /* @__PURE__ */ rootMethod(WARNING);

/**
 * Python's `logging.error` (see `debug`); a trailing Error is the record's exception.
 * @example error('payment %s failed', id, err)
 */
export const error: LogMethod = /* @__PURE__ */ rootMethod(ERROR);

/**
 * Python's `logging.exception`: `error` with exc_info true; pass the caught Error last.
 * @example try { run() } catch (err) { exception('run failed', err) }
 */
export const exception: LogMethod = /* @__PURE__ */ rootMethod(ERROR, true);

/**
 * Python's `logging.critical` (see `debug`).
 * @example critical('cannot start: %s', reason)
 */
export const critical: LogMethod = /* @__PURE__ */ rootMethod(CRITICAL);

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

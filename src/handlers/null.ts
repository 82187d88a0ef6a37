import { Handler } from '../core/handler.js';
import type { LogRecord } from '../core/record.js';

/**
 * Python's `NullHandler`: does nothing. A library adds it to its top logger so that an app that
 * configures no logging sees no last-resort output from it.
 * @example getLogger('mylib').addHandler(new NullHandler())
 */
export class NullHandler extends Handler {
  override handle(_record: LogRecord): false { return false; }
  emit(_record: LogRecord): void {}
}

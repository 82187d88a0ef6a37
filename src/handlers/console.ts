import { Handler } from '../core/handler.js';
import { ERROR, INFO, WARNING } from '../core/level.js';
import { extraFields, type LogRecord } from '../core/record.js';

type ConsoleMethod = 'error' | 'warn' | 'info' | 'debug';

function methodFor(levelno: number): ConsoleMethod {
  if (levelno >= ERROR) return 'error';
  if (levelno >= WARNING) return 'warn';
  return levelno >= INFO ? 'info' : 'debug';
}

/**
 * Writes each record to the console method for its level (error, warn, info, debug), so DevTools
 * colours and filters them. Extra fields follow the text as one object, expandable in DevTools.
 * @example getLogger().addHandler(new ConsoleHandler())
 */
export class ConsoleHandler extends Handler {
  /** Pass extra fields as a second console argument (on by default). */
  showExtra = true;

  // a failure here reaches handleError through handle()
  emit(record: LogRecord): void {
    const text = this.format(record);
    const extra = this.showExtra ? extraFields(record) : undefined;
    const fn = console[methodFor(record.levelno)];
    if (extra) fn(text, extra);
    else fn(text);
  }
}

import { Handler } from '../core/handler.js';
import { DEBUG, ERROR, INFO, WARNING } from '../core/level.js';
import { extraFields, type LogRecord } from '../core/record.js';

type ConsoleMethod = 'error' | 'warn' | 'info' | 'debug';

function methodFor(levelno: number): ConsoleMethod {
  if (levelno >= ERROR) return 'error';
  if (levelno >= WARNING) return 'warn';
  if (levelno >= INFO) return 'info';
  return levelno >= DEBUG ? 'debug' : 'debug';
}

/**
 * Writes each record to the console method for its level (error, warn, info, debug), so DevTools
 * colours and filters them. Extra fields follow the text as one object, expandable in DevTools.
 * @example getLogger().addHandler(new ConsoleHandler())
 */
export class ConsoleHandler extends Handler {
  /** Pass extra fields as a second console argument (on by default). */
  showExtra = true;

  emit(record: LogRecord): void {
    try {
      const text = this.format(record);
      const extra = this.showExtra ? extraFields(record) : undefined;
      const fn = console[methodFor(record.levelno)];
      if (extra) fn(text, extra);
      else fn(text);
    } catch (err) {
      this.handleError(record, err);
    }
  }
}

// Shared pieces of the unit tests: a stream that keeps what is written, and a reset of the
// logging tree between tests (a new process in Python, one module instance here).
import { getLogger, Logger, manager, NOTSET, root, WARNING, type TextStream } from '../../src/index.js';

export class StringStream implements TextStream {
  text = '';
  write(s: string): void { this.text += s; }
  getvalue(): string { return this.text; }
}

export function resetLogging(): void {
  for (const h of [...root.handlers]) root.removeHandler(h);
  root.setLevel(WARNING);
  root.filters = [];
  for (const [, lg] of manager.loggerDict) {
    if (!(lg instanceof Logger)) continue;
    for (const h of [...lg.handlers]) lg.removeHandler(h);
    lg.setLevel(NOTSET);
    lg.filters = [];
    lg.disabled = false;
    lg.propagate = true;
  }
  void getLogger;
}

/** Python's asctime and the cookbook's `%m-%d %H:%M` become fixed text, so outputs compare. */
export function maskTimes(text: string): string {
  return text
    .replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}/g, '<asctime>')
    .replace(/^\d\d-\d\d \d\d:\d\d /gm, '<mm-dd HH:MM> ');
}

// Filters and the Filterer base shared by Logger and Handler, with Python's rules.
import type { LogRecord } from './record.js';

/** What a filter returns: falsy drops the record, a LogRecord replaces it, anything else keeps it. */
export type FilterResult = boolean | LogRecord | null | undefined | number;
/** A filter object (anything with `filter(record)`) or a plain function. */
export type FilterLike = { filter(record: LogRecord): FilterResult } | ((record: LogRecord) => FilterResult);

/**
 * Python's `logging.Filter`: passes records from the named logger and its children.
 * `new Filter('A.B')` passes 'A.B' and 'A.B.C', not 'A.BB'. The empty name passes everything.
 * @example handler.addFilter(new Filter('app.db'))
 */
export class Filter {
  readonly name: string;
  constructor(name = '') {
    this.name = name;
  }

  filter(record: LogRecord): FilterResult {
    const n = this.name.length;
    if (n === 0 || this.name === record.name) return true;
    if (!record.name.startsWith(this.name)) return false;
    return record.name[n] === '.';
  }
}

/**
 * Holds filters and applies them in order, as Python's Filterer: the first falsy result drops the
 * record; a filter that returns a LogRecord hands that record to the filters after it.
 */
export class Filterer {
  filters: FilterLike[] = [];

  addFilter(filter: FilterLike): void {
    if (!this.filters.includes(filter)) this.filters.push(filter);
  }

  removeFilter(filter: FilterLike): void {
    const i = this.filters.indexOf(filter);
    if (i >= 0) this.filters.splice(i, 1);
  }

  /** The record to go on with (possibly replaced by a filter), or false to drop it. */
  filter(record: LogRecord): LogRecord | false {
    const filters = this.filters;
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i];
      const result = typeof f === 'function' ? f(record) : f.filter(record);
      if (!result) return false;
      if (typeof result === 'object') record = result;
    }
    return record;
  }
}

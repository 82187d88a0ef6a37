// Replays the cases of test/fixtures/format-cases.json, whose answers CPython computed
// (test/python/gen_format_cases.py), against isolog's own implementation.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Formatter, gmtime, LogRecord, WARNING, percentFormat, formatValue, type StyleName } from '../../../src/index.js';
import { JSON_TEXT } from '../../../src/core/json-repr.js';
import { percentFormatWith } from '../../../src/core/percent-format.js';

interface Outcome { out?: string; error?: string; message?: string; construct_error?: string }
const cases = JSON.parse(readFileSync(new URL('../../fixtures/format-cases.json', import.meta.url), 'utf8')) as {
  percent: (Outcome & { fmt: string; args: unknown[] | Record<string, unknown> })[];
  spec: (Outcome & { value: unknown; spec: string })[];
  conversion: { value: unknown; out: string }[];
  unvalidated: (Outcome & { fmt: string })[];
  formatter: (Outcome & { fmt: string; style: StyleName; datefmt: string | null; created: number })[];
};

function outcome(run: () => string): Outcome {
  try {
    return { out: run() };
  } catch (err) {
    return { error: (err as Error).name, message: (err as Error).message };
  }
}

function expected(c: Outcome): Outcome {
  return c.out !== undefined ? { out: c.out } : { error: c.error, message: c.message };
}

describe('%-formatting matches CPython', () => {
  for (const c of cases.percent) {
    it(`${JSON.stringify(c.fmt)} % ${JSON.stringify(c.args)}`, () => {
      expect(outcome(() => percentFormat(c.fmt, c.args))).toEqual(expected(c));
    });
  }
});

// the worker merges the page's JSON arguments with JSON_TEXT, the JSON-only twin of str() and repr():
// the same cases (all JSON) must come out the same through it
describe('%-formatting of JSON arguments, as the worker does it, matches CPython', () => {
  for (const c of cases.percent) {
    it(`${JSON.stringify(c.fmt)} % ${JSON.stringify(c.args)}`, () => {
      expect(outcome(() => percentFormatWith(JSON_TEXT, c.fmt, c.args))).toEqual(expected(c));
    });
  }
});

describe('!a, !r and !s of a field match CPython', () => {
  for (const c of cases.conversion) {
    it(JSON.stringify(c.value), () => {
      const record = new LogRecord('app', WARNING, '(unknown file)', 0, 'm', null, null);
      (record as unknown as Record<string, unknown>).x = c.value;
      expect(new Formatter('{x!a}|{x!r}|{x!s}|{x!a:>12}', null, '{').format(record)).toBe(c.out);
    });
  }
});

describe('the { style unvalidated formats as str.format does', () => {
  for (const c of cases.unvalidated) {
    it(JSON.stringify(c.fmt), () => {
      const formatter = new Formatter(c.fmt, null, '{', false);
      const record = new LogRecord('app.db', WARNING, '(unknown file)', 0, 'disk %d%% full', [93], null);
      expect(outcome(() => formatter.format(record))).toEqual(expected(c));
    });
  }
});

describe('format specs match CPython', () => {
  for (const c of cases.spec) {
    it(`format(${JSON.stringify(c.value)}, ${JSON.stringify(c.spec)})`, () => {
      expect(outcome(() => formatValue(c.value, c.spec))).toEqual(expected(c));
    });
  }
});

describe('Formatter matches CPython', () => {
  for (const c of cases.formatter) {
    it(`${c.style} ${JSON.stringify(c.fmt)} datefmt=${JSON.stringify(c.datefmt)}`, () => {
      let formatter: Formatter;
      try {
        formatter = new Formatter(c.fmt, c.datefmt, c.style);
      } catch (err) {
        expect({ error: (err as Error).name, message: (err as Error).message })
          .toEqual({ error: c.construct_error, message: c.message });
        return;
      }
      expect(c.construct_error).toBeUndefined();
      formatter.converter = gmtime;
      const record = new LogRecord('app.db', WARNING, '(unknown file)', 0, 'disk %d%% full', [93], null);
      record.created = c.created;
      record.msecs = 123;
      expect(outcome(() => formatter.format(record))).toEqual(expected(c));
    });
  }
});

import { describe, expect, it } from 'vitest';
import * as logging from '../../../src/index.js';
import { ERROR, INFO, LogRecord } from '../../../src/index.js';
import { JSON_TEXT } from '../../../src/core/json-repr.js';

const rec = (msg: unknown, args: unknown[] = [], exc: unknown = null) => new LogRecord('fmt.test', ERROR, '(unknown file)', 0, msg, args, exc);

describe('Formatter', () => {
  it("asctime defaults to Python's shape, with milliseconds after a comma", () => {
    const f = new logging.Formatter('%(asctime)s');
    const r = rec('x');
    expect(f.format(r)).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}$/);
    expect(f.format(r).slice(-3)).toBe(String(r.msecs).padStart(3, '0'));
  });

  it('converter and the default time formats are read as Python reads them: the instance, else its class', () => {
    const r = rec('x');
    r.created = 1763806830.123;
    r.msecs = 123;
    const one = new logging.Formatter('%(asctime)s');
    one.converter = logging.gmtime;
    one.default_msec_format = '%s.%03d';
    expect(one.format(r)).toBe('2025-11-22 10:20:30.123');
    one.default_msec_format = null;
    one.default_time_format = '%H:%M:%S';
    expect(one.format(r)).toBe('10:20:30');
    class UTCFormatter extends logging.Formatter {
      static override converter = logging.gmtime;
    }
    expect(new UTCFormatter('%(asctime)s', '%H:%M %Z').format(r)).toBe('10:20 GMT');
    const saved = logging.Formatter.converter;
    logging.Formatter.converter = logging.gmtime;
    try {
      expect(new logging.Formatter('%(asctime)s').format(r)).toBe('2025-11-22 10:20:30,123');
    } finally {
      logging.Formatter.converter = saved;
    }
  });

  it("%s in a datefmt is the epoch second of local time's fields, as glibc's mktime reads them", () => {
    const seconds = 1763806830.5;
    expect(logging.strftime('%s', logging.localtime(seconds))).toBe('1763806830');
  });

  it('appends exception and stack text after the message, each on its own line', () => {
    const f = new logging.Formatter('%(levelname)s: %(message)s');
    const r = rec('boom', [], new Error('inner'));
    r.stack_info = 'Stack (most recent call first):\n    at here';
    const text = f.format(r);
    expect(text.split('\n')[0]).toBe('ERROR: boom');
    expect(text.split('\n')[1]).toBe('Error: inner');
    expect(text.endsWith('Stack (most recent call first):\n    at here')).toBe(true);
    expect(r.exc_text).toContain('Error: inner');
  });

  it('defaults fill fields a record lacks', () => {
    const f = new logging.Formatter('%(message)s %(region)s', null, '%', true, { defaults: { region: 'eu' } });
    expect(f.format(rec('hi'))).toBe('hi eu');
    const r = rec('hi');
    r.region = 'us';
    expect(f.format(r)).toBe('hi us');
  });

  it('rejects an unknown style', () => {
    expect(() => new logging.Formatter('%(message)s', null, '#' as '%')).toThrow('Style must be one of: %,{,$');
  });

  it('converter = gmtime formats in UTC', () => {
    const f = new logging.Formatter('%(asctime)s', '%Y-%m-%d %H:%M:%S %z');
    f.converter = logging.gmtime;
    const r = rec('x');
    r.created = 0;
    expect(f.format(r)).toBe('1970-01-01 00:00:00 +0000');
  });
});

describe('exception text', () => {
  it('prints a cause chain oldest first with Python\'s linking sentence', () => {
    const root = new RangeError('disk full');
    const mid = new Error('write failed', { cause: root });
    const top = new Error('save failed', { cause: mid });
    const text = logging.formatError(top);
    const order = ['RangeError: disk full', 'Error: write failed', 'Error: save failed'].map((s) => text.indexOf(s));
    expect(order.every((v, i) => v >= 0 && (i === 0 || v > order[i - 1]))).toBe(true);
    expect(text.split('The above exception was the direct cause of the following exception:').length).toBe(3);
    // a blank line on both sides, as in CPython's traceback.format_exception
    expect(text).toMatch(/[^\n]\n\nThe above exception was the direct cause of the following exception:\n\nError: write failed/);
  });

  it('prints AggregateError members in a group block', () => {
    const text = logging.formatError(new AggregateError([new Error('a'), new TypeError('b')], 'all failed'));
    expect(text).toMatch(/^AggregateError: all failed \(2 sub-errors\)/);
    expect(text).toContain('+-+---------------- 1 ----------------\n  | Error: a');
    expect(text).toContain('  +---------------- 2 ----------------\n  | TypeError: b');
  });

  it('survives cycles, non-Error causes and thrown primitives', () => {
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(logging.formatError(b)).toContain('<cycle');
    expect(logging.formatError(new Error('x', { cause: 'text cause' }))).toContain("Uncaught 'text cause'");
    expect(logging.formatError(42)).toBe('Uncaught 42');
  });
});

describe('safe serialization', () => {
  it('handles cycles, BigInt, Map, Set, Date, errors with causes, typed arrays, functions and symbols', () => {
    const obj: Record<string, unknown> = {
      n: 10n, m: new Map([['k', 1]]), s: new Set([1, 2]), d: new Date(0), f: function named() {}, sym: Symbol('s'),
      e: new Error('outer', { cause: new Error('inner') }), t: new Uint8Array([1, 2]), u: undefined, nan: NaN,
    };
    obj.self = obj;
    const v = logging.toJsonValue(obj) as Record<string, unknown>;
    expect(v.n).toBe('10');
    expect(v.m).toEqual({ k: 1 });
    expect(v.s).toEqual([1, 2]);
    expect(v.d).toBe('1970-01-01T00:00:00.000Z');
    expect(v.f).toBe('[Function named]');
    expect(v.sym).toBe('Symbol(s)');
    expect((v.e as Record<string, unknown>).message).toBe('outer');
    expect(((v.e as Record<string, unknown>).cause as Record<string, unknown>).message).toBe('inner');
    expect(v.t).toEqual([1, 2]);
    expect(v.u).toBeNull();
    expect(v.nan).toBe('NaN');
    expect(v.self).toBe('[Circular]');
    expect(() => structuredClone(v)).not.toThrow();
  });

  it('reports getters that throw and toJSON that throws instead of throwing', () => {
    const obj = { get bad(): string { throw new Error('nope'); }, ok: 1, j: { toJSON() { throw new Error('tj'); } } };
    expect(logging.toJsonValue(obj)).toEqual({ bad: '[Thrown: Error: nope]', ok: 1, j: '[toJSON threw: Error: tj]' });
  });

  it('bounds depth, items, string length and total size', () => {
    let deep: Record<string, unknown> = {};
    const top = deep;
    for (let i = 0; i < 20; i++) { deep.next = {}; deep = deep.next as Record<string, unknown>; }
    expect(JSON.stringify(logging.toJsonValue(top, { maxDepth: 3 }))).toBe('{"next":{"next":{"next":"[Object]"}}}');
    const many = logging.toJsonValue(Array.from({ length: 10 }, (_, i) => i), { maxItems: 3 });
    expect(many).toEqual([0, 1, 2, '[7 more]']);
    const long = logging.toJsonValue('x'.repeat(1_000_000)) as string;
    expect(long.length).toBeLessThan(20_000);
    expect(long).toContain('more chars]');
    const huge = logging.safeStringify(Array.from({ length: 100 }, () => 'y'.repeat(10_000)));
    expect(huge.length).toBeLessThan(300_000);
  });

  it('describes DOM-like nodes without walking them', () => {
    expect(logging.toJsonValue({ nodeType: 1, nodeName: 'DIV', id: 'main', className: 'a b', parentNode: {} })).toBe('[div#main.a.b]');
  });

  it('safeStringify never throws, even for a Proxy that throws on every trap', () => {
    const hostile = new Proxy({}, { ownKeys() { throw new Error('trap'); }, get() { throw new Error('trap'); } });
    expect(() => logging.safeStringify(hostile)).not.toThrow();
    expect(() => logging.pyRepr(hostile)).not.toThrow();
    expect(() => logging.pyStr(hostile)).not.toThrow();
  });
});

describe("the worker's JSON-only str() and repr()", () => {
  it('print every JSON value exactly as pyStr and pyRepr do', () => {
    let deep: unknown = ['bottom'];
    for (let i = 0; i < 9; i++) deep = i % 2 ? [deep, i] : { level: deep };
    const values: unknown[] = [
      'it\'s "quoted"', 'tab\tnew\nline \u2028 é 😀 \x7f', 0, -0, 1.5, 1e21, 2 ** 53 + 2, 1e-7, -123456.789, true, false, null,
      [], {}, [1, 'a', null, [true, { k: 2.5 }]], { 'a key': { nested: ['x'] }, n: -1 },
      JSON.parse('{"__proto__": {"x": 1}, "y": -0}'),
      Array.from({ length: 150 }, (_, i) => i), Object.fromEntries(Array.from({ length: 130 }, (_, i) => [`k${i}`, i])), deep,
    ];
    for (const value of values) {
      expect(JSON_TEXT.repr(value)).toBe(logging.pyRepr(value));
      expect(JSON_TEXT.str(value)).toBe(logging.pyStr(value));
    }
  });
});

describe('JsonFormatter', () => {
  it('writes one JSON object per record with the collector\'s fields', () => {
    const r = new LogRecord('api', INFO, '(unknown file)', 0, 'user %s', ['ann'], null);
    r.requestId = 'r-1';
    r.big = 5n;
    const parsed = JSON.parse(new logging.JsonFormatter({ resource: { 'service.name': 'shop' } }).format(r));
    expect(parsed).toMatchObject({
      uid: r.uid, level: 20, levelname: 'INFO', logger: 'api', message: 'user ann',
      attributes: { requestId: 'r-1', big: '5' }, resource: { 'service.name': 'shop' },
    });
    expect(new Date(parsed.time).getTime()).toBe(Math.round(r.created * 1000));
  });

  it('keeps going when the message does not fit its arguments', () => {
    const r = new LogRecord('api', INFO, '(unknown file)', 0, '%d', ['x'], null);
    expect(JSON.parse(new logging.JsonFormatter().format(r)).message).toContain('format error');
  });
});

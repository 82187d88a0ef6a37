// The page-to-worker batch: what encodeBatch writes on the page, decodeBatch reads back in the worker.
import { describe, expect, it } from 'vitest';
import { addLevelName, extra, getLogger, INFO, LogRecord, makeLogRecord, setInternalErrorSink, WARNING } from '../../../src/index.js';
import { toJsonValue } from '../../../src/core/serialize.js';
import type { RawBatch } from '../../../src/pipeline/protocol.js';
import { BatchBuilder, encodeBatch } from '../../../src/pipeline/batch-encoder.js';
import { masker } from '../../../src/pipeline/redact.js';
import { decodeBatch } from '../../../src/pipeline/batch-decoder.js';
import { JSON_TEXT } from '../../../src/core/json-repr.js';

const decode = (text: string) => decodeBatch(text, JSON_TEXT);

function record(name: string, level: number, msg: unknown, args: unknown[], fields: Record<string, unknown> = {}): LogRecord {
  const r = new LogRecord(name, level, '(unknown file)', 0, msg, args, null);
  Object.assign(r, fields);
  return r;
}

const redact = masker({ keys: [/password|token|secret/i, 'Authorization'], replacement: '[REDACTED]' });

describe('page-to-worker batches', () => {
  it('carry every field through, with messages merged in the worker', () => {
    const records = [
      record('app', INFO, 'request %d took %.1f ms', [1, 2.25]),
      record('app.db', WARNING, 'slow: %(table)s', [{ table: 'users' }], { rows: 3 }),
      record('app', INFO, 'request %d took %.1f ms', [2, 3.5]),
      record('app', INFO, 'no args, 100% literal', []),
    ];
    const decoded = decode(encodeBatch(records, null));
    expect(decoded.map((r) => [r.name, r.levelno, r.levelname, r.message])).toEqual([
      ['app', 20, 'INFO', 'request 1 took 2.2 ms'],
      ['app.db', 30, 'WARNING', 'slow: users'],
      ['app', 20, 'INFO', 'request 2 took 3.5 ms'],
      ['app', 20, 'INFO', 'no args, 100% literal'],
    ]);
    expect(decoded.map((r) => r.uid)).toEqual(records.map((r) => r.uid));
    decoded.forEach((r, i) => expect(r.created).toBe(Math.round(records[i].created * 1000) / 1000));
    expect(decoded[1].rows).toBe(3);
    expect(decoded[0].exc_text).toBeNull();
  });

  it('write each logger name and message template once, and numbers as columns', () => {
    const records = Array.from({ length: 50 }, (_, i) => record('app.http', INFO, 'GET /items/%d', [i], { route: '/items' }));
    const text = encodeBatch(records, null);
    const batch = JSON.parse(text) as RawBatch;
    expect(batch.names).toEqual(['app.http']);
    expect(batch.messages).toEqual(['GET /items/%d']);
    expect(batch.argv).toEqual(records.map((_, i) => i));
    // one run of one site, and a time step only where the clock moved
    expect(batch.siteRuns).toEqual([0, 0]);
    expect(batch.createdSteps.length).toBeLessThan(records.length);
    expect(batch.seqOffsets).toBeUndefined();
    expect(batch.extra.route).toHaveLength(50);
    expect(batch.extraAt).toBeUndefined();
    expect(decode(text)[49]).toMatchObject({ message: 'GET /items/49', route: '/items' });
  });

  it("keep each record's own extra fields when records in a batch differ", () => {
    const decoded = decode(encodeBatch([
      record('x', INFO, 'a', [], { user: 'ann' }),
      record('x', INFO, 'b', []),
      record('x', INFO, 'c', [], { user: null, n: 0, ok: false }),
    ], null));
    expect(decoded.map((r) => [r.user, r.n, r.ok])).toEqual([['ann', undefined, undefined], [undefined, undefined, undefined], [null, 0, false]]);
    expect('user' in decoded[1]).toBe(false);
  });

  it('never let a field named __proto__ or like a record field change the record', () => {
    const r = record('x', INFO, 'a', []);
    Object.defineProperty(r, '__proto__', { value: { polluted: true }, enumerable: true });
    Object.assign(r, { constructor: 'field' });
    const [decoded] = decode(encodeBatch([r], null));
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(decoded.name).toBe('x');
  });

  it('keep seq gaps, explicit uids, renamed levels, exceptions and stacks', () => {
    const a = record('x', INFO, 'a', []);
    record('x', INFO, 'skipped', []);
    const b = makeLogRecord({ name: 'remote', levelno: 25, levelname: 'NOTICE', msg: 'from elsewhere', uid: 'given-uid-1', created: 1.5 });
    const c = record('x', INFO, 'renamed', [], { levelname: 'INFORMATION', exc_text: 'Traceback...', stack_info: 'Stack (most recent call last)' });
    const d = record('x', INFO, 'a filter broke my time', [], { created: 'yesterday' });
    const decoded = decode(encodeBatch([a, b, c, d], null));
    expect(decoded[3].created).toBe(decoded[2].created);
    expect(decoded.map((r) => r.uid)).toEqual([a.uid, 'given-uid-1', c.uid, d.uid]);
    expect(decoded.map((r) => r.levelname)).toEqual(['INFO', 'NOTICE', 'INFORMATION', 'INFO']);
    expect(decoded[1].created).toBe(1.5);
    expect(decoded[2].exc_text).toBe('Traceback...');
    expect(decoded[2].stack_info).toBe('Stack (most recent call last)');
  });

  it('format on the page what JSON cannot carry exactly, and keep a mismatch in the text', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const decoded = decode(encodeBatch([
      record('x', INFO, 'big %s', [10n ** 20n]),
      record('x', INFO, 'obj %r', [new Map([['k', 1]])]),
      record('x', INFO, 'missing %s %s', ['one']),
      record('x', INFO, 'cyclic %s', [cyclic]),
      record('x', INFO, 'fields', [], { when: new Date(0), big: 5n, self: cyclic }),
    ], null));
    expect(decoded[0].message).toBe('big 100000000000000000000');
    expect(decoded[1].message).toBe("obj {'k': 1}");
    expect(decoded[2].message).toContain('missing %s %s [logging error: TypeError: not enough arguments for format string');
    expect(decoded[3].message).toBe("cyclic {'a': 1, 'self': {...}}");
    expect(decoded[4].when).toBe('1970-01-01T00:00:00.000Z');
    expect(decoded[4].big).toBe(toJsonValue(5n));
    expect(decoded[4].self).toEqual(toJsonValue(cyclic));
    expect(() => JSON.stringify(decoded)).not.toThrow();
  });

  it('mask secret keys in extra fields, mapping arguments and objects formatted on the page', () => {
    const decoded = decode(encodeBatch([
      record('x', INFO, 'user %(user)s pw %(password)s', [{ user: 'ann', password: 'hunter2' }]),
      record('x', INFO, 'form %s', [{ token: 'hunter3', list: [{ Secret: 'hunter4' }] }]),
      record('x', INFO, 'fields', [], { headers: { authorization: 'Bearer x', accept: 'json' }, password: 'hunter5' }),
    ], redact));
    expect(decoded[0].message).toBe('user ann pw [REDACTED]');
    expect(decoded[1].message).toBe("form {'token': '[REDACTED]', 'list': [{'Secret': '[REDACTED]'}]}");
    expect(decoded[2].headers).toEqual({ authorization: '[REDACTED]', accept: 'json' });
    expect(decoded[2].password).toBe('[REDACTED]');
  });

  it('leave values without secrets as they are, without copying them', () => {
    const value = { user: 'ann', tags: ['a', 'b'], nested: { depth: 1 } };
    expect(redact.mask(value)).toBe(value);
    const masked = redact.mask({ keep: value, password: 'x' }) as Record<string, unknown>;
    expect(masked.keep).toBe(value);
  });

  it('carry the fields a call gives with extra() and a filter adds', () => {
    const log = getLogger('raw-batch.extra');
    const seen: LogRecord[] = [];
    log.propagate = false;
    log.addFilter((r) => { r.ip = '10.0.0.1'; return true; });
    log.addHandler({ level: 0, handle: (r: LogRecord) => { seen.push(r); return true; } } as never);
    log.setLevel(INFO);
    log.info('hi %s', 'you', extra({ route: '/api' }));
    const [decoded] = decode(encodeBatch(seen, null));
    expect(decoded).toMatchObject({ message: 'hi you', route: '/api', ip: '10.0.0.1' });
  });
});

describe('batches stored by an earlier version', () => {
  it('are still read: protocol 5 keyed levels, mappings and sparse fields by number in objects', () => {
    const v5 = JSON.stringify({
      uidPrefix: 'p-', seqStart: 10, createdStart: 1_700_000_000_000, created: [0, 5], names: ['app'], messages: ['a %(k)s', 'b'],
      sites: [[20, 0, 0, -1], [40, 0, 1, 0]], site: [0, 1], levelnames: { 20: 'INFO', 40: 'ERROR' }, argv: [],
      mappings: { 0: { k: 'v' } }, extra: { user: ['ann'] }, extraAt: { user: [1] },
      exc: { 1: 'Traceback' }, stack: { 1: 'Stack' }, uid: { 0: 'given' }, levelname: { 1: 'FAILURE' },
    });
    const decoded = decode(v5);
    expect(decoded.map((r) => [r.message, r.levelname, r.uid, r.exc_text, r.stack_info, r.user, r.created])).toEqual([
      ['a v', 'INFO', 'given', null, null, undefined, 1_700_000_000],
      ['b', 'FAILURE', 'p-b', 'Traceback', 'Stack', 'ann', 1_700_000_000.005],
    ]);
  });

  it('are written with no object keyed by numbers (such keys take JSON.stringify off its fast path)', () => {
    const builder = new BatchBuilder(null);
    const r = new LogRecord('x', INFO, '(unknown file)', 0, 'e %(k)s', [{ k: 1 }], new Error('boom'));
    r.levelname = 'CUSTOM';
    r.stack_info = 'Stack';
    r.uid = 'given';
    builder.add(r);
    const batch = JSON.parse(builder.finish()) as Record<string, unknown>;
    for (const key of ['levelnames', 'levelname', 'mappings', 'exc', 'stack', 'uid']) expect(Array.isArray(batch[key]), key).toBe(true);
  });
});

describe('calls without a record (Handler.handleCall)', () => {
  type Call = [string, number, unknown, unknown[], Record<string, unknown> | undefined];
  const cyclic: Record<string, unknown> = { a: 1 };
  cyclic.self = cyclic;
  const calls: Call[] = [
    ['app', INFO, 'plain', [], undefined],
    ['app', INFO, 'request %d took %.1f ms', [1, 2.25], { route: '/api' }],
    ['app', INFO, 'request %d took %.1f ms', [2, 3.5], { route: '/api', user: 'ann' }],
    ['app.db', WARNING, 'slow: %(table)s pw %(password)s', [{ table: 'users', password: 'hunter2' }], undefined],
    ['app', INFO, 'empty mapping %s', [{}], undefined],
    ['app', INFO, 'objects %s %r', [cyclic, new Map([['token', 1]])], { headers: { authorization: 'Bearer x' }, when: new Date(0), big: 5n }],
    ['app', INFO, 'missing %s %s', ['one'], undefined],
    ['app', 25, 'custom level', [], { password: 'hunter5' }],
    ['app', INFO, new Error('an error as the message'), [], undefined],
    ['app', INFO, 'fields that vanish', [], { gone: undefined, n: 0 }],
  ];
  const withoutIds = ({ uid, created, ...rest }: Record<string, unknown>) => rest;

  it('ship exactly what the records made from the same calls would', () => {
    addLevelName(25, 'NOTICE');
    const viaCalls = new BatchBuilder(redact);
    const viaRecords = new BatchBuilder(redact);
    for (const [name, level, msg, args, fields] of calls) {
      viaCalls.addCall(name, level, msg, [...args], fields);
      viaRecords.add(getLogger(name).makeRecord(name, level, '(unknown file)', 0, msg, [...args], null, null, fields));
    }
    const expected = decode(viaRecords.finish());
    expect(decode(viaCalls.finish()).map(withoutIds)).toEqual(expected.map(withoutIds));
    expect(expected[3].message).toBe('slow: users pw [REDACTED]');
    expect(expected[7]).toMatchObject({ levelname: 'NOTICE', password: '[REDACTED]' });
  });

  it('mix with records in one batch, in order, each with its own uid', () => {
    const builder = new BatchBuilder(null);
    const first = new LogRecord('app', INFO, '(unknown file)', 0, 'record %d', [1], null);
    builder.add(first);
    builder.addCall('app', INFO, 'call %d', [2], { k: 'v' });
    const third = new LogRecord('app', INFO, '(unknown file)', 0, 'record %d', [3], null);
    builder.add(third);
    const renamed = new LogRecord('app', INFO, '(unknown file)', 0, 'renamed by a filter', [], null);
    renamed.levelname = 'INFORMATION';
    builder.add(renamed);
    builder.addCall('app', INFO, 'call after it', [], undefined);
    const decoded = decode(builder.finish());
    expect(decoded.slice(3).map((r) => r.levelname)).toEqual(['INFORMATION', 'INFO']);
    decoded.length = 3;
    expect(decoded.map((r) => [r.message, r.k])).toEqual([['record 1', undefined], ['call 2', 'v'], ['record 3', undefined]]);
    expect(new Set(decoded.map((r) => r.uid)).size).toBe(3);
    expect([decoded[0].uid, decoded[2].uid]).toEqual([first.uid, third.uid]);
  });

  it('leave the batch whole when reading a call\'s fields throws (the handler reports it)', () => {
    const builder = new BatchBuilder(null);
    const hostile = new Proxy({}, { ownKeys() { throw new Error('no keys'); } });
    expect(() => builder.addCall('app', INFO, 'first', [], hostile)).toThrow('no keys');
    builder.addCall('app', INFO, 'second %d', [2], { ok: true });
    expect(decode(builder.finish()).map((r) => [r.message, r.ok])).toEqual([['first', undefined], ['second 2', true]]);
  });

  it('refuse an extra field named like a record field, as makeRecord does, and keep the others', () => {
    const reports: string[] = [];
    setInternalErrorSink((text) => reports.push(text));
    try {
      const builder = new BatchBuilder(null);
      builder.addCall('app', INFO, 'hello', [], { msg: 'overwritten?', ok: true });
      const [decoded] = decode(builder.finish());
      expect(decoded).toMatchObject({ message: 'hello', ok: true });
      expect(reports).toEqual([`--- Logging error ---\nKeyError: "Attempt to overwrite 'msg' in LogRecord"\n`]);
    } finally {
      setInternalErrorSink(null);
    }
  });
});


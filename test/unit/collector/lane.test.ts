// The default configuration writes records without making a LogRecord of each (receiver.ts, the
// lane): what it writes must be, byte for byte, what the LogRecord's way writes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Handler } from '../../../src/core/handler.js';
import { LogRecord as LogRecordClass, type LogRecord } from '../../../src/core/record.js';
import { getLogRecordFactory, setLogRecordFactory } from '../../../src/core/record-factory.js';
import { collector, post, tempDir } from './helpers.js';

type Running = Awaited<ReturnType<typeof collector>>;
const running: Running[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.close();
});

const str = (stringValue: string) => ({ stringValue });
const kv = (key: string, value: unknown) => ({ key, value });

/** OTLP log records as other exporters and hostile clients send them, each with a uid unless `uid` is false. */
function oddRecords(prefix: string, uid = true): Record<string, unknown>[] {
  const withUid = (i: number, attributes: unknown[] = []) => (uid ? [kv('log.record.uid', str(`${prefix}-${i}`)), ...attributes] : attributes);
  return [
    { timeUnixNano: '1763806830123000000', severityNumber: 9, severityText: 'INFO', body: str('plain'), attributes: withUid(0) },
    // a time as a number, with leading zeros, observed only
    { timeUnixNano: 1763806830124000000, severityNumber: 13, body: str('number time'), attributes: withUid(1) },
    { timeUnixNano: '01763806830125000000', severityNumber: 17, severityText: 'ERROR', body: str('zeros'), attributes: withUid(2) },
    { observedTimeUnixNano: '1763806830126000000', severityNumber: 5, body: str('observed'), attributes: withUid(3) },
    // attributes named like record fields and context fields, nested values, big numbers
    { timeUnixNano: '1763806830127000000', severityNumber: 9, body: str('fields'), attributes: withUid(4, [
      kv('name', str('not the logger')), kv('msg', str('not the message')), kv('attr.x', str('prefixed')), kv('traceId', str('zz')),
      kv('resource', str('r')), kv('timeUnixNano', str('t')), kv('message', str('m')), kv('levelno', { intValue: '99' }),
      kv('big', { intValue: '123456789012345678901' }), kv('ok', { boolValue: true }), kv('ratio', { doubleValue: 0.25 }),
      kv('list', { arrayValue: { values: [str('a'), { intValue: 2 }, { kvlistValue: { values: [kv('deep', str('x'))] } }] } }),
      kv('__proto__', str('dropped')), kv('empty', {}),
    ]) },
    // trace context, an exception, a stack-less exception, a body that is not a string
    { timeUnixNano: '1763806830128000000', severityNumber: 17, body: str('traced'), traceId: '0AF7651916CD43DD8448EB211C80319C', spanId: 'B7AD6B7169203331',
      attributes: withUid(5, [kv('exception.type', str('TypeError')), kv('exception.message', str('x is undefined')), kv('exception.stacktrace', str('TypeError: x is undefined\n    at f (a.js:1:1)'))]) },
    { timeUnixNano: '1763806830129000000', severityNumber: 17, body: { kvlistValue: { values: [kv('event', str('login'))] } },
      attributes: withUid(6, [kv('exception.type', str('RangeError'))]) },
    // line separators and control characters in the message, a string past the serializer's limit
    { timeUnixNano: '1763806830130000000', severityNumber: 9, body: str('a\u2028b\u2029c\n\u0000d'), attributes: withUid(7, [kv('long', str('y'.repeat(40_000)))]) },
    // a custom level, a severity without a text, an unknown severity
    { timeUnixNano: '1763806830131000000', severityNumber: 10, severityText: 'NOTICE', body: str('custom'), attributes: withUid(8) },
    { timeUnixNano: '1763806830132000000', severityNumber: 21, body: str('fatal'), attributes: withUid(9) },
    { timeUnixNano: '1763806830133000000', body: str('no severity'), attributes: withUid(10, [kv('deep', nested(40))]) },
  ];
}

function nested(depth: number): unknown {
  return depth === 0 ? str('bottom') : { kvlistValue: { values: [kv('d', nested(depth - 1))] } };
}

function request(records: Record<string, unknown>[], prefix: string): string {
  return JSON.stringify({ resourceLogs: [
    { resource: { attributes: [kv('service.name', str('lane')), kv('host', str('h1'))] }, scopeLogs: [
      { scope: { name: 'app.orders' }, logRecords: records.slice(0, 6) },
      { scope: { name: 'app.orders.db' }, logRecords: records.slice(6) },
    ] },
    // no resource, no scope: the root logger's
    { scopeLogs: [{ logRecords: records.slice(0, 2).map((r, i) => ({ ...r, attributes: [kv('log.record.uid', str(`${prefix}-root-${i}`))] })) }] },
  ] });
}

/** A collector that writes as the default does, through a handler filter that passes everything: the LogRecord's way. */
async function byLogRecords(): Promise<Running> {
  const dir = tempDir();
  return collector({ dir, logging: {
    version: 1, formatters: { ndjson: { class: 'JsonFormatter' } },
    filters: { all: { '()': () => ({ filter: () => true }) } },
    handlers: { file: { class: 'RotatingFileHandler', filename: join(dir, 'isolog.ndjson'), maxBytes: 50 * 1024 * 1024, backupCount: 5, formatter: 'ndjson', filters: ['all'] } },
    root: { level: 'NOTSET', handlers: ['file'] },
  } });
}

describe('records written without a LogRecord', () => {
  it('are the same bytes in the NDJSON as those written through LogRecords, and the same events in the live view', async () => {
    const lane = await collector();
    const tree = await byLogRecords();
    running.push(lane, tree);
    const body = request(oddRecords('odd'), 'odd');
    const answers = [];
    for (const c of [lane, tree]) answers.push((await post(`${c.url}/v1/logs`, body)).json);
    expect(answers[0]).toEqual(answers[1]);
    const lines = [lane, tree].map((c) => readFileSync(join(c.dir, 'isolog.ndjson'), 'utf8'));
    expect(lines[0].split('\n').length).toBeGreaterThan(12);
    expect(lines[0]).toBe(lines[1]);
    // the ones this test is about went the lane's way: the default collector made no LogRecord of them
    expect(lines[0]).toContain('"message":"a\\u2028b\\u2029c\\n\\u0000d"');
    const events = await Promise.all([lane, tree].map(async (c) => {
      const ctrl = new AbortController();
      const res = await fetch(`${c.url}/events`, { signal: ctrl.signal });
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      let text = '';
      while (text.split('\n\n').length < 14) text += new TextDecoder().decode((await reader.read()).value);
      ctrl.abort();
      return text.split('\n\n').filter((e) => e.includes('data: ')).map((e) => e.slice(e.indexOf('data: ')));
    }));
    expect(events[0]).toEqual(events[1]);
    expect(events[0].length).toBe(13);
  });

  it('without uids (another exporter\'s) go the LogRecord\'s way, each with a uid of its own', async () => {
    const lane = await collector();
    running.push(lane);
    const body = request(oddRecords('none', false), 'none');
    expect((await post(`${lane.url}/v1/logs`, body)).status).toBe(200);
    const stored = readFileSync(join(lane.dir, 'isolog.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { uid: string });
    // the last resource's two carry a uid, the 11 others none
    expect(stored).toHaveLength(13);
    expect(new Set(stored.map((r) => r.uid)).size).toBe(13);
    expect(stored.every((r) => typeof r.uid === 'string' && r.uid.length > 0)).toBe(true);
  });

  it('meet a logger that filters or has handlers of its own the LogRecord\'s way: its filter drops, its handler writes', async () => {
    const dir = tempDir();
    const lane = await collector({ dir });
    running.push(lane);
    const seen: string[] = [];
    lane.logging.getLogger('app.orders.db').addFilter({ filter: (r) => { seen.push(String(r.msg)); return r.msg !== 'custom'; } });
    lane.logging.getLogger('app').addHandler(new (class extends Handler {
      emit(r: LogRecord): void { seen.push(`app handler: ${String(r.msg)}`); }
    })());
    expect((await post(`${lane.url}/v1/logs`, request(oddRecords('routed'), 'routed'))).status).toBe(200);
    const messages = readFileSync(join(dir, 'isolog.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { message: string }).message);
    expect(messages).not.toContain('custom');
    expect(messages).toHaveLength(12);
    expect(seen).toContain('custom');
    expect(seen).toContain('app handler: plain');
    expect(seen.filter((s) => s.startsWith('app handler: '))).toHaveLength(10);
    // a handler added to the root sees every record
    const atRoot: string[] = [];
    lane.logging.root.addHandler(new (class extends Handler {
      emit(r: LogRecord): void { atRoot.push(r.uid); }
    })());
    expect((await post(`${lane.url}/v1/logs`, request(oddRecords('rooted'), 'rooted'))).status).toBe(200);
    expect(atRoot).toHaveLength(12);
  });

  it('are made by the app\'s record factory when it set one, as Python\'s makeLogRecord does', async () => {
    const lane = await collector();
    running.push(lane);
    const old = getLogRecordFactory();
    setLogRecordFactory((...args) => Object.assign(old(...args), { region: 'eu-1' }));
    try {
      expect((await post(`${lane.url}/v1/logs`, request(oddRecords('factory'), 'factory'))).status).toBe(200);
    } finally {
      setLogRecordFactory(LogRecordClass);
    }
    const attributes = readFileSync(join(lane.dir, 'isolog.ndjson'), 'utf8').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { attributes: { region?: string } }).attributes);
    expect(attributes).toHaveLength(13);
    expect(attributes.every((a) => a.region === 'eu-1')).toBe(true);
  });
});

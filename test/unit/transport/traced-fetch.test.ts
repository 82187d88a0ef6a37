// startTrace: the ids a user action's records carry, and the traceparent its requests send, checked
// against a real HTTP server that records the headers Node's fetch sent it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { extra, getLogger, Handler, INFO, LoggerAdapter, startTrace, type LogRecord } from '../../../src/index.js';
import { parseTraceparent } from '../../../src/core/trace-context.js';
import { resetLogging } from '../helpers.js';

let server: Server;
let url: string;
const received: { method: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => { body += c; });
    req.on('end', () => {
      received.push({ method: String(req.method), headers: req.headers, body });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => { received.length = 0; });

/** The one request the server got, after `send` resolved. */
async function receivedBy(send: Promise<Response>): Promise<(typeof received)[number]> {
  expect((await send).status).toBe(200);
  expect(received).toHaveLength(1);
  return received[0];
}

describe('startTrace', () => {
  it('starts a new sampled trace, or continues a valid traceparent with a new span', () => {
    const fresh = startTrace();
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(fresh.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(fresh.flags).toBe(1);
    expect(fresh.parentSpanId).toBeUndefined();
    expect(parseTraceparent(fresh.traceparent)).toEqual({ traceId: fresh.traceId, parentSpanId: fresh.spanId, flags: 1 });
    expect(fresh.fields).toEqual({ traceId: fresh.traceId, spanId: fresh.spanId });
    expect(fresh.extra.extra).toEqual(fresh.fields);

    const continued = startTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' });
    expect(continued).toMatchObject({ traceId: '4bf92f3577b34da6a3ce929d0e0e4736', parentSpanId: '00f067aa0ba902b7', flags: 0 });
    expect(continued.spanId).not.toBe('00f067aa0ba902b7');
    expect(startTrace({ traceparent: 'garbage' }).traceId).not.toBe(fresh.traceId);
  });

  it('two traces never share a traceId', () => {
    expect(startTrace().traceId).not.toBe(startTrace().traceId);
  });
});

describe('trace.fetch', () => {
  it('adds a traceparent of a new child span: the same traceId, a span other than the trace\'s, and a new one each request', async () => {
    const trace = startTrace();
    const first = parseTraceparent((await receivedBy(trace.fetch(url))).headers.traceparent as string);
    received.length = 0;
    const second = parseTraceparent((await receivedBy(trace.fetch(url))).headers.traceparent as string);
    expect(first).toMatchObject({ traceId: trace.traceId, flags: 1 });
    expect(second).toMatchObject({ traceId: trace.traceId, flags: 1 });
    expect(first?.parentSpanId).not.toBe(trace.spanId);
    expect(second?.parentSpanId).not.toBe(first?.parentSpanId);
  });

  it('keeps the trace\'s flags: a trace continued unsampled sends unsampled', async () => {
    const trace = startTrace({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00' });
    expect((await receivedBy(trace.fetch(url))).headers.traceparent).toMatch(/^00-4bf92f3577b34da6a3ce929d0e0e4736-[0-9a-f]{16}-00$/);
  });

  it.each([
    ['a plain object', { 'x-request': 'r-1', 'content-type': 'text/plain' }],
    ['a Headers', new Headers({ 'x-request': 'r-1', 'content-type': 'text/plain' })],
    ['pairs', [['x-request', 'r-1'], ['content-type', 'text/plain']] as [string, string][]],
  ])('keeps the caller\'s headers given as %s, and the rest of init', async (_, headers) => {
    const trace = startTrace();
    const got = await receivedBy(trace.fetch(url, { method: 'POST', body: 'paid', headers }));
    expect(got).toMatchObject({ method: 'POST', body: 'paid', headers: { 'x-request': 'r-1', 'content-type': 'text/plain' } });
    expect(parseTraceparent(got.headers.traceparent as string)?.traceId).toBe(trace.traceId);
  });

  it('leaves a traceparent the caller set as it is', async () => {
    const own = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    expect((await receivedBy(startTrace().fetch(url, { headers: { TraceParent: own } }))).headers.traceparent).toBe(own);
    received.length = 0;
    expect((await receivedBy(startTrace().fetch(new Request(url, { headers: { traceparent: own } })))).headers.traceparent).toBe(own);
  });

  it('takes a Request: its method, body and headers go, with the traceparent added', async () => {
    const trace = startTrace();
    const request = new Request(url, { method: 'PUT', body: 'cart', headers: { 'x-request': 'r-2' } });
    const got = await receivedBy(trace.fetch(request));
    expect(got).toMatchObject({ method: 'PUT', body: 'cart', headers: { 'x-request': 'r-2' } });
    expect(parseTraceparent(got.headers.traceparent as string)?.traceId).toBe(trace.traceId);
    // the caller's Request is not changed
    expect(request.headers.has('traceparent')).toBe(false);
  });

  it('with a Request and init.headers, sends init\'s headers as fetch does, the traceparent added', async () => {
    const trace = startTrace();
    const got = await receivedBy(trace.fetch(new Request(url, { headers: { 'x-old': '1' } }), { headers: { 'x-new': '2' } }));
    expect(got.headers['x-new']).toBe('2');
    expect(got.headers['x-old']).toBeUndefined();
    expect(parseTraceparent(got.headers.traceparent as string)?.traceId).toBe(trace.traceId);
  });

  it('takes a URL object', async () => {
    const trace = startTrace();
    expect(parseTraceparent((await receivedBy(trace.fetch(new URL(url)))).headers.traceparent as string)?.traceId).toBe(trace.traceId);
  });

  it('works detached from its trace, as `const { fetch } = trace`', async () => {
    const trace = startTrace();
    const { fetch: tracedFetch } = trace;
    expect(parseTraceparent((await receivedBy(tracedFetch(url))).headers.traceparent as string)?.traceId).toBe(trace.traceId);
  });

  it('headers() gives the traceparent of a new child span each call', () => {
    const trace = startTrace();
    const a = parseTraceparent(trace.headers().traceparent);
    const b = parseTraceparent(trace.headers().traceparent);
    expect(a?.traceId).toBe(trace.traceId);
    expect(b?.traceId).toBe(trace.traceId);
    expect(new Set([trace.spanId, a?.parentSpanId, b?.parentSpanId]).size).toBe(3);
  });
});

class Keep extends Handler {
  records: LogRecord[] = [];
  override emit(record: LogRecord): void { this.records.push(record); }
}

describe('records of a trace', () => {
  let keep: Keep;
  beforeEach(() => {
    resetLogging();
    keep = new Keep();
    getLogger().addHandler(keep);
    getLogger().setLevel(INFO);
  });
  const ids = (r: LogRecord) => ({ traceId: (r as unknown as Record<string, unknown>).traceId, spanId: (r as unknown as Record<string, unknown>).spanId });

  it('trace.logger(name) gives records the trace\'s ids and keeps the call\'s own extra fields', () => {
    const trace = startTrace();
    const log = trace.logger('shop.checkout');
    log.info('pay clicked for %s', 'A-1', extra({ orderId: 'A-1' }));
    log.warning('slow');
    expect(log).toBeInstanceOf(LoggerAdapter);
    expect(keep.records.map((r) => [r.name, r.getMessage(), ids(r)])).toEqual([
      ['shop.checkout', 'pay clicked for A-1', trace.fields],
      ['shop.checkout', 'slow', trace.fields],
    ]);
    expect((keep.records[0] as unknown as Record<string, unknown>).orderId).toBe('A-1');
  });

  it('a call\'s own traceId/spanId win over the adapter\'s, as with Python\'s merge_extra', () => {
    const trace = startTrace();
    trace.logger('shop').info('other', extra({ traceId: '0af7651916cd43dd8448eb211c80319c' }));
    expect(ids(keep.records[0])).toEqual({ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: trace.spanId });
  });

  it('wraps a Logger or an adapter: bind()\'s fields and the trace\'s both reach the record', () => {
    const trace = startTrace();
    trace.logger(getLogger('api')).info('from a logger');
    trace.logger(getLogger('api').bind({ requestId: 'r-7' })).info('from an adapter');
    expect(keep.records.map(ids)).toEqual([trace.fields, trace.fields]);
    expect((keep.records[1] as unknown as Record<string, unknown>).requestId).toBe('r-7');
  });

  it('trace.extra gives one call the ids; exception() through the adapter keeps them', () => {
    const trace = startTrace();
    getLogger('plain').info('with the trace', trace.extra);
    trace.logger('plain').exception('failed', new Error('boom'));
    expect(keep.records.map(ids)).toEqual([trace.fields, trace.fields]);
    expect(keep.records[1].exc_info).toBeTruthy();
  });

  it('an adapter\'s extra is its own: changing it leaves the trace\'s fields alone', () => {
    const trace = startTrace();
    const log = trace.logger('shop');
    log.extra.spanId = 'changed';
    expect(trace.fields.spanId).not.toBe('changed');
    expect(trace.extra.extra).toEqual({ traceId: trace.traceId, spanId: trace.spanId });
  });
});

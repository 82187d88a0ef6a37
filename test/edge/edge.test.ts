// isolog/edge inside real workerd (Miniflare) against the real collector on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Miniflare } from 'miniflare';
import { collector, stored } from '../unit/collector/helpers.js';
import type { Collector } from '../../src/collector/index.js';
import { startWorker } from './workerd.js';

const entry = new URL('./workers/logged.ts', import.meta.url).pathname;
type Stored = { uid: string; logger: string; level: number; levelname: string; message: string; traceId?: string; spanId?: string; exception?: string; attributes: Record<string, unknown> };

/** Waits until `dir`'s NDJSON holds `count` records that `match` (bounded), and returns them. */
async function arrived(dir: string, count: number, match: (r: Stored) => boolean = () => true, ms = 15_000): Promise<Stored[]> {
  const deadline = Date.now() + ms;
  let found: Stored[] = [];
  while (Date.now() < deadline) {
    found = (stored(dir) as Stored[]).filter(match);
    if (found.length >= count) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  return found;
}

/** A server on 127.0.0.1 that answers as `answer` says, counting requests and their ends. */
async function fakeCollector(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string; requests: number; closed: number }> {
  const state = { requests: 0, closed: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    req.on('close', () => { state.closed++; });
    req.resume();
    answer(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`;
  return Object.assign(state, { server, url });
}

describe('withLogging in workerd with nodejs_compat (AsyncLocalStorage)', () => {
  let c: Collector & { dir: string };
  let mf: Miniflare;
  beforeAll(async () => {
    c = await collector();
    mf = await startWorker(entry, { flags: ['nodejs_compat'], bindings: { LOG_URL: `${c.url}/v1/logs`, MAX_RECORDS: '150' } });
  });
  afterAll(async () => { await mf?.dispose(); await c?.close(); });

  it('sends every record of a request with its fields and its trace, after the response', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await mf.dispatchFetch('http://worker.test/log?n=3&tag=fields', { headers: { traceparent, 'cf-ray': '8f00aa11bb22cc33-AMS' } });
    expect(await res.text()).toBe('logged 3');
    const got = await arrived(c.dir, 4, (r) => r.attributes['cf.ray'] === '8f00aa11bb22cc33-AMS');
    const orders = got.filter((r) => r.logger === 'api.orders');
    expect(orders.map((r) => r.message)).toEqual(['order fields step 0', 'order fields step 1', 'order fields step 2']);
    for (const r of got) {
      expect(r.attributes).toMatchObject({ 'http.request.method': 'GET', 'url.path': '/log', 'cf.ray': '8f00aa11bb22cc33-AMS', 'request.id': '8f00aa11bb22cc33-AMS' });
      expect(r.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
      expect(r.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(r.spanId).not.toBe('00f067aa0ba902b7');
    }
    const access = got.find((r) => r.logger === 'isolog.access');
    expect(access?.message).toMatch(/^GET \/log 200 \d+ms$/);
    expect(access?.attributes).toMatchObject({ 'http.response.status_code': 200, outcome: 'ok' });
  });

  it('starts a new trace when the request has no traceparent, and gives the header for calls it makes', async () => {
    const res = await mf.dispatchFetch('http://worker.test/trace?tag=newtrace');
    const trace = await res.json() as { traceId: string; spanId: string; parent: string | null; headers: { traceparent: string } };
    expect(trace.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(trace.parent).toBeNull();
    expect(trace.headers.traceparent).toMatch(new RegExp(`^00-${trace.traceId}-[0-9a-f]{16}-01$`));
    const [record] = await arrived(c.dir, 1, (r) => r.attributes.tag === 'newtrace');
    expect(record.traceId).toBe(trace.traceId);
    expect(record.spanId).toBe(trace.spanId);
  });

  it('keeps 100 concurrent requests apart: none lost, none duplicated, none misattributed', async () => {
    const before = stored(c.dir).length;
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => mf.dispatchFetch(
      `http://worker.test/log?n=10&wait=${i % 3}&tag=c${i}`, { headers: { 'x-request-id': `c${i}` } })));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await Promise.all(responses.map((r) => r.text()));
    const got = await arrived(c.dir, before + 1100, () => true, 30_000);
    const mine = got.slice(before).filter((r) => String(r.attributes['request.id']).startsWith('c'));
    expect(mine).toHaveLength(1100);
    expect(new Set(mine.map((r) => r.uid)).size).toBe(1100);
    for (const r of mine.filter((x) => x.logger === 'api.orders')) expect(r.attributes.tag).toBe(r.attributes['request.id']);
    const perRequest = new Map<string, Set<string>>();
    for (const r of mine) {
      const id = String(r.attributes['request.id']);
      if (!perRequest.has(id)) perRequest.set(id, new Set());
      perRequest.get(id)!.add(String(r.traceId));
    }
    expect(perRequest.size).toBe(100);
    // one trace per request, and a different one for each
    expect([...perRequest.values()].every((traces) => traces.size === 1)).toBe(true);
    expect(new Set([...perRequest.values()].map((t) => [...t][0])).size).toBe(100);
  });

  it('logs an exception with its stack and causes and re-throws it unchanged', async () => {
    const res = await mf.dispatchFetch('http://worker.test/throw?tag=boom', { headers: { 'x-request-id': 'boom' } });
    expect(res.status).toBe(500);
    const got = await arrived(c.dir, 3, (r) => r.attributes['request.id'] === 'boom');
    const error = got.find((r) => r.logger === 'isolog.edge');
    expect(error?.levelname).toBe('ERROR');
    expect(error?.exception).toContain('Error: order failed');
    expect(error?.exception).toContain('TypeError: price is undefined');
    const access = got.find((r) => r.logger === 'isolog.access');
    expect(access?.levelname).toBe('ERROR');
    expect(access?.attributes).toMatchObject({ outcome: 'exception', 'http.response.status_code': 500 });
  });

  it('drops what is over the per-request cap and says so in a WARNING record of the same batch', async () => {
    const res = await mf.dispatchFetch('http://worker.test/log?n=400&tag=cap', { headers: { 'x-request-id': 'cap' } });
    expect(res.status).toBe(200);
    const got = await arrived(c.dir, 151, (r) => r.attributes['request.id'] === 'cap' || (r.logger === 'isolog' && /dropped/.test(r.message)));
    await new Promise((r) => setTimeout(r, 300));
    const all = (stored(c.dir) as Stored[]).filter((r) => r.attributes['request.id'] === 'cap');
    const warning = (stored(c.dir) as Stored[]).find((r) => r.logger === 'isolog' && r.levelname === 'WARNING' && /dropped \d+/.test(r.message));
    expect(got.length).toBeGreaterThan(0);
    expect(all.length).toBeLessThanOrEqual(150);
    expect(warning).toBeDefined();
    const dropped = Number(/dropped (\d+)/.exec(warning!.message)![1]);
    // 400 records and the access record: each either stored or counted
    expect(all.length + dropped).toBe(401);
  });

  it('sends a status that is not 2xx as the access record says it', async () => {
    await mf.dispatchFetch('http://worker.test/status?code=404', { headers: { 'x-request-id': 'status404' } });
    const [access] = await arrived(c.dir, 1, (r) => r.attributes['request.id'] === 'status404');
    expect(access.message).toMatch(/^GET \/status 404 \d+ms$/);
    expect(access.levelname).toBe('INFO');
  });
});

describe('withLogging in workerd without AsyncLocalStorage', () => {
  let c: Collector & { dir: string };
  let mf: Miniflare;
  beforeAll(async () => {
    c = await collector();
    mf = await startWorker(entry, { bindings: { LOG_URL: `${c.url}/v1/logs` } });
  });
  afterAll(async () => { await mf?.dispose(); await c?.close(); });

  it('ties the records of the request\'s own logger to it', async () => {
    await mf.dispatchFetch('http://worker.test/explicit?tag=x1', { headers: { 'x-request-id': 'x1' } });
    const [record] = await arrived(c.dir, 1, (r) => r.logger === 'api.explicit');
    expect(record.levelname).toBe('WARNING');
    expect(record.attributes).toMatchObject({ 'request.id': 'x1', 'url.path': '/explicit', tag: 'x1' });
    expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('ships a global logger\'s records with the next request, without request fields', async () => {
    await mf.dispatchFetch('http://worker.test/log?n=2&tag=orphan', { headers: { 'x-request-id': 'o1' } });
    await mf.dispatchFetch('http://worker.test/status?code=204', { headers: { 'x-request-id': 'o2' } });
    const got = await arrived(c.dir, 2, (r) => r.attributes.tag === 'orphan');
    expect(got).toHaveLength(2);
    for (const r of got) expect(r.attributes['request.id']).toBeUndefined();
  });
});

describe('withLogging when the collector fails', () => {
  const servers: Server[] = [];
  afterAll(() => { for (const s of servers) s.close(); });

  async function worker(url: string, flushMs = 1500): Promise<Miniflare> {
    return startWorker(entry, { flags: ['nodejs_compat'], bindings: { LOG_URL: url, FLUSH_MS: String(flushMs) } });
  }

  it('answers at once and ends the send within its bound when the collector hangs', async () => {
    const hang = await fakeCollector(() => { /* never answers */ });
    servers.push(hang.server);
    const mf = await worker(hang.url);
    try {
      const started = Date.now();
      const res = await mf.dispatchFetch('http://worker.test/log?n=5&tag=hang');
      expect(await res.text()).toBe('logged 5');
      // the response does not wait for the collector (generous bound: workerd's start-up is in it)
      expect(Date.now() - started).toBeLessThan(1500);
      const deadline = Date.now() + 10_000;
      while (hang.closed < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(hang.requests).toBeGreaterThanOrEqual(1);
      // the hanging request was given up: its connection closed, within the bound and well before the platform's
      expect(hang.closed).toBe(hang.requests);
    } finally { await mf.dispose(); }
  });

  it('answers unchanged when the collector answers 503', async () => {
    const busy = await fakeCollector((_, res) => { res.writeHead(503, { 'retry-after': '0' }).end('busy'); });
    servers.push(busy.server);
    const mf = await worker(busy.url, 1000);
    try {
      const res = await mf.dispatchFetch('http://worker.test/status?code=201');
      expect(res.status).toBe(201);
      expect(await res.text()).toBe('nope');
      const deadline = Date.now() + 5000;
      while (busy.requests < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      // retried within the bound, as the browser flusher retries a 503
      expect(busy.requests).toBeGreaterThanOrEqual(2);
    } finally { await mf.dispose(); }
  });

  it('answers unchanged when the collector refuses the connection', async () => {
    const gone = await fakeCollector(() => undefined);
    await new Promise((r) => gone.server.close(r));
    const mf = await worker(gone.url, 800);
    try {
      const res = await mf.dispatchFetch('http://worker.test/log?n=2&tag=refused');
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('logged 2');
    } finally { await mf.dispose(); }
  });
});

describe('withLogging with no collector', () => {
  it('writes each record to the console as one JSON object with the request fields', async () => {
    let output = '';
    const mf = await startWorker(entry, { flags: ['nodejs_compat'], onOutput: (t) => { output += t; } });
    try {
      await mf.dispatchFetch('http://worker.test/log?n=2&tag=console', { headers: { 'x-request-id': 'k1' } });
      const deadline = Date.now() + 5000;
      while (!output.includes('isolog.access') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      const lines = output.split('\n').filter((l) => l.includes('"logger"') || l.includes('logger:'));
      expect(lines.length).toBeGreaterThanOrEqual(3);
      expect(output).toContain('order console step 0');
      expect(output).toContain('k1');
    } finally { await mf.dispose(); }
  });
});

describe('loggingMiddleware in a Hono app in workerd', () => {
  let c: Collector & { dir: string };
  let mf: Miniflare;
  beforeAll(async () => {
    c = await collector();
    mf = await startWorker(new URL('./workers/hono.ts', import.meta.url).pathname, { flags: ['nodejs_compat'], bindings: { LOG_URL: `${c.url}/v1/logs` } });
  });
  afterAll(async () => { await mf?.dispose(); await c?.close(); });

  it('logs the route\'s records with the request fields and an access record', async () => {
    const res = await mf.dispatchFetch('http://worker.test/hono/42', { headers: { 'x-request-id': 'h1' } });
    expect(await res.text()).toBe('item 42');
    const got = await arrived(c.dir, 3, (r) => r.attributes['request.id'] === 'h1');
    expect(got.map((r) => r.logger).sort()).toEqual(['hono.explicit', 'hono.route', 'isolog.access']);
    expect(got.find((r) => r.logger === 'hono.route')?.message).toBe('item 42');
  });

  it('logs the error Hono caught, with its cause, and Hono\'s 500 as the status', async () => {
    const res = await mf.dispatchFetch('http://worker.test/fail', { headers: { 'x-request-id': 'h2' } });
    expect(res.status).toBe(500);
    const got = await arrived(c.dir, 2, (r) => r.attributes['request.id'] === 'h2');
    const error = got.find((r) => r.logger === 'isolog.edge');
    expect(error?.exception).toContain('hono handler failed');
    expect(error?.exception).toContain('RangeError: bad id');
    expect(got.find((r) => r.logger === 'isolog.access')?.attributes).toMatchObject({ 'http.response.status_code': 500, outcome: 'exception' });
  });
});

// Subscribers: a running collector's stream handed to this process's handlers (and `isolog tail`),
// over real sockets on 127.0.0.1.
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Subscriber, SubscriberError } from '../../../src/collector/subscriber.js';
import { Formatter } from '../../../src/core/formatter.js';
import { Handler } from '../../../src/core/handler.js';
import { addLevelName } from '../../../src/core/level.js';
import { getLogger } from '../../../src/core/logger.js';
import type { LogRecord } from '../../../src/core/record.js';
import { cliBundle, collector, otlp, post, records, runCli } from './helpers.js';

const TOKEN = 'sub-token';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A handler that keeps what reaches it. */
class Keep extends Handler {
  readonly records: LogRecord[] = [];
  emit(record: LogRecord): void { this.records.push(record); }
}

/** Attaches a Keep to a logger of this process for the test's length. */
function keep(name: string): Keep {
  const handler = new Keep();
  const logger = getLogger(name);
  logger.addHandler(handler);
  cleanups.push(() => logger.removeHandler(handler));
  return handler;
}

async function running(options: Parameters<typeof collector>[0] = {}) {
  const c = await collector({ token: TOKEN, ...options });
  cleanups.push(() => c.close());
  return c;
}

function subscribe(url: string, options: ConstructorParameters<typeof Subscriber>[1] = {}): Subscriber {
  const subscriber = new Subscriber(url, { token: TOKEN, retryMs: 20, maxRetryMs: 100, ...options });
  cleanups.push(() => subscriber.close());
  return subscriber;
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!check()) throw new Error(`timed out waiting for ${what}`);
}

const send = (url: string, batch: ReturnType<typeof records>) => post(`${url}/v1/logs`, otlp(batch), { authorization: `Bearer ${TOKEN}` });

/**
 * A fetch whose first `cuts.length` streams break after the given number of events; each later
 * request waits for `hold` first, if set. Records the Last-Event-ID each request sent.
 */
function cuttingFetch(cuts: number[], hold?: Promise<void>) {
  const sentIds: (string | null)[] = [];
  const wrapped = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const n = sentIds.length;
    sentIds.push(new Headers(init?.headers).get('last-event-id'));
    if (n >= cuts.length && hold) await hold;
    const response = await fetch(input, init);
    if (n >= cuts.length || !response.body) return response;
    let left = cuts[n];
    let buffered = '';
    const decoder = new TextDecoder();
    const encoder = new TextEncoder();
    const cut = response.body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        buffered += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end + 2);
          buffered = buffered.slice(end + 2);
          if (!event.includes('\ndata: ')) { controller.enqueue(encoder.encode(event)); continue; }
          if (left === 0) {
            // the connection ends here: what was passed on is still read, nothing after it
            controller.terminate();
            return;
          }
          left--;
          controller.enqueue(encoder.encode(event));
        }
      },
    }));
    return new Response(cut, { status: response.status, headers: response.headers });
  };
  return { fetch: wrapped as typeof fetch, sentIds };
}

/** A fetch (the global one, or `inner`) that resolves `connected` once a stream of records has begun. */
function watchingFetch(inner: typeof fetch = fetch) {
  let resolve = (): void => {};
  const connected = new Promise<void>((r) => { resolve = r; });
  const wrapped = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const res = await inner(input, init);
    if (res.status === 200) resolve();
    return res;
  }) as typeof fetch;
  return { fetch: wrapped, connected };
}

describe('a Subscriber', () => {
  it('hands every record once, filtered by logger and level at the collector, to the loggers of this process', async () => {
    const c = await running();
    const kept = keep('sub1');
    const watch = watchingFetch();
    const subscriber = subscribe(c.url, { loggers: ['sub1'], level: 'INFO', fetch: watch.fetch }).dispatchInBackground();
    // the first connection has no backlog by default: send only once it is there
    await watch.connected;
    const wanted = [
      ...records(5, 'a', { name: 'sub1.db' }),
      ...records(3, 'b', { name: 'sub1', levelno: 40, levelname: 'ERROR' }),
    ];
    const unwanted = [
      ...records(4, 'c', { name: 'sub1.db', levelno: 10, levelname: 'DEBUG' }),
      ...records(4, 'd', { name: 'sub10', levelno: 40, levelname: 'ERROR' }),
      ...records(4, 'e', { name: 'other', levelno: 50, levelname: 'CRITICAL' }),
    ];
    expect((await send(c.url, [...wanted.slice(0, 4), ...unwanted])).status).toBe(200);
    expect((await send(c.url, wanted.slice(4))).status).toBe(200);
    // the same batch again: the collector drops it, so the stream never carries it twice
    expect((await send(c.url, wanted.slice(4))).status).toBe(200);
    await until(() => kept.records.length >= wanted.length, 'the records');
    await new Promise((r) => setTimeout(r, 200));
    expect(kept.records.map((r) => r.uid).sort()).toEqual(wanted.map((r) => r.uid).sort());
    expect(subscriber.stats.received).toBe(wanted.length);
    const fmt = new Formatter('%(levelname)s %(name)s: %(message)s');
    expect(kept.records.map((r) => fmt.format(r))).toContain('ERROR sub1: record 0');
    expect(kept.records.map((r) => fmt.format(r))).toContain('INFO sub1.db: record 0');
    // the record's own time, to the millisecond, not the time it arrived
    const first = kept.records.find((r) => r.uid === wanted[0].uid) as LogRecord;
    expect(Math.round(first.created * 1000)).toBe(Math.round(wanted[0].created * 1000));
  });

  it('gets its backlog first when asked, then follows', async () => {
    const c = await running();
    await send(c.url, records(20, 'bk', { name: 'sub2' }));
    const kept = keep('sub2');
    subscribe(c.url, { backlog: 5 }).dispatchInBackground();
    await until(() => kept.records.length >= 5, 'the backlog');
    await send(c.url, records(2, 'bk2', { name: 'sub2' }));
    await until(() => kept.records.length >= 7, 'the new records');
    expect(kept.records.map((r) => r.msg)).toEqual(['record 15', 'record 16', 'record 17', 'record 18', 'record 19', 'record 0', 'record 1']);
  });

  it('reconnects after a broken stream and resumes after the last event it had: none lost, none twice', async () => {
    const c = await running();
    const kept = keep('sub3');
    const cutter = cuttingFetch([3, 4]);
    const subscriber = subscribe(c.url, { fetch: cutter.fetch }).dispatchInBackground();
    const sent: string[] = [];
    for (let i = 0; i < 10; i++) {
      const batch = records(2, `rc${i}`, { name: 'sub3' });
      sent.push(...batch.map((r) => r.uid));
      // each batch once the subscriber is connected again (or still)
      await new Promise((r) => setTimeout(r, 50));
      expect((await send(c.url, batch)).status).toBe(200);
    }
    await until(() => kept.records.length >= sent.length, 'every record');
    await new Promise((r) => setTimeout(r, 200));
    expect(kept.records.map((r) => r.uid).sort()).toEqual([...sent].sort());
    expect(subscriber.stats.reconnects).toBe(2);
    expect(subscriber.stats.missed).toBe(0);
    // the reconnects named the last event they had
    expect(cutter.sentIds[0]).toBeNull();
    expect(cutter.sentIds[1]).toMatch(/^[0-9a-f]{8}:3$/);
    expect(cutter.sentIds[2]).toMatch(/^[0-9a-f]{8}:7$/);
  });

  it('misses nothing that comes while it reconnects before any record came (the stream gives its position first)', async () => {
    const c = await running();
    const kept = keep('sub9');
    const cutter = cuttingFetch([0]);
    const watch = watchingFetch(cutter.fetch);
    subscribe(c.url, { fetch: watch.fetch }).dispatchInBackground();
    await watch.connected;
    // the first stream breaks on this record, before handing it on: the reconnect resumes from the position
    await send(c.url, records(1, 'pos', { name: 'sub9' }));
    await until(() => kept.records.length >= 1, 'the record');
    expect(cutter.sentIds[1]).toMatch(/^[0-9a-f]{8}:0$/);
    expect(kept.records.map((r) => r.msg)).toEqual(['record 0']);
  });

  it('says in a WARNING record how many records left the backlog while it was away', { timeout: 20_000 }, async () => {
    const c = await running();
    const kept = keep('sub4');
    const warnings = keep('isolog.subscriber');
    let release = (): void => {};
    const cutter = cuttingFetch([2], new Promise((r) => { release = r; }));
    const subscriber = subscribe(c.url, { fetch: cutter.fetch }).dispatchInBackground();
    await new Promise((r) => setTimeout(r, 200));
    await send(c.url, records(3, 'g0', { name: 'sub4' }));
    await until(() => cutter.sentIds.length >= 2, 'the reconnect');
    // 600 more while it is away: the collector keeps 500
    for (let i = 0; i < 6; i++) await send(c.url, records(100, `g${i + 1}`, { name: 'sub4' }));
    release();
    await until(() => kept.records.length >= 502, 'the backlog after the gap');
    await new Promise((r) => setTimeout(r, 200));
    expect(kept.records).toHaveLength(502);
    // the third record of the first batch and the first 100 of the rest were not kept for it
    expect(subscriber.stats.missed).toBe(101);
    expect(warnings.records).toHaveLength(1);
    expect(warnings.records[0].levelname).toBe('WARNING');
    expect(warnings.records[0].getMessage()).toMatch(/^missed 101 records from http:\/\/127\.0\.0\.1:\d+ while reconnecting: /);
  });

  it('stops with a SubscriberError that says what to do when the token is wrong or the URL is no collector', async () => {
    const c = await running();
    await expect(subscribe(c.url, { token: 'wrong' }).dispatchForever()).rejects.toThrow(SubscriberError);
    await expect(subscribe(c.url, { token: undefined }).dispatchForever()).rejects.toThrow(/has a token; pass it/);
    const other = createServer((_req, res) => { res.writeHead(404); res.end('nothing'); });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => other.close(() => r())));
    const { port } = other.address() as AddressInfo;
    await expect(subscribe(`http://127.0.0.1:${port}`).dispatchForever()).rejects.toThrow(/answered 404.*is this an isolog collector/);
    expect(() => new Subscriber('ftp://x')).toThrow(/over http: or https:/);
    expect(() => new Subscriber('127.0.0.1:4318')).toThrow(/over http: or https:|not a URL/);
    expect(() => new Subscriber('http://127.0.0.1:1', { level: 'LOUD' })).toThrow(/Unknown level/);
  });

  it('asks for its level as a number (a name of this process means nothing to the collector), and drops events that are no record', async () => {
    addLevelName(25, 'NOTICE');
    cleanups.push(() => addLevelName(25, 'Level 25'));
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('id: b:1\ndata: not json\n\n');
      res.write('id: b:2\ndata: {"logger":"sub10","message":"no level"}\n\n');
      res.write('id: b:3\ndata: {"logger":"sub10","level":30,"levelname":"WARNING"}\n\n');
      res.write('id: b:4\ndata: {"logger":"sub10","level":40,"levelname":"ERROR","message":"kept"}\n\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }));
    const kept = keep('sub10');
    const subscriber = subscribe(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { level: 'notice' }).dispatchInBackground();
    await until(() => kept.records.length >= 2, 'the records');
    expect(new URL(asked[0], 'http://x').searchParams.get('level')).toBe('25');
    expect(kept.records.map((r) => [r.levelname, r.getMessage()])).toEqual([['WARNING', ''], ['ERROR', 'kept']]);
    expect(subscriber.stats).toMatchObject({ received: 2, unreadable: 2 });
  });

  it('keeps trying while the collector cannot be reached, and follows it once it can', async () => {
    const c = await running();
    const kept = keep('sub6');
    let attempts = 0;
    // the first two attempts fail as a refused connection does
    const flaky = (async (input: RequestInfo | URL, init?: RequestInit) => {
      if (++attempts <= 2) throw new TypeError('fetch failed');
      return fetch(input, init);
    }) as typeof fetch;
    const watch = watchingFetch(flaky);
    const warnings = keep('isolog.subscriber');
    const subscriber = subscribe(c.url, { fetch: watch.fetch, maxRetryMs: 2000 }).dispatchInBackground();
    await until(() => subscriber.stats.lastError !== null, 'the first failure');
    expect(subscriber.stats.lastError).toBe('fetch failed');
    await watch.connected;
    await send(c.url, records(2, 'up', { name: 'sub6' }));
    await until(() => kept.records.length >= 2, 'the records');
    expect(attempts).toBe(3);
    expect(kept.records.map((r) => r.msg)).toEqual(['record 0', 'record 1']);
    expect(subscriber.stats.lastError).toBeNull();
    // the outage is said once, when it starts, with why
    expect(warnings.records.map((r) => r.getMessage())).toEqual([`cannot reach ${c.url}: fetch failed; retrying until it answers (waits up to 2 s)`]);
  });

  it('waits as a collector with too many viewers asks (503, retry-after), then gets in', async () => {
    const c = await running();
    const viewers: AbortController[] = [];
    // held, so that no response is collected (which would close its stream) while the test runs
    const held: Response[] = [];
    for (let i = 0; i < 32; i++) {
      const stop = new AbortController();
      viewers.push(stop);
      const res = await fetch(`${c.url}/events`, { headers: { authorization: `Bearer ${TOKEN}` }, signal: stop.signal });
      expect(res.status).toBe(200);
      held.push(res);
    }
    cleanups.push(() => { for (const v of viewers) v.abort(); });
    const statuses: number[] = [];
    const counting = (async (input: RequestInfo | URL, init?: RequestInit) => {
      const res = await fetch(input, init);
      statuses.push(res.status);
      // one viewer leaves once the subscriber has been turned away
      if (res.status === 503) viewers.pop()?.abort();
      return res;
    }) as typeof fetch;
    const kept = keep('sub8');
    const warnings = keep('isolog.subscriber');
    const watch = watchingFetch(counting);
    // retry-after is 10 s: the subscriber's longest wait (100 ms here) bounds it
    subscribe(c.url, { fetch: watch.fetch }).dispatchInBackground();
    await watch.connected;
    await send(c.url, records(1, 'full', { name: 'sub8' }));
    await until(() => kept.records.length >= 1, 'the record');
    expect(statuses[0]).toBe(503);
    expect(statuses.at(-1)).toBe(200);
    expect(held).toHaveLength(32);
    expect(warnings.records.map((r) => r.getMessage())).toEqual([expect.stringMatching(/: it answered 503 Service Unavailable; retrying until it answers \(waits up to 0.1 s\)$/)]);
  });
});

describe('the collector\'s stream', () => {
  it('refuses a filter it cannot read with 400 and a reason', async () => {
    const c = await running();
    const res = await fetch(`${c.url}/events?level=LOUD`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/level=LOUD is not a level/);
    const bad = await fetch(`${c.url}/events?backlog=-1`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(bad.status).toBe(400);
    await bad.body?.cancel();
  });

  it('tells a viewer resuming from another boot that it may have missed records', async () => {
    const c = await running();
    await send(c.url, records(2, 'boot', { name: 'sub7' }));
    const res = await fetch(`${c.url}/events`, { headers: { authorization: `Bearer ${TOKEN}`, 'last-event-id': 'deadbeef:12' } });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    while (!text.includes('record 1')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toMatch(/event: gap\ndata: \{"missed":null,"reason":"the collector restarted/);
    expect(text.indexOf('event: gap')).toBeLessThan(text.indexOf('record 0'));
  });
});

describe('isolog tail', () => {
  let cli: string;
  beforeAll(async () => { cli = await cliBundle(); }, 60_000);

  it('prints the backlog and then each new record with the format given, and exits 0 on SIGINT', { timeout: 30_000 }, async () => {
    const c = await running();
    await send(c.url, records(3, 'tail', { name: 'app.tail' }));
    const proc = spawn(process.execPath, [cli, 'tail', c.url, '--token', TOKEN, '--backlog', '2', '--level', 'info',
      '--format', '%(levelname)s|%(name)s|%(message)s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const killer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    cleanups.push(() => { clearTimeout(killer); proc.kill('SIGKILL'); });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => { out += d; });
    proc.stderr.on('data', (d: Buffer) => { err += d; });
    await until(() => out.split('\n').length > 2, 'the backlog lines');
    await send(c.url, records(1, 'tail2', { name: 'app.tail', levelno: 30, levelname: 'WARNING' }));
    await send(c.url, records(1, 'tail3', { name: 'app.tail', levelno: 10, levelname: 'DEBUG' }));
    await until(() => out.includes('WARNING|'), 'the new line');
    const code = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGINT');
    expect(await code).toBe(0);
    expect(out).toBe('INFO|app.tail|record 1\nINFO|app.tail|record 2\nWARNING|app.tail|record 0\n');
    expect(err).toBe('');
  });

  it('says what is wrong with its arguments, and exits 2', { timeout: 60_000 }, async () => {
    const none = await runCli(cli, ['tail']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/which collector\? give its URL/);
    const level = await runCli(cli, ['tail', 'http://127.0.0.1:1', '--level', 'LOUD']);
    expect(level.code).toBe(2);
    expect(level.stderr).toMatch(/--level LOUD: give a number or DEBUG/);
    const flag = await runCli(cli, ['tail', 'http://127.0.0.1:1', '--tokn', 'x']);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option --tokn/);
    const refused = await runCli(cli, ['tail', (await running()).url, '--token', 'wrong']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refused the subscription \(401\): the token is wrong/);
  });
});

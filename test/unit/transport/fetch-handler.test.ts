// FetchHandler (src/transport/fetch-handler.ts) against the project's collector in-process and tiny
// node:http servers for the faults: a 503, a refused record, a 413, a 401, a partialSuccess, an
// answer held back or never given, a closed port.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PlainRecord } from '../../../src/core/fields.js';
import { setInternalErrorSink } from '../../../src/core/internal-error.js';
import { INFO, WARNING } from '../../../src/core/level.js';
import { LogRecord } from '../../../src/core/record.js';
import { FetchHandler, type FetchHandlerOptions } from '../../../src/transport/fetch-handler.js';
import { FlushError } from '../../../src/transport/flush-error.js';
import { decodeRequest } from '../../../src/transport/otlp.js';
import { ConfigError, configure, getLogger, root, shutdown, FetchHandler as NodeFetchHandler } from '../../../src/runtime/node.js';
import { collector, stored } from '../collector/helpers.js';

/** What a fake endpoint answers a request: a status (and body, headers), or nothing ever. */
type Answer = { status: number; body?: unknown; headers?: Record<string, string> } | 'hang';

interface Endpoint {
  url: string;
  requests: PlainRecord[][];
  gzipped: boolean[];
  /** Each request body's bytes once gunzipped, and when it came (performance.now()). */
  bodies: { bytes: number; at: number }[];
  /** The most requests that were open at once. */
  mostAtOnce: number;
  close(): Promise<void>;
}

const servers: Server[] = [];
const handlers: FetchHandler[] = [];
let reports: string[] = [];
let running: Awaited<ReturnType<typeof collector>> | undefined;

beforeEach(() => {
  reports = [];
  setInternalErrorSink((text) => reports.push(text));
});
afterEach(async () => {
  for (const h of handlers.splice(0)) await h.close({ timeoutMs: 100 });
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await running?.close();
  running = undefined;
  setInternalErrorSink(null);
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`;
}

async function bodyOf(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  return req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
}

/** An OTLP endpoint on 127.0.0.1 that decodes each request and answers what `answer` says. */
async function endpoint(answer: (records: PlainRecord[], n: number) => Answer | Promise<Answer> = () => ({ status: 200 })): Promise<Endpoint> {
  let open = 0;
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    ep.mostAtOnce = Math.max(ep.mostAtOnce, ++open);
    res.once('close', () => open--);
    ep.gzipped.push(req.headers['content-encoding'] === 'gzip');
    const body = await bodyOf(req);
    ep.bodies.push({ bytes: body.length, at: performance.now() });
    const records = decodeRequest(JSON.parse(body.toString('utf8'))).records;
    ep.requests.push(records);
    const a = await answer(records, ep.requests.length);
    if (a === 'hang') return;
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(JSON.stringify(a.body ?? {}));
  });
  const ep: Endpoint = { url: '', requests: [], gzipped: [], bodies: [], mostAtOnce: 0, close: () => new Promise((r) => server.close(() => r())) };
  ep.url = await listen(server);
  return ep;
}

function handler(options: FetchHandlerOptions): FetchHandler {
  const h = new FetchHandler({ retryBaseMs: 20, ...options });
  handlers.push(h);
  return h;
}

function record(msg: string, fields: Record<string, unknown> = {}, args: unknown[] | null = null, name = 'app.fetch', level = INFO): LogRecord {
  return Object.assign(new LogRecord(name, level, '/srv/app.ts', 7, msg, args, null), fields);
}

const uidsOf = (records: PlainRecord[]): string[] => records.map((r) => r.uid);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('FetchHandler', () => {
  it('delivers each record once to the collector with its uid, logger, level, message, extras and trace context', async () => {
    running = await collector();
    const h = handler({ url: `${running.url}/v1/logs`, flushIntervalMs: null, resource: { 'service.name': 'fetch-test' } });
    const traced = record('traced', { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331' });
    const sent = [record('user %s logged in', { user: 'ann', tries: 3 }, ['ann']), record('warned', {}, null, 'app.other', WARNING), traced];
    for (const r of sent) h.handle(r);
    await h.flush();
    const lines = stored(running.dir);
    expect(lines.map((l) => l.uid).sort()).toEqual(sent.map((r) => r.uid).sort());
    expect(lines.find((l) => l.uid === sent[0].uid)).toMatchObject({
      logger: 'app.fetch', levelname: 'INFO', message: 'user ann logged in', attributes: { user: 'ann', tries: 3 }, resource: { 'service.name': 'fetch-test' },
    });
    expect(lines.find((l) => l.uid === sent[1].uid)).toMatchObject({ logger: 'app.other', levelname: 'WARNING', level: 30 });
    expect(lines.find((l) => l.uid === traced.uid)).toMatchObject({ traceId: traced.traceId, spanId: traced.spanId });
    expect(h.stats).toEqual({ handled: 3, acknowledged: 3, pending: 0, dropped: {}, lastError: null });
  }, 20_000);

  it('resolves flush() only once the collector has answered 2xx', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<Answer>((r) => { release = () => r({ status: 200 }); });
    const ep = await endpoint(() => held);
    const h = handler({ url: ep.url, flushIntervalMs: null });
    h.handle(record('one'));
    let flushed = false;
    const flushing = h.flush().then(() => { flushed = true; });
    await expect.poll(() => ep.requests.length).toBe(1);
    await pause(200);
    expect(flushed).toBe(false);
    expect(h.stats.pending).toBe(1);
    release();
    await flushing;
    expect(h.stats).toMatchObject({ acknowledged: 1, pending: 0 });
  });

  it('drops and duplicates nothing when the collector answers 503 then 200', async () => {
    const ep = await endpoint((_, n) => (n === 1 ? { status: 503, headers: { 'retry-after': '0' } } : { status: 200 }));
    const h = handler({ url: ep.url, flushIntervalMs: null });
    const sent = Array.from({ length: 10 }, (_, i) => record(`r${i}`));
    for (const r of sent) h.handle(r);
    await h.flush();
    expect(ep.requests.length).toBe(2);
    expect(uidsOf(ep.requests[1])).toEqual(sent.map((r) => r.uid));
    expect(h.stats).toMatchObject({ acknowledged: 10, pending: 0, dropped: {}, lastError: 'HTTP 503' });
  });

  it('drops alone the record the collector refuses with 400, counts it, and delivers the others', async () => {
    const ep = await endpoint((records) => (records.some((r) => r.msg === 'poison') ? { status: 400 } : { status: 200 }));
    const h = handler({ url: ep.url, flushIntervalMs: null });
    const sent = ['a', 'b', 'poison', 'c', 'd'].map((m) => record(m));
    for (const r of sent) h.handle(r);
    await h.flush();
    const taken = ep.requests.filter((rs) => !rs.some((r) => r.msg === 'poison')).flat();
    expect(uidsOf(taken).sort()).toEqual(sent.filter((r) => r.msg !== 'poison').map((r) => r.uid).sort());
    expect(h.stats).toMatchObject({ acknowledged: 4, pending: 0, dropped: { rejected: 1 } });
    expect(reports.join('\n')).toContain('refused a record (HTTP 400)');
  });

  it('splits a request the collector answers 413 and delivers every record', async () => {
    const ep = await endpoint((records) => (records.length > 2 ? { status: 413 } : { status: 200 }));
    const h = handler({ url: ep.url, flushIntervalMs: null });
    const sent = Array.from({ length: 7 }, (_, i) => record(`r${i}`));
    for (const r of sent) h.handle(r);
    await h.flush();
    const taken = ep.requests.filter((rs) => rs.length <= 2).flat();
    expect(uidsOf(taken)).toEqual(sent.map((r) => r.uid));
    expect(h.stats).toMatchObject({ acknowledged: 7, dropped: {} });
  });

  it('keeps the records after a 401, says so once, and sends them when the collector takes the token', async () => {
    const ep = await endpoint((_, n) => (n <= 3 ? { status: 401 } : { status: 200 }));
    const h = handler({ url: ep.url, flushIntervalMs: null, token: 'secret' });
    h.handle(record('kept'));
    await h.flush();
    expect(ep.requests.length).toBe(4);
    expect(h.stats).toMatchObject({ acknowledged: 1, pending: 0, dropped: {}, lastError: 'HTTP 401' });
    expect(reports.filter((r) => r.includes('401'))).toHaveLength(1);
  });

  it("counts the records a 2xx's partialSuccess rejects as dropped.rejected", async () => {
    const ep = await endpoint(() => ({ status: 200, body: { partialSuccess: { rejectedLogRecords: '2', errorMessage: 'too old' } } }));
    const h = handler({ url: ep.url, flushIntervalMs: null });
    for (let i = 0; i < 5; i++) h.handle(record(`r${i}`));
    await h.flush();
    expect(h.stats).toMatchObject({ handled: 5, acknowledged: 3, pending: 0, dropped: { rejected: 2 } });
    expect(reports.join('\n')).toContain('too old');
  });

  it('counts the records dropped over maxRecords and ends the next request with a WARNING that says so', async () => {
    const ep = await endpoint();
    const h = handler({ url: ep.url, flushIntervalMs: null, maxRecords: 5 });
    const sent = Array.from({ length: 8 }, (_, i) => record(`r${i}`));
    for (const r of sent) h.handle(r);
    expect(h.stats).toMatchObject({ handled: 8, pending: 5, dropped: { overflow: 3 } });
    await h.flush();
    expect(ep.requests).toHaveLength(1);
    const [request] = ep.requests;
    expect(uidsOf(request.slice(0, 5))).toEqual(sent.slice(0, 5).map((r) => r.uid));
    expect(request[5]).toMatchObject({ name: 'isolog', levelname: 'WARNING', levelno: 30 });
    expect(request[5].msg).toMatch(/^isolog: dropped 3 records over this handler's cap of 5 records \/ \d+ bytes$/);
    expect(request[5].uid).toBeTruthy();
    expect(h.stats).toMatchObject({ acknowledged: 5, pending: 0 });
  });

  it('drops over maxBytes too, counting each record as the UTF-8 bytes of its JSON', async () => {
    const ep = await endpoint();
    const sent = [record('é'.repeat(300)), record('é'.repeat(300)), record('é'.repeat(300))];
    // room for one record and most of a second: the second and third are dropped
    const bytes = Buffer.byteLength(JSON.stringify(handler({ url: ep.url }).prepare(sent[0])));
    const h = handler({ url: ep.url, flushIntervalMs: null, maxBytes: 2 * bytes - 1 });
    for (const r of sent) h.handle(r);
    expect(h.stats).toMatchObject({ pending: 1, dropped: { overflow: 2 } });
    await h.flush();
    expect(ep.requests[0].at(-1)?.msg).toBe(`isolog: dropped 2 records over this handler's cap of 10000 records / ${2 * bytes - 1} bytes`);
  });

  it('keeps maxBytes to the byte when the first records are taken before their JSON is measured', async () => {
    const ep = await endpoint();
    const sent = Array.from({ length: 10 }, (_, i) => record('a'.repeat(200), i === 5 ? { ctx: { step: i } } : { step: i }));
    const probe = handler({ url: ep.url });
    const sizes = sent.map((r) => Buffer.byteLength(JSON.stringify(probe.prepare(r))));
    const total = sizes.reduce((a, b) => a + b, 0);
    const exact = handler({ url: ep.url, flushIntervalMs: null, maxBytes: total });
    const short = handler({ url: ep.url, flushIntervalMs: null, maxBytes: total - 1 });
    for (const r of sent) { exact.handle(r); short.handle(r); }
    expect(exact.stats).toMatchObject({ pending: 10, dropped: {} });
    expect(short.stats).toMatchObject({ pending: 9, dropped: { overflow: 1 } });
    expect(reports.filter((text) => text.includes('its cap'))).toEqual([
      `isolog: FetchHandler holds 9 records (${total - sizes[9]} bytes) not yet taken by ${ep.url}, its cap; new records are dropped until it takes some`,
    ]);
  });

  it('rejects flush({ timeoutMs }) with a FlushError while the collector does not answer, and delivers the records later', async () => {
    const ep = await endpoint((_, n) => (n === 1 ? 'hang' : { status: 200 }));
    const h = handler({ url: ep.url, flushIntervalMs: null, requestTimeoutMs: 500 });
    const sent = [record('a'), record('b'), record('c')];
    for (const r of sent) h.handle(r);
    const failed = await h.flush({ timeoutMs: 100 }).then(() => null, (err: unknown) => err);
    expect(failed).toBeInstanceOf(FlushError);
    expect(failed).toMatchObject({ name: 'FlushError', notDelivered: 3 });
    expect((failed as Error).message).toContain('3 records not delivered');
    expect(h.stats.pending).toBe(3);
    await h.flush();
    expect(uidsOf(ep.requests[1])).toEqual(sent.map((r) => r.uid));
    expect(h.stats).toMatchObject({ acknowledged: 3, pending: 0 });
    expect(h.stats.lastError).toMatch(/^network: /);
  });

  it('names the last error in the FlushError when nothing listens on the port', async () => {
    const closed = await endpoint();
    await closed.close();
    const h = handler({ url: closed.url, flushIntervalMs: null });
    h.handle(record('nowhere'));
    const failed = await h.flush({ timeoutMs: 500 }).then(() => null, (err: unknown) => err as FlushError);
    expect(failed?.message).toMatch(/1 record not delivered .*; last error: network: /);
    expect(failed?.lastError).toMatch(/^network: /);
    expect(h.stats.pending).toBe(1);
  });

  it('resolves close({ timeoutMs }) in time against a collector that never answers, counting dropped.timeout once', async () => {
    const ep = await endpoint(() => 'hang');
    const h = handler({ url: ep.url, flushIntervalMs: null, requestTimeoutMs: 60_000 });
    for (let i = 0; i < 3; i++) h.handle(record(`r${i}`));
    const started = performance.now();
    await h.close({ timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(300 + 2000);
    expect(h.stats).toMatchObject({ handled: 3, pending: 0, dropped: { timeout: 3 } });
    expect(reports.filter((r) => r.includes('closed after 300 ms with 3 records not delivered'))).toHaveLength(1);
    h.handle(record('late'));
    expect(h.stats).toMatchObject({ handled: 4, dropped: { timeout: 3, closed: 1 } });
  });

  it('sends a batch flushIntervalMs after its first record without any flush()', async () => {
    running = await collector();
    const h = handler({ url: `${running.url}/v1/logs`, flushIntervalMs: 50 });
    h.handle(record('one'));
    h.handle(record('two'));
    await expect.poll(() => stored(running?.dir as string).length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => h.stats.acknowledged).toBe(2);
  }, 20_000);

  it('sends nothing until flush() when flushIntervalMs is null', async () => {
    const ep = await endpoint();
    const h = handler({ url: ep.url, flushIntervalMs: null, batchSize: 2 });
    for (let i = 0; i < 5; i++) h.handle(record(`r${i}`));
    await pause(300);
    expect(ep.requests).toHaveLength(0);
    await h.flush();
    expect(ep.requests.map((rs) => rs.length)).toEqual([2, 2, 1]);
    expect(ep.mostAtOnce).toBe(1);
  });

  it('waits as long as Retry-After says after a 429', async () => {
    const ep = await endpoint((_, n) => (n === 1 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 }));
    const h = handler({ url: ep.url, flushIntervalMs: null });
    h.handle(record('patient'));
    await h.flush();
    expect(ep.requests).toHaveLength(2);
    // a timer never fires early by more than a millisecond or so; the backoff alone would be 10-20 ms
    expect(ep.bodies[1].at - ep.bodies[0].at).toBeGreaterThan(900);
    expect(h.stats).toMatchObject({ acknowledged: 1, lastError: 'HTTP 429' });
  });

  it('keeps each request under 4 MiB of OTLP JSON, one at a time, in order', async () => {
    const ep = await endpoint();
    const h = handler({ url: ep.url, flushIntervalMs: null });
    const sent = Array.from({ length: 5 }, (_, i) => record(`${i}`.padEnd(1 << 20, '.')));
    for (const r of sent) h.handle(r);
    await h.flush();
    expect(ep.requests.length).toBeGreaterThan(1);
    for (const { bytes } of ep.bodies) expect(bytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(uidsOf(ep.requests.flat())).toEqual(sent.map((r) => r.uid));
    expect(ep.mostAtOnce).toBe(1);
  }, 20_000);

  it('with flushIntervalMs null, leaves a record handled after the flush for the next flush()', async () => {
    let release: () => void = () => undefined;
    const held = new Promise<Answer>((r) => { release = () => r({ status: 200 }); });
    const ep = await endpoint((_, n) => (n === 1 ? held : { status: 200 }));
    const h = handler({ url: ep.url, flushIntervalMs: null });
    h.handle(record('first'));
    const flushing = h.flush();
    await expect.poll(() => ep.requests.length).toBe(1);
    h.handle(record('second'));
    release();
    await flushing;
    await pause(200);
    expect(ep.requests).toHaveLength(1);
    expect(h.stats.pending).toBe(1);
    await h.flush();
    expect(ep.requests.map((rs) => rs.map((r) => r.msg))).toEqual([['first'], ['second']]);
  });

  it('gzips a large body, and prepares a record whose message cannot be formatted into a reported drop', async () => {
    const ep = await endpoint();
    const h = handler({ url: ep.url, flushIntervalMs: null });
    h.handle(record('x'.repeat(4000)));
    h.handle(record('%d apples', {}, ['many']));
    await h.flush();
    expect(ep.gzipped).toEqual([true]);
    expect(h.stats).toMatchObject({ handled: 2, acknowledged: 1, dropped: { error: 1 } });
    expect(reports.join('\n')).toContain('--- Logging error ---');
  });

  it('calls the fetch it is given, at send time', async () => {
    const ep = await endpoint();
    const urls: string[] = [];
    const h = handler({ url: ep.url, flushIntervalMs: null, fetch: (input, init) => { urls.push(String(input)); return fetch(input, init); } });
    h.handle(record('through the given fetch'));
    await h.flush();
    expect(urls).toEqual([ep.url]);
  });
});

describe('FetchHandler in a Node process', () => {
  /** Runs `code` (importing FetchHandler and LogRecord) in a child Node process: its exit code and output. */
  async function runNode(code: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const out = join(mkdtempSync(join(tmpdir(), 'isolog-fetch-')), 'child.mjs');
    const imports = "import { FetchHandler } from './src/transport/fetch-handler.ts'; import { LogRecord } from './src/core/record.ts';";
    await build({ stdin: { contents: `${imports}\n${code}`, resolveDir: join(import.meta.dirname, '../../..'), loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning' });
    const child = spawn(process.execPath, [out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d; });
    child.stderr.on('data', (d: Buffer) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    return new Promise((resolve) => child.once('close', (exit) => { clearTimeout(timer); resolve({ code: exit, stdout, stderr }); }));
  }

  it('lets the process exit while records wait for the interval or for a retry nobody awaits', async () => {
    const closed = await endpoint();
    await closed.close();
    const run = await runNode(`
      const h = new FetchHandler({ url: ${JSON.stringify(closed.url)}, flushIntervalMs: 10, retryBaseMs: 5000 });
      h.handle(new LogRecord('app', 20, '', 0, 'waits', null, null));
      const later = new FetchHandler({ url: ${JSON.stringify(closed.url)}, flushIntervalMs: 60000 });
      later.handle(new LogRecord('app', 20, '', 0, 'waits longer', null, null));
    `);
    // 20 s is when runNode kills it: a process held open ends with a signal, not an exit code
    expect(run).toMatchObject({ code: 0, stdout: '' });
  }, 30_000);

  it('keeps the process alive while a flush is awaited, through the retry after a 503', async () => {
    const ep = await endpoint((_, n) => (n === 1 ? { status: 503 } : { status: 200 }));
    const run = await runNode(`
      const h = new FetchHandler({ url: ${JSON.stringify(ep.url)}, flushIntervalMs: null, retryBaseMs: 300 });
      h.handle(new LogRecord('app', 20, '', 0, 'kept alive', null, null));
      await h.flush();
      console.log(JSON.stringify(h.stats));
    `);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ acknowledged: 1, lastError: 'HTTP 503' });
    expect(ep.requests).toHaveLength(2);
  }, 30_000);
});

describe('FetchHandler through configure() from isolog/node', () => {
  afterEach(() => { for (const h of [...root.handlers]) root.removeHandler(h); });

  it('builds class FetchHandler from its keys and ships the root logger records; shutdown() waits for them', async () => {
    const ep = await endpoint();
    configure({
      version: 1,
      handlers: { net: { class: 'FetchHandler', url: ep.url, level: 'INFO', flushIntervalMs: null, resource: { 'service.name': 'cfg' }, batchSize: 10 } },
      root: { level: 'DEBUG', handlers: ['net'] },
    });
    const [net] = root.handlers;
    expect(net).toBeInstanceOf(NodeFetchHandler);
    getLogger('app.cfg').debug('below the handler level');
    getLogger('app.cfg').info('configured %s', 'by dict');
    await shutdown([net]);
    expect(ep.requests.flat().map((r) => r.msg)).toEqual(['configured by dict']);
    expect((net as FetchHandler).stats).toMatchObject({ acknowledged: 1, pending: 0 });
  });

  it('refuses unknown keys, a missing url and a misspelt class with a ConfigError', () => {
    const url = 'http://127.0.0.1:1/v1/logs';
    expect(() => configure({ version: 1, handlers: { net: { class: 'FetchHandler', url, batchsize: 5 } }, root: { handlers: ['net'] } }))
      .toThrow(new ConfigError('handlers.net: unknown key "batchsize"; did you mean "batchSize"?'));
    expect(() => configure({ version: 1, handlers: { net: { class: 'FetchHandler' } }, root: { handlers: ['net'] } }))
      .toThrow(/^handlers\.net: FetchHandler: url must be the OTLP\/HTTP logs endpoint/);
    expect(() => configure({ version: 1, handlers: { net: { class: 'FetchHandler', url, maxRecords: 0 } } }))
      .toThrow(new ConfigError('handlers.net: FetchHandler: maxRecords must be a number of at least 1; got 0'));
    expect(() => configure({ version: 1, handlers: { net: { class: 'FetchHander', url: 'http://127.0.0.1:1/v1/logs' } } }))
      .toThrow(/did you mean "FetchHandler"/);
  });
});

import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Forwarder } from '../../../src/collector/forward.js';
import { decodeRequest } from '../../../src/transport/otlp.js';
import { cliBundle, collector, otlp, post, records, startChild as startChildOf, stored, tempDir } from './helpers.js';

let cli: string;
beforeAll(async () => { cli = await cliBundle(); }, 60_000);

let running: Awaited<ReturnType<typeof collector>> | undefined;
let child: ChildProcess | undefined;
let upstream: Server | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
  child?.kill('SIGKILL');
  child = undefined;
  await new Promise((r) => (upstream ? upstream.close(r) : r(undefined)));
  upstream = undefined;
});
afterAll(() => child?.kill('SIGKILL'));

const startChild = (args: string[]) => startChildOf(cli, args);

describe('--forward', () => {
  it('relays accepted batches to a second collector, which stores them once', async () => {
    const upstreamDir = tempDir();
    const second = await startChild(['--dir', upstreamDir]);
    child = second.proc;
    running = await collector({ forward: `${second.url}/v1/logs` });
    const batch = records(20, 'fwd');
    await post(`${running.url}/v1/logs`, otlp(batch));
    await post(`${running.url}/v1/logs`, otlp(batch.slice(0, 5)));
    await expect.poll(() => stored(upstreamDir).length, { timeout: 10_000 }).toBe(20);
    expect(stored(upstreamDir).map((r) => r.uid).sort()).toEqual(batch.map((r) => r.uid).sort());
    expect(stored(upstreamDir)[0]).toMatchObject({ logger: 'app.test', resource: { 'service.name': 'test' } });
  }, 30_000);

  it('retries 503 with backoff and honours Retry-After, then isolates a record answered 400', async () => {
    const received: string[][] = [];
    let calls = 0;
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        calls++;
        const uids = (JSON.parse(body).resourceLogs as { scopeLogs: { logRecords: { attributes: { key: string; value: { stringValue: string } }[] }[] }[] }[])
          .flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => r.attributes.find((a) => a.key === 'log.record.uid')?.value.stringValue ?? '')));
        if (calls === 1) { res.writeHead(503); return res.end(); }
        if (calls === 2) { res.writeHead(429, { 'retry-after': '1' }); return res.end(); }
        if (uids.some((u) => u.endsWith('poison'))) { res.writeHead(400); return res.end(); }
        received.push(uids);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => upstream?.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    running = await collector({ forward: `http://127.0.0.1:${port}/v1/logs` });
    const batch = [...records(3, 'ok'), { ...records(1, 'x')[0], uid: 'the-poison' }, ...records(3, 'ok2')];
    await post(`${running.url}/v1/logs`, otlp(batch));
    // the upstream holds the records before the forwarder has read its answers: wait for both
    await expect.poll(() => received.flat().length, { timeout: 15_000 }).toBe(6);
    await expect.poll(() => running?.forwarder?.stats.sent, { timeout: 15_000 }).toBe(6);
    expect(received.flat()).not.toContain('the-poison');
    expect(running.forwarder?.stats).toMatchObject({ sent: 6, dropped: 1, retries: 2 });
  }, 30_000);

  it('splits a batch whose OTLP body is over maxBytes into requests under it, and sends no record twice', async () => {
    const bodies: string[] = [];
    let calls = 0;
    upstream = createServer((req, res) => {
      let body = '';
      req.on('data', (d) => { body += d; });
      req.on('end', () => {
        // the second request fails once: what the first one carried is not sent again
        if (++calls === 2) { res.writeHead(503); return res.end(); }
        bodies.push(body);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      });
    });
    await new Promise<void>((r) => upstream?.listen(0, '127.0.0.1', r));
    const port = (upstream.address() as AddressInfo).port;
    const batch = records(40, 'cap');
    // a quarter of the whole body: four requests at least
    const maxBytes = Math.ceil(otlp(batch).length / 4);
    const forwarder = new Forwarder(`http://127.0.0.1:${port}/v1/logs`, { maxBytes, baseDelayMs: 1 });
    forwarder.enqueue(decodeRequest(JSON.parse(otlp(batch))).records);
    await expect.poll(() => forwarder.stats.sent, { timeout: 10_000 }).toBe(40);
    expect(bodies.length).toBeGreaterThanOrEqual(4);
    for (const body of bodies) expect(body.length).toBeLessThanOrEqual(maxBytes);
    const uids = bodies.flatMap((b) => (JSON.parse(b).resourceLogs as { scopeLogs: { logRecords: { attributes: { key: string; value: { stringValue: string } }[] }[] }[] }[])
      .flatMap((rl) => rl.scopeLogs.flatMap((sl) => sl.logRecords.map((r) => r.attributes.find((a) => a.key === 'log.record.uid')?.value.stringValue))));
    expect(uids).toEqual(batch.map((r) => r.uid));
    expect(forwarder.stats).toMatchObject({ sent: 40, dropped: 0, retries: 1, pending: 0 });
  }, 30_000);
});

describe('isolog collect (the command)', () => {
  it('says where it listens and writes, and flushes on SIGTERM', async () => {
    const dir = tempDir();
    const c = await startChild(['--dir', dir]);
    child = c.proc;
    expect(c.output()).toContain(`${dir}/isolog.ndjson`);
    expect(c.output()).toContain('live view');
    const batch = records(10, 'term');
    expect((await post(`${c.url}/v1/logs`, otlp(batch))).status).toBe(200);
    const exited = new Promise<number | null>((r) => c.proc.once('exit', r));
    c.proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
    expect(stored(dir).map((r) => r.uid)).toEqual(batch.map((r) => r.uid));
  }, 20_000);

  it('explains a bad flag and refuses a public address without --token', async () => {
    await expect(startChild(['--prot', '1'])).rejects.toThrow(/unknown option --prot; did you mean --port\?/);
    await expect(startChild(['--host', '0.0.0.0'])).rejects.toThrow(/without a token/);
  }, 20_000);
});

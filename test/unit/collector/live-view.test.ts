import { createServer, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LiveViewHandler, MAX_VIEWERS } from '../../../src/collector/live-view.js';
import { JsonFormatter } from '../../../src/core/json-formatter.js';
import { makeLogRecord } from '../../../src/core/record-factory.js';
import { join } from 'node:path';
import { collector, otlp, post, records, tempDir } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await running?.close();
  running = undefined;
});

// 15 attributes of 16,000 characters: a record of about 240 KB, as big as JsonFormatter lets one be
const BIG = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`field${i}`, String(i % 10).repeat(16_000)]));

interface Viewer { events: string[]; bytes: number[]; status: number; socket: Socket }

/**
 * A viewer that reads everything as it comes: each event's data and its size on the wire. A raw
 * socket speaking HTTP/1.0 (so the body is not chunked), as a browser reads: node:http's client
 * takes one 64 KiB read per turn of the event loop when the page is busy, slower than a tab.
 */
function view(url: string, path = '/events'): Promise<Viewer> {
  const { hostname, port } = new URL(url);
  const socket = connect(Number(port), hostname);
  cleanups.push(() => socket.destroy());
  socket.write(`GET ${path} HTTP/1.0\r\nhost: ${hostname}:${port}\r\n\r\n`);
  socket.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const viewer: Viewer = { events: [], bytes: [], status: 0, socket };
    let buffered = '';
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      if (viewer.status === 0) {
        const head = buffered.indexOf('\r\n\r\n');
        if (head < 0) return;
        viewer.status = Number(buffered.slice(9, 12));
        buffered = buffered.slice(head + 4);
        resolve(viewer);
      }
      let end: number;
      while ((end = buffered.indexOf('\n\n')) >= 0) {
        const event = buffered.slice(0, end + 2);
        buffered = buffered.slice(end + 2);
        // a record is an event with an id and data; comments and named events (gap) are not records
        const lines = event.slice(0, -2).split('\n');
        const data = lines.find((l) => l.startsWith('data: '));
        if (!data || lines.some((l) => l.startsWith('event: '))) continue;
        viewer.events.push(data.slice(6));
        viewer.bytes.push(Buffer.byteLength(event));
      }
    });
    socket.on('error', reject);
  });
}

/** How many records each JsonFormatter formats from now on, as LogRecords or as plain fields. */
function countFormatting(): Map<JsonFormatter, number> {
  const formatted = new Map<JsonFormatter, number>();
  const count = (f: JsonFormatter): void => { formatted.set(f, (formatted.get(f) ?? 0) + 1); };
  const format = JsonFormatter.prototype.format;
  const formatFields = JsonFormatter.prototype.formatFields;
  const spies = [
    vi.spyOn(JsonFormatter.prototype, 'format').mockImplementation(function (this: JsonFormatter, record) { count(this); return format.call(this, record); }),
    vi.spyOn(JsonFormatter.prototype, 'formatFields').mockImplementation(function (this: JsonFormatter, fields) { count(this); return formatFields.call(this, fields); }),
  ];
  cleanups.push(() => { for (const spy of spies) spy.mockRestore(); });
  return formatted;
}

const uidOf = (event: string): string => (JSON.parse(event) as { uid: string }).uid;

describe('the live view', () => {
  it('carries its icon inline, and its policy lets the icon load', async () => {
    running = await collector();
    const page = await fetch(`${running.url}/`);
    const html = await page.text();
    const href = /<link rel="icon" type="image\/svg\+xml" href="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(href.startsWith('data:image/svg+xml,')).toBe(true);
    expect(decodeURIComponent(href.slice('data:image/svg+xml,'.length))).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^]*<\/svg>$/);
    expect(page.headers.get('content-security-policy')).toMatch(/img-src [^;]*data:/);
  });

  it('answers /favicon.ico with the same icon, not a 404', async () => {
    running = await collector();
    const icon = await fetch(`${running.url}/favicon.ico`);
    expect(icon.status).toBe(200);
    expect(icon.headers.get('content-type')).toBe('image/svg+xml');
    const svg = await icon.text();
    expect(svg).toMatch(/^<svg [^]*<\/svg>$/);
    const page = await (await fetch(`${running.url}/`)).text();
    expect(page).toContain(encodeURIComponent(svg));
  });

  it('keeps at most 2 MiB of the newest records for a new viewer, however big the records are', async () => {
    running = await collector();
    const sent = [];
    for (let i = 0; i < 3; i++) {
      const batch = records(10, `big${i}`, BIG);
      sent.push(...batch);
      expect((await post(`${running.url}/v1/logs`, otlp(batch))).status).toBe(200);
    }
    const viewer = await view(running.url);
    const marker = records(1, 'marker');
    await post(`${running.url}/v1/logs`, otlp(marker));
    await expect.poll(() => viewer.events.map(uidOf).includes(marker[0].uid), { timeout: 10_000 }).toBe(true);
    const backlog = viewer.events.slice(0, -1);
    const backlogBytes = viewer.bytes.slice(0, -1).reduce((a, b) => a + b, 0);
    expect(backlog.length).toBeGreaterThan(0);
    expect(backlogBytes).toBeLessThanOrEqual(2 * 1024 * 1024);
    // the newest, in the order they came
    expect(backlog.map(uidOf)).toEqual(sent.slice(-backlog.length).map((r) => r.uid));
  }, 30_000);

  it('keeps the last 500 records of small ones', async () => {
    running = await collector();
    const sent = records(700, 'small');
    expect((await post(`${running.url}/v1/logs`, otlp(sent))).status).toBe(200);
    const viewer = await view(running.url);
    const marker = records(1, 'marker');
    await post(`${running.url}/v1/logs`, otlp(marker));
    await expect.poll(() => viewer.events.length, { timeout: 10_000 }).toBe(501);
    expect(viewer.events.slice(0, -1).map(uidOf)).toEqual(sent.slice(-500).map((r) => r.uid));
  });

  it('formats, while no one watches, only the records that stay in the backlog; a viewer then gets them in order', async () => {
    running = await collector();
    const formatted = countFormatting();
    const sent = records(1800, 'unwatched');
    expect((await post(`${running.url}/v1/logs`, otlp(sent))).status).toBe(200);
    // the scanner made every record's line (otlp-scan.ts): no formatter made one, the file's or the
    // live view's, which shows the lines the file got
    expect([...formatted.values()]).toEqual([]);
    const viewer = await view(running.url);
    await expect.poll(() => viewer.events.length, { timeout: 10_000 }).toBe(500);
    expect(viewer.events.map(uidOf)).toEqual(sent.slice(-500).map((r) => r.uid));
  });

  it('formats itself, while no one watches, only the newest 500 when the file\'s lines are not its own (a file formatter with a resource)', async () => {
    const dir = tempDir();
    running = await collector({ dir, logging: {
      version: 1, formatters: { tagged: { '()': () => new JsonFormatter({ resource: { 'service.name': 'tagged' } }) } },
      handlers: { file: { class: 'FileHandler', filename: join(dir, 'isolog.ndjson'), formatter: 'tagged' } },
      root: { level: 'NOTSET', handlers: ['file'] },
    } });
    const formatted = countFormatting();
    const sent = records(1800, 'unwatched');
    expect((await post(`${running.url}/v1/logs`, otlp(sent))).status).toBe(200);
    // the live view formats once the 50 ms after the first record are over, or when a viewer comes
    await new Promise((r) => setTimeout(r, 100));
    expect([...formatted.values()].sort((a, b) => a - b)).toEqual([500, 1800]);
    const viewer = await view(running.url);
    await expect.poll(() => viewer.events.length, { timeout: 10_000 }).toBe(500);
    expect(viewer.events.map(uidOf)).toEqual(sent.slice(-500).map((r) => r.uid));
  });
});

describe('live viewers', () => {
  it(`are at most ${MAX_VIEWERS}: one more is answered 503 saying so, and gets in once one leaves`, async () => {
    running = await collector();
    const viewers = [];
    for (let i = 0; i < MAX_VIEWERS; i++) viewers.push(await view(running.url));
    expect(viewers.map((v) => v.status)).toEqual(viewers.map(() => 200));
    const refused = await fetch(`${running.url}/events`);
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ error: `the live view has ${MAX_VIEWERS} viewers already; close one and reload` });
    viewers[0].socket.destroy();
    await expect.poll(async () => {
      const again = await view(running?.url as string);
      again.socket.destroy();
      return again.status;
    }, { timeout: 10_000 }).toBe(200);
  });

  it('that never read do not stop /healthz from answering, nor the viewers that read', async () => {
    running = await collector();
    for (let i = 0; i < 3; i++) await post(`${running.url}/v1/logs`, otlp(records(10, `bl${i}`, BIG)));
    const { port } = new URL(running.url);
    for (let i = 0; i < MAX_VIEWERS - 1; i++) {
      const stalled = connect(Number(port), '127.0.0.1');
      stalled.pause();
      stalled.write('GET /events HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
      cleanups.push(() => stalled.destroy());
    }
    const reader = await view(running.url);
    const sent = records(60, 'more', BIG);
    // each request is 2.4 MB of events for every viewer, more than a socket takes at once
    for (let i = 0; i < sent.length; i += 10) {
      expect((await post(`${running.url}/v1/logs`, otlp(sent.slice(i, i + 10)))).status).toBe(200);
      expect((await fetch(`${running.url}/healthz`)).status).toBe(200);
      await expect.poll(() => reader.events.length > 0 && uidOf(reader.events[reader.events.length - 1]), { timeout: 10_000 }).toBe(sent[i + 9].uid);
    }
    expect(reader.events.slice(-sent.length).map(uidOf)).toEqual(sent.map((r) => r.uid));
    expect(reader.socket.destroyed).toBe(false);
  }, 30_000);
});

describe('a live viewer that does not read', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((r) => { server?.closeAllConnections(); server ? server.close(() => r()) : r(); server = undefined; }));

  /** A real HTTP server whose /events is the handler's, and a client socket that never reads. */
  async function stalledViewer(live: LiveViewHandler): Promise<{ res: ServerResponse; client: Socket; handedAtOnce: number }> {
    let attached: ServerResponse | undefined;
    let handedAtOnce = 0;
    server = createServer((_req, res) => {
      attached = res;
      live.attach(res);
      // writes in one tick are corked: this is all attach() gave the socket, none of it sent yet
      handedAtOnce = res.writableLength;
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    client.pause();
    client.write('GET /events HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n');
    cleanups.push(() => client.destroy());
    await expect.poll(() => attached !== undefined, { timeout: 10_000 }).toBe(true);
    return { res: attached as ServerResponse, client, handedAtOnce };
  }

  const bigRecord = (i: number) => makeLogRecord({ name: 'app', levelno: 20, levelname: 'INFO', msg: `big ${i}`, ...BIG });

  it('is handed the backlog only as its socket takes it', async () => {
    const live = new LiveViewHandler();
    cleanups.push(() => live.close());
    for (let i = 0; i < 100; i++) live.handle(bigRecord(i));
    const { handedAtOnce } = await stalledViewer(live);
    // the socket's share (1 MiB) and one record at most, not the 2 MiB backlog
    expect(handedAtOnce).toBeGreaterThan(0);
    expect(handedAtOnce).toBeLessThan(1.5 * 1024 * 1024);
  });

  it('is cut off once 8 MiB wait for it, while a viewer that reads keeps receiving', async () => {
    const live = new LiveViewHandler();
    cleanups.push(() => live.close());
    const { res, client } = await stalledViewer(live);
    const reader = await view(`http://127.0.0.1:${(server?.address() as AddressInfo).port}`);
    const closed = new Promise<void>((r) => client.once('close', () => r()));
    let i = 0;
    // up to 200 records of 240 KB (48 MB): far past any kernel buffer and the viewer's 8 MiB; the
    // collector yields between slices of a request, and so does this loop
    while (!res.destroyed && i < 200) {
      live.handle(bigRecord(i++));
      await new Promise((r) => setImmediate(r));
    }
    expect(res.destroyed).toBe(true);
    client.resume();
    await closed;
    await expect.poll(() => reader.events.length, { timeout: 10_000 }).toBe(i);
    expect(reader.socket.destroyed).toBe(false);
  });
});

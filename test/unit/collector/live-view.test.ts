import { get, type IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { collector, otlp, post, records } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
const cleanups: (() => void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) c();
  await running?.close();
  running = undefined;
});

// 15 attributes of 16,000 characters: a record of about 240 KB, as big as JsonFormatter lets one be
const BIG = Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`field${i}`, String(i % 10).repeat(16_000)]));

interface Viewer { events: string[]; bytes: number[]; status: number; res: IncomingMessage }

/** A viewer that reads everything: each event's data and its size on the wire. */
function view(url: string): Promise<Viewer> {
  return new Promise((resolve, reject) => {
    const req = get(`${url}/events`, (res) => {
      const viewer: Viewer = { events: [], bytes: [], status: res.statusCode ?? 0, res };
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        let end: number;
        while ((end = buffered.indexOf('\n\n')) >= 0) {
          const event = buffered.slice(0, end + 2);
          buffered = buffered.slice(end + 2);
          if (!event.startsWith('data: ')) continue;
          viewer.events.push(event.slice(6, -2));
          viewer.bytes.push(Buffer.byteLength(event));
        }
      });
      resolve(viewer);
    });
    req.on('error', reject);
    cleanups.push(() => req.destroy());
  });
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
});

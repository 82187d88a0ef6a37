// The leaving page's beacons stay within the keepalive budget in bytes, as the browser counts it,
// also when records are mostly characters that take 3 bytes in UTF-8.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sendBeacons } from '../../../src/pipeline/page/beacon.js';
import { utf8Length } from '../../../src/transport/delivery.js';
import type { PlainRecord } from '../../../src/core/fields.js';

const record = (i: number, msg: string): PlainRecord => ({
  name: 'shop', msg, levelno: 20, levelname: 'INFO', created: 1_800_000_000 + i, uid: `beacon-${i}`, exc_text: null, stack_info: null,
});

afterEach(() => { vi.unstubAllGlobals(); });

describe('beacons', () => {
  it('counts UTF-8 bytes: 1 for ASCII, 2 for é, 3 for 日, 4 for an emoji', () => {
    expect(utf8Length('a')).toBe(1);
    expect(utf8Length('é')).toBe(2);
    expect(utf8Length('日')).toBe(3);
    expect(utf8Length('😀')).toBe(4);
    expect(utf8Length('a日😀é')).toBe(new TextEncoder().encode('a日😀é').length);
  });

  it('keeps every body and their sum within 60 KiB of UTF-8 when messages are CJK text', async () => {
    const bodies: string[] = [];
    vi.stubGlobal('fetch', (_url: string, init: RequestInit) => { bodies.push(init.body as string); return Promise.resolve(new Response('{}')); });
    // 200 records of 600 three-byte characters: about 360 KB of UTF-8 but only 120,000 UTF-16 units
    const records = Array.from({ length: 200 }, (_, i) => record(i, '日'.repeat(600)));
    const sent = sendBeacons('http://127.0.0.1:9/v1/logs', undefined, [records], { 'service.name': 'shop' });
    expect(sent).toBeGreaterThan(0);
    // the budget takes some of them, not all: 200 records of 1.8 KB each cannot fit in 60 KiB
    expect(sent).toBeLessThan(records.length);
    const sizes = bodies.map((b) => new TextEncoder().encode(b).length);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(60 * 1024);
    expect(sizes.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(60 * 1024);
    const carried = bodies.reduce((n, text) => n + (text.match(/beacon-\d+/g) ?? []).length, 0);
    expect(carried).toBe(sent);
  });

  it('posts OTLP JSON by fetch keepalive with the token as a header; where fetch throws, a text/plain beacon with the token in the query', async () => {
    const calls: [string, RequestInit][] = [];
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => { calls.push([url, init]); return Promise.resolve(new Response('{}')); });
    expect(sendBeacons('http://127.0.0.1:9/v1/logs', 'T', [[record(1, 'hi')]], {})).toBe(1);
    expect(calls).toHaveLength(1);
    expect(calls[0][0]).toBe('http://127.0.0.1:9/v1/logs');
    expect(calls[0][1]).toMatchObject({ method: 'POST', keepalive: true, credentials: 'omit', headers: { 'content-type': 'application/json', authorization: 'Bearer T' } });

    const beacons: [string, Blob][] = [];
    vi.stubGlobal('fetch', () => { throw new TypeError('keepalive is not supported'); });
    vi.stubGlobal('navigator', { sendBeacon: (url: string, body: Blob) => { beacons.push([url, body]); return true; } });
    expect(sendBeacons('http://127.0.0.1:9/v1/logs', 'T', [[record(2, 'hi')]], {})).toBe(1);
    expect(beacons.map(([url, body]) => [url, body.type])).toEqual([['http://127.0.0.1:9/v1/logs?token=T', 'text/plain;charset=utf-8']]);
    expect(await beacons[0][1].text()).toContain('beacon-2');
  });
});

import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startCollector } from '../../../src/collector/index.js';
import { escapeControl, tokensMatch } from '../../../src/collector/guard.js';
import { collector, otlp, post, records, stored, tempDir } from './helpers.js';

let running: Awaited<ReturnType<typeof collector>> | undefined;
afterEach(async () => { await running?.close(); running = undefined; });

describe('security', () => {
  it('refuses to listen beyond loopback without a token', async () => {
    await expect(startCollector({ host: '0.0.0.0', port: 0, dir: tempDir() })).rejects.toThrow(/without a token/);
  });

  it('checks the token in constant time, from the header or the query string', async () => {
    expect(tokensMatch('abc', 'abc')).toBe(true);
    expect(tokensMatch('abd', 'abc')).toBe(false);
    expect(tokensMatch('a', 'abc')).toBe(false);
    expect(tokensMatch(null, 'abc')).toBe(false);
    running = await collector({ token: 'right' });
    const body = otlp(records(1, 'auth'));
    expect((await post(`${running.url}/v1/logs`, body, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(`${running.url}/v1/logs`, body, { authorization: 'Bearer right' })).status).toBe(200);
    expect((await fetch(`${running.url}/events`)).status).toBe(401);
  });

  it('answers CORS only for the listed origins', async () => {
    running = await collector({ cors: ['https://app.example'] });
    const pre = await fetch(`${running.url}/v1/logs`, { method: 'OPTIONS', headers: { origin: 'https://app.example', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const denied = await fetch(`${running.url}/v1/logs`, { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
    const body = otlp(records(1, 'cors'));
    expect((await post(`${running.url}/v1/logs`, body, { origin: 'https://evil.example' })).status).toBe(403);
    const ok = await post(`${running.url}/v1/logs`, body, { origin: 'https://app.example' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('answers 413 beyond the body limit, before and after gzip, and keeps running', async () => {
    running = await collector({ bodyLimit: 64 * 1024 });
    const big = otlp(records(1, 'big', { message: 'x'.repeat(100 * 1024) }));
    expect((await post(`${running.url}/v1/logs`, big)).status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(10 * 1024 * 1024, 32));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect((await post(`${running.url}/v1/logs`, bomb, { 'content-encoding': 'gzip' })).status).toBe(413);
    expect((await post(`${running.url}/v1/logs`, otlp(records(1, 'after')))).status).toBe(200);
  });

  it('limits each client\'s rate with 429 and Retry-After', async () => {
    running = await collector({ rate: 2 });
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 8; i++) {
      const res = await post(`${running.url}/v1/logs`, otlp(records(1, `rate${i}`)));
      statuses.push(res.status);
      if (res.status === 429) retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(4);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it('is not polluted by __proto__, constructor or prototype keys', async () => {
    running = await collector();
    const request = JSON.parse(otlp(records(1, 'proto')));
    const attributes = request.resourceLogs[0].scopeLogs[0].logRecords[0].attributes;
    attributes.push({ key: '__proto__', value: { kvlistValue: { values: [{ key: 'polluted', value: { boolValue: true } }] } } });
    attributes.push({ key: 'constructor', value: { stringValue: 'x' } }, { key: 'prototype', value: { stringValue: 'y' } });
    const text = JSON.stringify(request).replace('"resourceLogs"', '"__proto__":{"polluted":true},"resourceLogs"');
    expect((await post(`${running.url}/v1/logs`, text)).status).toBe(200);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const [line] = stored(running.dir);
    expect(Object.keys(line.attributes as object)).toEqual([]);
  });

  it('escapes control characters and newlines in text output, so lines cannot be forged', async () => {
    const dir = tempDir();
    const file = join(dir, 'text.log');
    running = Object.assign(await startCollector({
      port: 0, rate: 0, dir,
      logging: { version: 1, formatters: { t: { format: '%(levelname)s %(name)s %(message)s' } }, handlers: { f: { class: 'FileHandler', filename: file, formatter: 't' } }, root: { level: 'NOTSET', handlers: ['f'] } },
    }), { dir });
    const forged = records(1, 'forge', { message: 'ok\nCRITICAL app.admin password changed\u2028\u001b[31m', msg: '' });
    await post(`${running.url}/v1/logs`, otlp(forged));
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(text).toContain('ok\\nCRITICAL app.admin password changed\\u2028\\x1b[31m');
    expect(escapeControl('a\tb\r\n')).toBe('a\\tb\\r\\n');
  });

  it('keeps NDJSON one line per record, U+2028 included', async () => {
    running = await collector();
    await post(`${running.url}/v1/logs`, otlp(records(1, 'ls', { message: 'a\u2028b\nc' })));
    const raw = readFileSync(join(running.dir, 'isolog.ndjson'), 'utf8');
    expect(raw.split('\n').filter(Boolean)).toHaveLength(1);
    expect(raw).not.toContain('\u2028');
    expect(stored(running.dir)[0].message).toBe('a\u2028b\nc');
  });
});
